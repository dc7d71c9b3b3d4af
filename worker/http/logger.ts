/** One structured JSON log line per request, or per failed request (`REQUEST_LOG`). */
import type { MiddlewareHandler } from "hono";
import { readConfig, type AppConfig } from "../config";
import type { AppEnv } from "./context";

/** Which requests get a log line: every one, those answered with status ≥ 400, or none. */
export type RequestLogMode = AppConfig["REQUEST_LOG"];

/**
 * Whether a response with `status` is logged under `mode`.
 *
 * @param mode `all`, `errors` (status ≥ 400) or `off`.
 * @param status HTTP status of the response.
 */
export function shouldLogRequest(mode: RequestLogMode, status: number): boolean {
  return mode === "all" || (mode === "errors" && status >= 400);
}

/**
 * Logs `{ level, route, method, path, status, duration_ms, session_id, retrieved }` as one JSON
 * line after each request that `REQUEST_LOG` selects (`all` unless configured; wrangler.toml sets
 * `errors` for local development, where every console line is relayed through wrangler's inspector
 * proxy and costs a few milliseconds of CPU, more than serving `GET /health`). When the
 * configuration is invalid, every request is logged.
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    let mode: RequestLogMode = "all";
    try {
      mode = readConfig(c.env).REQUEST_LOG;
    } catch {
      // invalid configuration: the route answers with the error; keep the log line
    }
    if (!shouldLogRequest(mode, c.res.status)) return;
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
