/**
 * Admin check of the quality loop and the config versions (docs/monitoring.md, "Admin"): every
 * `/api/meta-monitoring/*` and `/api/config/*` request needs the admin, who is either
 *  - `Authorization: Bearer <ADMIN_TOKEN>` (scripts, curl), or
 *  - the `edge_rag_admin` cookie that `POST /api/admin/session` sets after checking the token
 *    (the dashboard): HttpOnly, SameSite=Strict, Path=/api, signed with HMAC-SHA256 keyed by the
 *    token, holding its expiry (epoch ms). Changing ADMIN_TOKEN signs every cookie out.
 * ADMIN_TOKEN is a secret (`.dev.vars` locally, which `npm start` creates with a random token;
 * `wrangler secret put ADMIN_TOKEN` in production). Until accounts and roles exist (the access
 * issue) this static token is the admin. Tokens are compared in constant time.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Who acted, for audit rows: "admin" for the static token. */
export const ADMIN_ACTOR = "admin";

/** Name of the admin session cookie. */
export const ADMIN_COOKIE = "edge_rag_admin";

/** Lifetime of an admin session cookie, ms (8 hours). */
export const ADMIN_SESSION_MS = 8 * 3600_000;

function configuredToken(c: Context<AppEnv>): string {
  return ((c.env as unknown as { ADMIN_TOKEN?: string }).ADMIN_TOKEN ?? "").trim();
}

/** True when `a` and `b` are equal; the time taken depends on their lengths only. */
export function equalInConstantTime(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** True when `token` is the configured ADMIN_TOKEN (false when none is configured). */
export function isAdminToken(c: Context<AppEnv>, token: string): boolean {
  const configured = configuredToken(c);
  return configured !== "" && equalInConstantTime(token, configured);
}

/**
 * Expiry (epoch ms) of the request's valid admin session cookie, or null (no cookie, bad
 * signature, expired, or no ADMIN_TOKEN configured).
 */
export async function adminSessionExpiry(c: Context<AppEnv>): Promise<number | null> {
  const secret = configuredToken(c);
  if (!secret) return null;
  const value = await getSignedCookie(c, secret, ADMIN_COOKIE);
  const expires = value ? Number(value) : NaN;
  return Number.isFinite(expires) && expires > Date.now() ? expires : null;
}

/** Sets a new admin session cookie; returns its expiry (epoch ms). The token must be checked first. */
export async function startAdminSession(c: Context<AppEnv>): Promise<number> {
  const expires = Date.now() + ADMIN_SESSION_MS;
  await setSignedCookie(c, ADMIN_COOKIE, String(expires), configuredToken(c), {
    httpOnly: true,
    sameSite: "Strict",
    path: "/api",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: ADMIN_SESSION_MS / 1000,
  });
  return expires;
}

/** Clears the admin session cookie. */
export function endAdminSession(c: Context<AppEnv>): void {
  deleteCookie(c, ADMIN_COOKIE, { path: "/api" });
}

/**
 * Middleware: lets the admin through (bearer token or session cookie). 401 `unauthorized` with
 * neither, 403 `forbidden` with a wrong bearer token or when no ADMIN_TOKEN is configured.
 */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (token) {
      if (!isAdminToken(c, token)) throw new ApiError(403, "forbidden", "The admin token is not valid");
    } else if ((await adminSessionExpiry(c)) === null) {
      if (!configuredToken(c)) throw new ApiError(403, "forbidden", "Admin actions are off: no ADMIN_TOKEN is configured");
      throw new ApiError(401, "unauthorized", "This needs the admin: sign in on the dashboard or send Authorization: Bearer <ADMIN_TOKEN>");
    }
    await next();
  };
}
