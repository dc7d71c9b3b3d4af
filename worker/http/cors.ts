/**
 * CORS for a web client served from another origin (Cloudflare Pages): only the one origin in
 * CORS_ORIGIN (e.g. "https://edge-rag.pages.dev") is allowed, with credentials, so that an auth
 * cookie can travel. Empty (the default) sends no CORS headers: the client is same-origin.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "./context";

/** Seconds a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_S = 600;

export function corsForClient(): MiddlewareHandler<AppEnv> {
  const byOrigin = new Map<string, MiddlewareHandler>();
  return async (c, next) => {
    const allowed = (c.env.CORS_ORIGIN ?? "").trim();
    if (!allowed) return next();
    let handler = byOrigin.get(allowed);
    if (!handler) {
      handler = cors({
        origin: (origin) => (origin === allowed ? origin : null),
        credentials: true,
        allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
        allowHeaders: ["content-type"],
        maxAge: PREFLIGHT_MAX_AGE_S,
      });
      byOrigin.set(allowed, handler);
    }
    return handler(c, next);
  };
}
