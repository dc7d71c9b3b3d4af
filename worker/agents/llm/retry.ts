/**
 * A small retry helper shared by the LLM client (./structured.ts) and the web search client
 * (../web/tavily.ts). It only orchestrates: a caller's attempt function throws a
 * {@link TransientError} for failures worth retrying (HTTP 429, timeouts, 5xx, network errors);
 * anything else is rethrown at once. Waiting goes through an injectable `sleep`, so tests can
 * record the delays instead of really waiting.
 */

/** Why a transient failure happened. */
export type TransientReason = "rate_limit" | "timeout" | "server" | "network";

/** Default cap of a single wait between attempts, in ms. */
export const DEFAULT_MAX_DELAY_MS = 30_000;
/** Default first backoff delay, in ms (doubles per retry). */
export const DEFAULT_BASE_DELAY_MS = 500;

/**
 * A failure that may succeed when tried again. Thrown by attempt functions given to
 * {@link withRetry}; internal to the clients, which map it to their own typed errors once the
 * attempts run out. The message is generic (never an upstream body, header or key).
 */
export class TransientError extends Error {
  override readonly name = "TransientError";
  /** What went wrong. */
  readonly reason: TransientReason;
  /** HTTP status, when the failure was an HTTP response (429, 408, 5xx). */
  readonly status?: number;
  /** Delay asked for by the server (`retry-after-ms` / `retry-after`), in ms. */
  readonly retryAfterMs?: number;

  constructor(reason: TransientReason, details: { status?: number; retryAfterMs?: number } = {}) {
    super(describeTransient(reason, details.status));
    this.reason = reason;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A short, safe description of a transient failure. */
export function describeTransient(reason: TransientReason, status?: number): string {
  const code = status === undefined ? "" : ` (HTTP ${status})`;
  switch (reason) {
    case "rate_limit":
      return `rate limited${code}`;
    case "timeout":
      return `timed out${code}`;
    case "server":
      return `server error${code}`;
    case "network":
      return "network error";
  }
}

/** Settings of {@link withRetry}. */
export interface RetryOptions {
  /** Attempts in total, including the first (default 3, at least 1). */
  maxAttempts?: number;
  /** First exponential backoff delay in ms (default 500); doubles per retry. */
  baseDelayMs?: number;
  /** Cap of any single wait in ms, including a server's `retry-after` (default 30000). */
  maxDelayMs?: number;
  /** Waits `ms` milliseconds (default: a `setTimeout` promise). Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/** What {@link withRetry} resolves to. */
export interface RetryOutcome<T> {
  /** The attempt function's result. */
  value: T;
  /** Attempts made, including the successful one (1 = no retry). */
  attempts: number;
}

/** Resolves after `ms` milliseconds (0 or less resolves on the next tick). */
export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * The wait before attempt `attempt + 1` after `failure` ended attempt `attempt` (1-based), in ms.
 * A server's `retry-after` is honoured as given; otherwise the delay is exponential
 * (`baseDelayMs · 2^(attempt-1)`) with jitter between 50 % and 100 %. Always capped at
 * `maxDelayMs`.
 */
export function retryDelayMs(attempt: number, failure: TransientError, options: RetryOptions = {}): number {
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (failure.retryAfterMs !== undefined) return Math.min(cap, Math.max(0, failure.retryAfterMs));
  const base = (options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS) * 2 ** Math.max(0, attempt - 1);
  const jitter = 0.5 + (options.random ?? Math.random)() / 2;
  return Math.min(cap, Math.round(base * jitter));
}

/**
 * Runs `fn(attempt)` (attempt is 1-based) until it resolves, retrying while it throws a
 * {@link TransientError} and fewer than `maxAttempts` attempts were made, waiting
 * {@link retryDelayMs} between attempts.
 *
 * @throws the last {@link TransientError} when the attempts run out, or any other error `fn`
 *   throws, unchanged and at once.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<RetryOutcome<T>> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= maxAttempts) throw error;
      await sleep(retryDelayMs(attempt, error, options));
    }
  }
}

/** Anything with headers: a `Headers` object or a plain record (names case-insensitive). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined | null> | undefined | null;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : (value ?? undefined);
  }
  return undefined;
}

/**
 * The delay a server asked for, in ms: `retry-after-ms` (milliseconds) first, else `retry-after`
 * as seconds (decimals allowed) or as an HTTP date (relative to `now`, ms since the epoch).
 * Returns `undefined` when neither header is present or parseable; never negative.
 */
export function parseRetryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms));
  const value = header(headers, "retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Classifies an HTTP error status: 429 → `rate_limit` (with the server's retry-after), 408 →
 * `timeout`, 5xx → `server`. Returns `undefined` for statuses that must not be retried (other 4xx).
 */
export function transientFromStatus(status: number, headers?: HeaderSource): TransientError | undefined {
  if (status === 429) return new TransientError("rate_limit", { status, retryAfterMs: parseRetryAfterMs(headers) });
  if (status === 408) return new TransientError("timeout", { status });
  if (status >= 500) return new TransientError("server", { status });
  return undefined;
}
