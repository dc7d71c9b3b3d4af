/**
 * The ADMIN_TOKEN secret, the break-glass admin besides admin accounts (docs/access.md): requests
 * that need the `admin` permission (worker/auth/policy.ts) accept
 *  - `Authorization: Bearer <ADMIN_TOKEN>` (scripts, curl), or
 *  - the `edge_rag_admin` cookie that `POST /api/admin/session` sets after checking the token
 *    (the dashboard): HttpOnly, SameSite=Strict, Path=/api, signed with HMAC-SHA256 keyed by the
 *    token, holding its expiry (epoch ms). Changing ADMIN_TOKEN signs every cookie out.
 * ADMIN_TOKEN is a secret (`.dev.vars` locally, which `npm start` creates with a random token;
 * `wrangler secret put ADMIN_TOKEN` in production). Tokens are compared in constant time.
 */
import type { Context } from "hono";
import { equalInConstantTime } from "../auth/crypto";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppEnv } from "./context";

/** Name of the admin session cookie. */
export const ADMIN_COOKIE = "edge_rag_admin";

/** Lifetime of an admin session cookie, ms (8 hours). */
export const ADMIN_SESSION_MS = 8 * 3600_000;

function configuredToken(c: Context<AppEnv>): string {
  return ((c.env as unknown as { ADMIN_TOKEN?: string }).ADMIN_TOKEN ?? "").trim();
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
