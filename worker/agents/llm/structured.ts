/**
 * Structured (JSON) completions from an OpenAI-compatible chat endpoint through the `openai`
 * package, validated with zod, with this module's own retry policy (the SDK's retries are off):
 *
 * - HTTP 429 → wait as the server says (`retry-after-ms`, `retry-after` in seconds or as an HTTP
 *   date), else exponential backoff; every wait capped at 30 s.
 * - Timeouts, HTTP 408, 5xx, network errors → exponential backoff.
 *   Both share `maxAttempts` attempts in total per prompt; then {@link LlmUnavailableError}.
 * - Output that is not JSON or fails the schema → exactly one more prompt (`simplerUser`, or the
 *   same prompt plus "Answer with JSON only."); if that fails too, {@link LlmOutputError}.
 * - Any other 4xx → {@link LlmRequestError} at once.
 *
 * Every error thrown is an {@link LlmError} whose message is safe to log or return: no stack, no
 * upstream body, no key.
 */
import OpenAI from "openai";
import type { z } from "zod";
import { messageChars, tokensOf } from "../../usage/caps";
import { DEFAULT_MAX_DELAY_MS, TransientError, transientFromStatus, withRetry, type TransientReason } from "./retry";

/** Settings of {@link createStructuredClient}. */
export interface StructuredClientOptions {
  /** API key of the endpoint (sent as a bearer token; never appears in errors). */
  apiKey: string;
  /** Base URL of the OpenAI-compatible API, e.g. `https://api.openai.com/v1`. */
  baseURL: string;
  /** Chat model name. */
  model: string;
  /** Timeout of one HTTP attempt in ms, response body included (default 20000). */
  timeoutMs?: number;
  /** HTTP attempts in total per prompt for 429 / timeout / 5xx / network failures (default 3). */
  maxAttempts?: number;
  /** Waits `ms` milliseconds between attempts (default: real timer). Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Input of {@link StructuredClient.complete}. */
export interface StructuredParams<T> {
  /** System message. If it does not mention JSON, a line asking for a JSON object is appended (JSON mode requires it). */
  system: string;
  /** User message. */
  user: string;
  /** Schema the parsed JSON output must satisfy; its output type is the result's `value`. */
  schema: z.ZodType<T>;
  /** User message of the single retry after unusable output (default: `user` + "Answer with JSON only."). */
  simplerUser?: string;
  /** Completion token limit, sent as `max_tokens` when set. */
  maxTokens?: number;
}

/** Result of {@link StructuredClient.complete}. */
export interface StructuredResult<T> {
  /** The validated model output. */
  value: T;
  /** Prompts sent: 1, or 2 when the first output was unusable and the simpler prompt was used. */
  attempts: number;
  /** HTTP requests made to the endpoint, transport retries included (at most 2 × maxAttempts). */
  llmCalls: number;
  /**
   * Tokens (prompt + completion) of the responses received, from each response's `usage`; a
   * response without one counts ceil(characters / 4) of its messages and text (worker/usage/caps.ts).
   */
  tokens: number;
}

/** A client for JSON-mode completions validated by a zod schema. */
export interface StructuredClient {
  /** `openai:<model>`. */
  readonly name: string;
  /**
   * Asks for a JSON object and validates it against `params.schema`.
   *
   * @throws {LlmRequestError} the endpoint rejected the request (4xx other than 408 / 429), or
   *   it answered with an unexpected error.
   * @throws {LlmUnavailableError} 429 / timeout / 5xx / network failures outlasted `maxAttempts`.
   * @throws {LlmOutputError} both the prompt and its single retry gave non-JSON or invalid output.
   */
  complete<T>(params: StructuredParams<T>): Promise<StructuredResult<T>>;
}

/** Kind of an {@link LlmError}. */
export type LlmErrorKind = "request" | "unavailable" | "output";

/**
 * Base class of the errors thrown by {@link StructuredClient.complete}. The message is safe to
 * show (no stack, upstream body or key); `toJSON()` gives only the safe fields.
 */
export abstract class LlmError extends Error {
  /** What failed. */
  abstract readonly kind: LlmErrorKind;
  /** HTTP requests made before the failure. */
  readonly llmCalls: number;
  /** Tokens of the responses received before the failure (as {@link StructuredResult.tokens}). */
  readonly tokens: number;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;

  protected constructor(message: string, details: { llmCalls: number; status?: number; tokens?: number }) {
    super(message);
    this.llmCalls = details.llmCalls;
    this.tokens = details.tokens ?? 0;
    this.status = details.status;
  }

