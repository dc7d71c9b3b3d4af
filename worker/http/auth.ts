/**
 * Authentication and authorisation of every request (docs/access.md): resolves the principal
 * (worker/auth/principal.ts) into `c.var.principal`, then checks the route's requirement from
 * the policy table (worker/auth/policy.ts): 401 `unauthorized` without a principal that could
 * have it, 403 `forbidden` for a principal whose role lacks it. In production (ENVIRONMENT =
 * "production") AUTH_MODE=open is refused: every request but /health answers 503.
 */
import type { Context, MiddlewareHandler } from "hono";
import { policyRowOf } from "../auth/policy";
import { anonymous, authMode, resolvePrincipal, type Principal } from "../auth/principal";
import type { Permission } from "../auth/roles";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** True when the deployment is production and yet open: it must not serve. */
export function refusesOpenMode(env: Env): boolean {
  return ((env as unknown as { ENVIRONMENT?: string }).ENVIRONMENT ?? "") === "production" && authMode(env) === "open";
}

/** A route of the app as Hono lists it (`app.routes`): method ("ALL" for middleware) and path pattern. */
export interface AppRoute {
  method: string;
  path: string;
}

/** A matcher of the app's handler routes (`:param` one segment, `*` any rest); middleware ("ALL") is left out. */
export function routeMatcher(routes: readonly AppRoute[]): (method: string, path: string) => boolean {
  const compiled = routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({
      method: r.method,
      re: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/\*$/, "(?:/.*)?").replace(/\*/g, ".*").replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "[^/]+")}/?$`),
    }));
  return (method, path) => {
    const m = method === "HEAD" ? "GET" : method;
    return compiled.some((r) => r.method === m && r.re.test(path));
  };
}

/**
 * Middleware: sets `principal` and enforces the policy. `routes` gives the app's routes (read
 * once, at the first request): a request that matches no policy row and no route goes on to the
 * 404 answer, while an existing route missing from the policy needs `admin`.
 */
export function authenticate(routes: () => readonly AppRoute[] = () => []): MiddlewareHandler<AppEnv> {
  let exists: ((method: string, path: string) => boolean) | undefined;
  return async (c, next) => {
    const path = c.req.path;
    if (refusesOpenMode(c.env) && path !== "/health") {
      throw new ApiError(503, "auth_not_configured", "This production deployment has AUTH_MODE=open, which production refuses; set AUTH_MODE=accounts");
    }
    exists ??= routeMatcher(routes());
    const needs = policyRowOf(c.req.method, path)?.needs ?? (exists(c.req.method, path) ? "admin" : "public");
    // Public routes still learn who calls (e.g. /api/auth/me), but a bad credential does not block them.
    let principal: Principal;
    try {
      principal = await resolvePrincipal(c);
    } catch (e) {
      if (needs !== "public") throw e;
      principal = anonymous("accounts");
    }
    c.set("principal", principal);
    if (needs !== "public") requirePermission(c, needs);
    await next();
  };
}

/**
 * Throws unless the request's principal has the permission: 401 for an anonymous request, 403
 * otherwise. For checks inside a route (e.g. listing all feedback needs `admin`).
 */
export function requirePermission(c: Context<AppEnv>, permission: Permission): void {
  const p = c.get("principal");
  if (p?.permissions.includes(permission)) return;
  if (!p || p.kind === "anonymous") {
    throw new ApiError(401, "unauthorized", permission === "admin"
      ? "This needs the admin: sign in as an admin, or send Authorization: Bearer <ADMIN_TOKEN>"
      : "Sign in first (POST /api/auth/login), or send Authorization: Bearer <access token or API key>");
  }
  throw new ApiError(403, "forbidden", `Your ${p.kind === "api_key" ? "API key" : "role"} does not allow this (it needs the ${permission} permission)`);
}

/** Who acts, for audit rows: the principal's actor (a user's email, "admin" for the ADMIN_TOKEN). */
export function actorOf(c: Context<AppEnv>): string {
  return c.get("principal")?.actor ?? "anonymous";
}

