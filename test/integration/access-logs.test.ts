/**
 * No secret reaches the logs (AUTH_MODE=accounts, REQUEST_LOG=all): passwords, access and refresh
 * tokens, API keys, the admin token and JWT_SECRET never appear in any console line written while
 * users are created, sign in (right and wrong), refresh, call with tokens and keys, and sign out.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../worker/app";

const bindings = { ...env, REQUEST_LOG: "all" } as unknown as Env;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await app.fetch(new Request(`http://edge-rag.test${path}`, init), bindings, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return text ? JSON.parse(text) : null;
}

afterEach(() => vi.restoreAllMocks());

it("writes no password, token, key or secret in any log line", async () => {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
  const password = "a-password-that-must-not-be-logged";
  await call("POST", "/api/users", { email: "logs@example.com", role: "editor", password }, admin);
  await call("POST", "/api/auth/login", { email: "logs@example.com", password: "wrong-password-not-logged" }, { "cf-connecting-ip": "192.0.2.10" });
  const login = await call("POST", "/api/auth/login", { email: "logs@example.com", password }, { "cf-connecting-ip": "192.0.2.11" });
  const auth = { authorization: `Bearer ${login.access_token}` };
  const key = await call("POST", "/api/auth/api-keys", { name: "logged?" }, auth);
  await call("GET", "/api/documents", undefined, { authorization: `Bearer ${key.key}` });
  await call("GET", "/api/documents", undefined, { authorization: "Bearer erk_a-wrong-key-not-logged" });
  const refreshed = await call("POST", "/api/auth/refresh", { refresh_token: login.refresh_token });
  await call("POST", "/api/auth/refresh", { refresh_token: login.refresh_token });
  await call("POST", "/api/auth/logout", {}, { authorization: `Bearer ${refreshed.access_token}` });

  // One request log line per call at least (REQUEST_LOG=all).
  expect(lines.length).toBeGreaterThanOrEqual(9);
  const secrets = [
    password, "wrong-password-not-logged", login.access_token, login.refresh_token, refreshed.access_token, refreshed.refresh_token,
    key.key, "erk_a-wrong-key-not-logged", env.ADMIN_TOKEN, (env as unknown as { JWT_SECRET: string }).JWT_SECRET,
  ];
  for (const s of secrets) {
    expect(typeof s).toBe("string");
    expect(lines.filter((l) => l.includes(s)), `a log line holds ${s.slice(0, 12)}…`).toEqual([]);
  }
});
