/**
 * The one JSON error shape of the API: `{ "error": { "code", "message", "details"? } }`.
 * Internal errors are logged with their stack and answered with a generic message.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import OpenAI from "openai";
import { z } from "zod";

/** Machine-readable error codes used by the API. */
export type ErrorCode =
  | "invalid_request"
  | "malformed_json"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "not_found"
  | "payload_too_large"
  | "rate_limited"
  | "quota_exceeded"
  | "auth_not_configured"
  | "unsupported_media_type"
  | "unprocessable_document"
  | "upstream_error"
  | "session_interrupted"
  | "internal_error";

/** An error with an HTTP status that is safe to show to the client. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Builds the error body. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** 422 from a zod error, with each issue's path and message as details. */
export function validationError(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  what = "request body",
): ApiError {
  const details = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return new ApiError(422, "invalid_request", `Invalid ${what}`, details);
}

/** Hono `onError` handler: maps every thrown value to the JSON error shape. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    const retryAfter = (err as ApiError & { retryAfterS?: number }).retryAfterS;
    if (retryAfter !== undefined) c.header("retry-after", String(retryAfter));
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  if (err instanceof z.ZodError) {
    const e = validationError(err);
    return c.json(errorBody(e.code, e.message, e.details), 422);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 400 && /json/i.test(err.message)) return c.json(errorBody("malformed_json", "Malformed JSON in request body"), 400);
    if (status === 413) return c.json(errorBody("payload_too_large", "Request body too large"), 413);
    return c.json(errorBody(status >= 500 ? "internal_error" : "invalid_request", err.message || "Request failed"), status);
  }
  console.error(JSON.stringify({ level: "error", message: err.message, stack: err.stack }));
  if (err instanceof OpenAI.APIError) return c.json(errorBody("upstream_error", "A model provider failed to answer"), 502);
  return c.json(errorBody("internal_error", "Internal server error"), 500);
}
