/**
 * Rate limits through Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml; it
 * runs locally in `wrangler dev`): a limiter allows `limit` calls per key within its period (10 or
 * 60 s). Over the limit: 429 `rate_limited` with `retry-after` (the period, seconds).
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";

/** The limiters of wrangler.toml, with their period (s) for `retry-after`. */
export const LIMITERS = { AUTH_RATE_LIMITER: 60, CHAT_RATE_LIMITER: 60, INGEST_RATE_LIMITER: 60 } as const;
export type LimiterName = keyof typeof LIMITERS;

/** Thrown for a request over a limit; the error handler adds `retry-after`. */
export class RateLimitedError extends ApiError {
  constructor(readonly retryAfterS: number) {
    super(429, "rate_limited", `Too many requests; try again in ${retryAfterS} s`);
  }
}

/**
 * Counts one call of `key` against the limiter; throws {@link RateLimitedError} over the limit.
 * A limiter that is not bound (a deployment without it) does not limit.
 */
export async function limitOrThrow(env: Env, name: LimiterName, key: string): Promise<void> {
  const limiter = (env as unknown as Record<string, RateLimit | undefined>)[name];
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw new RateLimitedError(LIMITERS[name]);
}

/** The client's address for rate limits (Cloudflare's header; "local" in `wrangler dev` without it). */
export function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "local";
}