  /** Safe, serialisable view: `{ name, kind, message, status?, llmCalls }`. */
  toJSON() {
    return { name: this.name, kind: this.kind, message: this.message, status: this.status, llmCalls: this.llmCalls };
  }
}

/** The endpoint rejected the request (a 4xx other than 408 / 429), or failed unexpectedly. Not retried. */
export class LlmRequestError extends LlmError {
  override readonly name = "LlmRequestError";
  readonly kind = "request" as const;
  constructor(message: string, details: { llmCalls: number; status?: number; tokens?: number }) {
    super(message, details);
  }
}

/** 429 / timeout / 5xx / network failures lasted through every attempt. */
export class LlmUnavailableError extends LlmError {
  override readonly name = "LlmUnavailableError";
  readonly kind = "unavailable" as const;
  /** The last failure's cause. */
  readonly reason: TransientReason;
  constructor(message: string, details: { llmCalls: number; status?: number; tokens?: number; reason: TransientReason }) {
    super(message, details);
    this.reason = details.reason;
  }
}

/** The model's output was not JSON, or did not match the schema, on both prompts. */
export class LlmOutputError extends LlmError {
  override readonly name = "LlmOutputError";
  readonly kind = "output" as const;
  /** `invalid_json` (unparseable, empty or missing) or `schema` (zod validation failed). */
  readonly problem: "invalid_json" | "schema";
  /** Where validation failed (`path: message`, from zod; no output values), at most 5. */
  readonly issues: string[];
  constructor(message: string, details: { llmCalls: number; tokens?: number; problem: "invalid_json" | "schema"; issues?: string[] }) {
    super(message, { llmCalls: details.llmCalls, tokens: details.tokens });
    this.problem = details.problem;
    this.issues = details.issues ?? [];
  }
}

/** Unusable model output of one prompt (internal). */
class UnusableOutput {
  constructor(readonly problem: "invalid_json" | "schema", readonly issues: string[] = []) {}
}

/** Parses model text as JSON, tolerating surrounding whitespace and a ```json fence. */
function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  let trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  if (fenced) trimmed = fenced[1];
  if (!trimmed) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

/** Maps an error of the `openai` package to a TransientError (retry) or an LlmRequestError-to-be. */
function classify(error: unknown): TransientError | { status?: number; message: string } {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new TransientError("timeout");
  if (error instanceof OpenAI.APIUserAbortError) return { message: "LLM request was aborted" };
  if (error instanceof OpenAI.APIConnectionError) return new TransientError("network");
  if (error instanceof OpenAI.APIError && typeof error.status === "number") {
    return transientFromStatus(error.status, error.headers) ?? { status: error.status, message: `LLM request rejected (HTTP ${error.status})` };
  }
  return { message: "LLM request failed unexpectedly" };
}

/**
 * Creates a JSON-mode chat client for an OpenAI-compatible endpoint (`POST {baseURL}/chat/completions`
 * with `response_format: { type: "json_object" }` and temperature 0).
 *
 * @throws {LlmRequestError} when `apiKey`, `baseURL` or `model` is empty (no request is made).
 */
export function createStructuredClient(options: StructuredClientOptions): StructuredClient {
  if (!options.apiKey || !options.baseURL || !options.model) {
    throw new LlmRequestError("LLM client needs an API key, a base URL and a model", { llmCalls: 0 });
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const retry = { maxAttempts: options.maxAttempts ?? 3, maxDelayMs: DEFAULT_MAX_DELAY_MS, sleep: options.sleep };
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: timeoutMs, maxRetries: 0 });
  const model = options.model;

  return {
    name: `openai:${model}`,

    async complete<T>(params: StructuredParams<T>): Promise<StructuredResult<T>> {
      let llmCalls = 0;
      let tokens = 0;
      const system = /json/i.test(params.system)
        ? params.system
        : `${params.system}\n\nRespond with a single JSON object.`;

      /** One prompt, with transport retries; resolves to the value or an UnusableOutput. */
      const ask = async (user: string): Promise<T | UnusableOutput> => {
        const { value: text } = await withRetry(async () => {
          llmCalls++;
          try {
            const messages = [
              { role: "system" as const, content: system },
              { role: "user" as const, content: user },
            ];
            const res = await client.chat.completions.create({
              model,
              temperature: 0,
              response_format: { type: "json_object" },
              messages,
              ...(params.maxTokens ? { max_tokens: params.maxTokens } : {}),
            });
            const content = res.choices?.[0]?.message?.content ?? "";
            tokens += tokensOf(res.usage, messageChars(messages), content.length);
            return content;
          } catch (error) {
            const c = classify(error);
            if (c instanceof TransientError) throw c;
            throw new LlmRequestError(c.message, { llmCalls, tokens, status: c.status });
          }
        }, retry);
        const parsed = parseJsonText(text);
        if (!parsed.ok) return new UnusableOutput("invalid_json");
        const checked = params.schema.safeParse(parsed.value);
        if (checked.success) return checked.data;
        const issues = checked.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
        return new UnusableOutput("schema", issues);
      };

      try {
        const first = await ask(params.user);
        if (!(first instanceof UnusableOutput)) return { value: first, attempts: 1, llmCalls, tokens };
        const second = await ask(params.simplerUser ?? `${params.user}\n\nAnswer with JSON only.`);
        if (!(second instanceof UnusableOutput)) return { value: second, attempts: 2, llmCalls, tokens };
        const message = second.problem === "schema"
          ? `LLM output did not match the expected schema after ${llmCalls} calls`
          : `LLM output was not valid JSON after ${llmCalls} calls`;
        throw new LlmOutputError(message, { llmCalls, tokens, problem: second.problem, issues: second.issues });
      } catch (error) {
        if (error instanceof LlmError) throw error;
        if (error instanceof TransientError) {
          throw new LlmUnavailableError(`LLM endpoint ${error.message} after ${llmCalls} attempts`, {
            llmCalls,
            tokens,
            status: error.status,
            reason: error.reason,
          });
        }
        throw new LlmRequestError("LLM request failed unexpectedly", { llmCalls, tokens });
      }
    },
  };
}
