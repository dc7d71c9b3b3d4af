/** Calls the Worker's fetch handler in-process (the real app with its real bindings). */
import { exports } from "cloudflare:workers";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request to the Worker. A plain-object `body` is sent as JSON. */
export async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData || typeof body === "string") init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await (exports as any).default.fetch(new Request(`http://edge-rag.test${path}`, init));
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("waitFor timed out");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Headers of the admin in the tests (vitest.config.ts binds ADMIN_TOKEN = "test-admin-token"). */
export const ADMIN = { authorization: "Bearer test-admin-token" };

/** {@link api} as the admin (the quality loop and the config versions are the admin's); pass `{}` as headers for an anonymous call. */
export function adminApi<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<ApiResponse<T>> {
  return api<T>(method, path, body, headers);
}

/**
 * Polls `GET /api/meta-monitoring/runs/:id` as the admin until the evaluation run is completed or
 * failed; returns its body. Throws when `timeoutMs` passes first.
 */
export function waitForRun(id: string, timeoutMs = 60_000): Promise<any> {
  return waitFor(async () => {
    const r = await adminApi("GET", `/api/meta-monitoring/runs/${id}`);
    return r.body.status === "completed" || r.body.status === "failed" ? r.body : undefined;
  }, timeoutMs, 100);
}
