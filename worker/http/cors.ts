/**
 * CORS for web clients served from other origins (Cloudflare Pages): only the origins listed in
 * CORS_ORIGIN, comma-separated (e.g. "https://edge-rag.pages.dev,https://docs.example.com"), are
 * allowed, with credentials, so that an auth cookie can travel. Empty (the default) sends no CORS
 * headers: the client is same-origin.
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
    const origins = new Set(allowed.split(",").map((o) => o.trim()).filter(Boolean));
    let handler = byOrigin.get(allowed);
    if (!handler) {
      handler = cors({
        origin: (origin) => (origins.has(origin) ? origin : null),
        credentials: true,
        allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["content-type", "authorization"],
        maxAge: PREFLIGHT_MAX_AGE_S,
      });
      byOrigin.set(allowed, handler);
    }
    return handler(c, next);
  };
}
