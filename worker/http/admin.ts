/**
 * Admin check of the quality loop's write endpoints (approve, apply, rollback, new config
 * versions): `Authorization: Bearer <ADMIN_TOKEN>`, where ADMIN_TOKEN is a secret (`.dev.vars`
 * locally, `wrangler secret put ADMIN_TOKEN` in production). Until accounts and roles exist
 * (the access issue) this static token is the admin. Compared in constant time.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Who acted, for audit rows: "admin" for the static token. */
export const ADMIN_ACTOR = "admin";

function equalInConstantTime(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Middleware: 401 `unauthorized` without a bearer token, 403 `forbidden` with a wrong one or when
 * no ADMIN_TOKEN is configured (admin actions are then off).
 */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const configured = (c.env as unknown as { ADMIN_TOKEN?: string }).ADMIN_TOKEN ?? "";
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token) throw new ApiError(401, "unauthorized", "This action needs an admin token: Authorization: Bearer <ADMIN_TOKEN>");
    if (!configured || !equalInConstantTime(token, configured)) throw new ApiError(403, "forbidden", "The admin token is not valid");
    await next();
  };
}
