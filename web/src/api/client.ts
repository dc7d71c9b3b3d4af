/**
 * The typed API client: Hono's `hc` over the Worker's own route types (worker/app.ts `AppType`),
 * so request bodies and answers share the Worker's zod schemas and return types: no copied types.
 * Every request sends credentials (the HttpOnly auth cookies) and goes to API_ORIGIN, through
 * auth.ts's `authFetch` (a 401 refreshes the session once and retries, docs/access.md).
 */
import { hc } from "hono/client";
import type { AppType } from "../../../worker/app";
import { authFetch, authHeaders } from "../auth";

/** Origin of the API: "" (this page's origin) unless the build set VITE_API_ORIGIN. */
export const API_ORIGIN: string = __API_ORIGIN__;

/** The client. `api.api.documents.$get({ query: { page: "1" } })` etc. */
export const api = hc<AppType>(API_ORIGIN || location.origin, {
  init: { credentials: "include" },
  headers: () => authHeaders(),
  fetch: authFetch,
});

/** An error answer of the API (`{ error: { code, message, details? } }`), or a network failure (status 0). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait before trying again (the `retry-after` header of a 429), when given. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** A message for people: the API's own message, or a plain one for a status without a body. */
export function describeError(e: unknown): string {
  if (e instanceof ApiRequestError) {
    if (e.status === 0) return "Cannot reach the server. Check your connection and try again.";
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The part of `hc`'s ClientResponse that `call` reads; `T` is the route's JSON body. */
interface TypedResponse<T> {
  ok: boolean;
  status: number;
  statusText: string;
  headers?: Headers;
  json(): Promise<T>;
}

/**
 * Awaits a `hc` call and returns its JSON body; throws ApiRequestError for a non-2xx answer (with
 * the API's code and message) or a network failure (status 0, code "network_error").
 */
export async function call<T>(request: Promise<TypedResponse<T>>): Promise<T> {
  let res: TypedResponse<T>;
  try {
    res = await request;
  } catch (e) {
    throw new ApiRequestError(0, "network_error", e instanceof Error ? e.message : String(e));
  }
  if (res.ok) return res.json();
  type ErrorShape = { error?: { code?: string; message?: string; details?: unknown } } | null;
  let body: ErrorShape = null;
  try {
    body = (await res.json()) as ErrorShape;
  } catch {
    // not JSON (a proxy's error page)
  }
  throw new ApiRequestError(
    res.status,
    body?.error?.code ?? `http_${res.status}`,
    body?.error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(),
    body?.error?.details,
    retryAfterOf(res.headers),
  );
}

/** The `retry-after` header in seconds (delta-seconds or an HTTP date), or undefined. */
function retryAfterOf(headers: Headers | undefined): number | undefined {
  const raw = headers?.get("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** WebSocket URL of a path on the API's origin (`/ws/chat/…` → ws(s)://host/ws/chat/…). */
export function socketUrl(path: string): string {
  const base = new URL(API_ORIGIN || location.origin);
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  return new URL(path, base).toString();
}
