/**
 * Rate limits of chat and ingestion per user (or client address without one), with AUTH_MODE =
 * accounts (worker/auth/rate-limits.ts; sign-in attempts are limited in worker/routes/auth.ts in
 * every mode): a chat turn (`POST /api/chat`, `POST /v1/chat/completions`, a WebSocket opened on
 * `/ws/chat/*`) counts against CHAT_RATE_LIMITER, an ingestion request (`POST /api/documents`,
 * `POST /api/ingest/jobs`) against INGEST_RATE_LIMITER. Over the limit: 429 with `retry-after`.
 */
import type { MiddlewareHandler } from "hono";
import { authMode } from "../auth/principal";
import { clientAddress, limitOrThrow, type LimiterName } from "../auth/rate-limits";
import type { AppEnv } from "./context";

/** The limiter of a request, or null. */
export function limiterOf(method: string, path: string): LimiterName | null {
  if (method === "POST" && (path === "/api/chat" || path === "/v1/chat/completions")) return "CHAT_RATE_LIMITER";
  if (method === "GET" && path.startsWith("/ws/chat/")) return "CHAT_RATE_LIMITER";
  if (method === "POST" && (path === "/api/documents" || path === "/api/ingest/jobs")) return "INGEST_RATE_LIMITER";
  return null;
}

/** Middleware (after `authenticate()`): counts the request against its limiter. */
export function rateLimits(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const name = limiterOf(c.req.method, c.req.path.replace(/\/+$/, ""));
    if (name && authMode(c.env) === "accounts") {
      const p = c.get("principal");
      await limitOrThrow(c.env, name, p?.userId ? `user:${p.userId}` : `ip:${clientAddress(c)}`);
    }
    await next();
  };
}
