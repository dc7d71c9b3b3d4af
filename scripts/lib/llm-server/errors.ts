/**
 * Errors of the local OpenAI-compatible server in OpenAI's error shape:
 * `{ "error": { "message", "type", "param", "code" } }` with the matching HTTP status.
 * Plain TypeScript run by Node's type stripping.
 */
import type { z } from "zod";

/** OpenAI's error `type` values used here. */
export type ApiErrorType = "invalid_request_error" | "not_found_error" | "server_error";

/** The JSON body of an error response, as OpenAI sends it. */
export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

/** An error to answer with `status` and {@link ApiError.body}; thrown by the request handlers and the engine. */
export class ApiError extends Error {
  /** HTTP status of the response. */
  readonly status: number;
  /** OpenAI error type. */
  readonly type: ApiErrorType;
  /** Request field at fault (dotted path), when one is. */
  readonly param: string | null;
  /** Machine-readable code (e.g. `model_not_found`, `context_length_exceeded`), when there is one. */
  readonly code: string | null;

  constructor(status: number, message: string, options: { type?: ApiErrorType; param?: string | null; code?: string | null } = {}) {
    super(message);
    this.status = status;
    this.type = options.type ?? (status >= 500 ? "server_error" : "invalid_request_error");
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }

  /** The response body in OpenAI's error shape. */
  get body(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * A 400 from a failed zod validation: the first issue's path and message (at most three issues
 * are named in the message).
 */
export function validationError(error: z.ZodError): ApiError {
  const issues = error.issues.slice(0, 3).map((i) => {
    const path = i.path.map(String).join(".");
    return path ? `${path}: ${i.message}` : i.message;
  });
  const first = error.issues[0];
  const param = first && first.path.length > 0 ? first.path.map(String).join(".") : null;
  return new ApiError(400, `Invalid request body: ${issues.join("; ")}`, { param, code: "invalid_request_body" });
}

/** Any thrown value as an {@link ApiError}: itself, or a 500 whose message is the error's (no stack). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(500, `The local model failed: ${message}`, { type: "server_error" });
}
