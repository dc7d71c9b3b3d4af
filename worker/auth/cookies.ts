/**
 * The web client's auth cookies (docs/access.md): the access token in `edge_rag_access` (Path=/,
 * 15 minutes) and the refresh token in `edge_rag_refresh` (Path=/api/auth, 30 days), both
 * HttpOnly, SameSite=Strict, and Secure over https. The page's JavaScript never sees either.
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../http/context";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "./principal";
import { ACCESS_TOKEN_TTL_S, REFRESH_TOKEN_TTL_MS } from "./tokens";

const REFRESH_PATH = "/api/auth";

function secure(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** Sets both cookies. */
export function setAuthCookies(c: Context<AppEnv>, accessToken: string, refreshToken: string): void {
  const common = { httpOnly: true, sameSite: "Strict" as const, secure: secure(c) };
  setCookie(c, ACCESS_COOKIE, accessToken, { ...common, path: "/", maxAge: ACCESS_TOKEN_TTL_S });
  setCookie(c, REFRESH_COOKIE, refreshToken, { ...common, path: REFRESH_PATH, maxAge: REFRESH_TOKEN_TTL_MS / 1000 });
}

/** Clears both cookies. */
export function clearAuthCookies(c: Context<AppEnv>): void {
  deleteCookie(c, ACCESS_COOKIE, { path: "/" });
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_PATH });
}
