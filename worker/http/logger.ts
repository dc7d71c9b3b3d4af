/** One structured JSON log line per request. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

/** Logs `{ route, method, path, status, duration_ms, session_id, retrieved }` after each request. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    console.log(
      JSON.stringify({
        level: "info",
        route: c.req.routePath,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - start) * 10) / 10,
        session_id: c.get("sessionId") ?? null,
        retrieved: c.get("retrieved") ?? null,
      }),
    );
  };
}
