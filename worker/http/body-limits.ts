/**
 * Request body size limits of every route (`hono/body-limit`, which checks Content-Length and
 * counts streamed bodies): 413 `payload_too_large` in the one error shape, before the route reads
 * anything. Limits, bytes: bulk ingestion 8 MiB (the ingestion client sends batches of at most
 * 4 MB), one document 4 MiB (MAX_DOCUMENT_BYTES of 1.5 MB, as multipart or JSON with escapes),
 * the OpenAI-compatible API 1 MiB (whole conversations), everything else 256 KiB.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Limits by path prefix, bytes; the first match wins. */
export const BODY_LIMITS: readonly { prefix: string; bytes: number }[] = [
  { prefix: "/api/ingest/", bytes: 8 * 1024 * 1024 },
  { prefix: "/api/documents", bytes: 4 * 1024 * 1024 },
  { prefix: "/v1/", bytes: 1024 * 1024 },
  { prefix: "/", bytes: 256 * 1024 },
];

const limiters = BODY_LIMITS.map(({ prefix, bytes }) => ({
  prefix,
  bytes,
  handler: bodyLimit({
    maxSize: bytes,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `Request body too large: the limit of this route is ${bytes} bytes`);
    },
  }) as MiddlewareHandler<AppEnv>,
}));

/** Middleware: the body limit of the request's path. */
export function bodyLimits(): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return limiters.find((l) => c.req.path.startsWith(l.prefix))!.handler(c, next);
  };
}
