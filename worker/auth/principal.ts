/**
 * Who a request acts as (docs/access.md, "Credentials"), from, in this order:
 *  1. `Authorization: Bearer <credential>`: the ADMIN_TOKEN secret (the break-glass admin), an API
 *     key (`erk_…`), or an access token (JWT);
 *  2. the `edge_rag_access` cookie (the web client's access token);
 *  3. the dashboard's admin session cookie (worker/http/admin.ts).
 * A credential that is present but invalid is a 401, whatever the mode: a client that sends
 * one expects it to count (except, with AUTH_MODE=open, a bearer that is neither an API key nor a
 * JWT, which OpenAI-compatible clients send as a placeholder). With none, the request is anonymous: in AUTH_MODE=open anonymous may
 * chat and write (local development), with accounts it may do nothing but public routes.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { adminSessionExpiry, isAdminToken } from "../http/admin";
import { permissionsOf, type Permission, type Role } from "./roles";
import { API_KEY_PREFIX, verifyAccessToken, verifyApiKey } from "./tokens";

/** Name of the cookie holding the web client's access token. */
export const ACCESS_COOKIE = "edge_rag_access";
/** Name of the cookie holding the web client's refresh token (sent to /api/auth only). */
export const REFRESH_COOKIE = "edge_rag_refresh";

/** How requests are authenticated: `accounts` (users and roles) or `open` (local development). */
export type AuthMode = "accounts" | "open";

/** The request's principal. */
export interface Principal {
  kind: "user" | "api_key" | "admin_token" | "anonymous";
  /** The user, for `user` and `api_key`. */
  userId: string | null;
  email: string | null;
  role: Role | null;
  permissions: Permission[];
  /** Who acted, for audit rows: the user's email, "admin" for the admin token, "anonymous". */
  actor: string;
}

/**
 * The AUTH_MODE var: "open" or "accounts" (the default when unset or unknown, so that a typo
 * closes rather than opens).
 */
export function authMode(env: Env): AuthMode {
  return ((env as unknown as { AUTH_MODE?: string }).AUTH_MODE ?? "").trim() === "open" ? "open" : "accounts";
}

/** An anonymous principal: with AUTH_MODE=open it may chat and write, with accounts nothing. */
export function anonymous(mode: AuthMode): Principal {
  return { kind: "anonymous", userId: null, email: null, role: null, permissions: mode === "open" ? ["chat", "write"] : [], actor: "anonymous" };
}

const ADMIN_TOKEN_PRINCIPAL: Principal = {
  kind: "admin_token", userId: null, email: null, role: "admin", permissions: permissionsOf("admin"), actor: "admin",
};

/**
 * Resolves the request's principal.
 *
 * @throws ApiError 401 `unauthorized` for an invalid, expired or revoked bearer credential or
 *   access cookie; 503 `auth_not_configured` for a JWT when JWT_SECRET is missing.
 */
export async function resolvePrincipal(c: Context<AppEnv>): Promise<Principal> {
  const mode = authMode(c.env);
  const db = database(c.env.DB);
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  if (bearer) {
    if (isAdminToken(c, bearer)) return ADMIN_TOKEN_PRINCIPAL;
    if (bearer.startsWith(API_KEY_PREFIX)) {
      const found = await verifyApiKey(db, bearer);
      if (!found) throw new ApiError(401, "unauthorized", "The API key is not valid");
      const granted = new Set(permissionsOf(found.user.role));
      return {
        kind: "api_key", userId: found.user.id, email: found.user.email, role: found.user.role,
        permissions: found.key.scopes.filter((s) => granted.has(s)), actor: `${found.user.email} (key ${found.key.prefix}…)`,
      };
    }
    if (bearer.split(".").length === 3) {
      const user = await verifyAccessToken(c.env, db, bearer);
      if (!user) throw new ApiError(401, "unauthorized", "The access token is not valid or has expired; refresh it or sign in again");
      return { kind: "user", userId: user.id, email: user.email, role: user.role, permissions: permissionsOf(user.role), actor: user.email };
    }
    // OpenAI-compatible clients always send some key: with AUTH_MODE=open, one that is neither an
    // API key nor a JWT is ignored (e.g. "sk-local"); with accounts it is refused.
    if (mode === "open") return anonymous(mode);
    throw new ApiError(401, "unauthorized", "The bearer credential is not valid");
  }
  const cookie = getCookie(c, ACCESS_COOKIE);
  if (cookie) {
    const user = await verifyAccessToken(c.env, db, cookie);
    if (!user) throw new ApiError(401, "unauthorized", "The session has expired; refresh it or sign in again");
    return { kind: "user", userId: user.id, email: user.email, role: user.role, permissions: permissionsOf(user.role), actor: user.email };
  }
  if ((await adminSessionExpiry(c)) !== null) return ADMIN_TOKEN_PRINCIPAL;
  return anonymous(mode);
}
