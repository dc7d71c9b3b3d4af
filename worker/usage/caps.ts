/**
 * Daily caps on model calls and tokens (docs/access.md, "Daily model caps"): the pure part — the
 * UTC day key, the next reset, token counts from a model response's `usage` (or an estimate),
 * and which cap, if any, refuses a new turn. No bindings, no I/O: storage is
 * worker/storage/model-usage.ts, enforcement worker/services/model-quota.ts.
 */

/** Whose counter: a user's (accounts only) or a chat session's. */
export type UsageScope = "user" | "session";

/** Model calls and tokens (prompt + completion) counted in one UTC day. */
export interface Usage {
  calls: number;
  tokens: number;
}

/** The caps of one UTC day; 0 means no cap. */
export interface DailyCaps {
  callsPerUser: number;
  tokensPerUser: number;
  callsPerSession: number;
  tokensPerSession: number;
}

/** The cap that refuses a turn, with the day's count that reached it. */
export interface ExceededCap {
  scope: UsageScope;
  metric: "calls" | "tokens";
  limit: number;
  used: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day of `now` (epoch ms) as `YYYY-MM-DD`, the counters' day key. */
export function utcDayKey(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The next UTC midnight after `now` (epoch ms), when the counters of `now`'s day stop applying. */
export function nextUtcMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/** Whole seconds from `now` until the next UTC midnight, at least 1 (the `retry-after` of a refused turn). */
export function secondsUntilReset(now: number): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000));
}

/**
 * Estimated tokens of text that a model read or wrote: ceil(characters / 4), the usual rule of
 * thumb for English with OpenAI's tokenizers. Used only when a response carries no `usage`
 * (e.g. older Workers AI models, or a stream without its usage chunk); it undercounts CJK text
 * (about one token per character), so such counts are approximate.
 */
export function estimateTokens(chars: number): number {
  return chars > 0 ? Math.ceil(chars / 4) : 0;
}

/**
 * Tokens of one model response: `prompt_tokens + completion_tokens` of its OpenAI-style `usage`
 * (Workers AI text generation returns the same object in recent versions), else `total_tokens`;
 * when the response has no usable usage, {@link estimateTokens} of the prompt's and the
 * completion's characters.
 *
 * @param usage The response's `usage` field, as received (any shape).
 * @param promptChars Characters of the messages sent (for the estimate).
 * @param completionChars Characters of the text received (for the estimate).
 */
export function tokensOf(usage: unknown, promptChars: number, completionChars: number): number {
  if (usage && typeof usage === "object") {
    const u = usage as { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
    const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
    const prompt = count(u.prompt_tokens);
    const completion = count(u.completion_tokens);
    if (prompt !== null || completion !== null) return (prompt ?? 0) + (completion ?? 0);
    const total = count(u.total_tokens);
    if (total !== null) return total;
  }
  return estimateTokens(promptChars) + estimateTokens(completionChars);
}

/** Characters of chat messages (their string contents), for {@link tokensOf}'s estimate. */
export function messageChars(messages: readonly { content?: unknown }[]): number {
  return messages.reduce((n, m) => n + (typeof m.content === "string" ? m.content.length : 0), 0);
}

/**
 * The first cap that today's counters have reached, or null when a new turn may run. A cap
 * refuses once the count is at or above it (a turn is never cut short, so the turn admitted last
 * may overshoot). Caps of 0 never refuse; a null `user` (no user: AUTH_MODE=open, the admin
 * token) is not checked. The user's caps are checked before the session's.
 */
export function exceededCap(caps: DailyCaps, used: { user: Usage | null; session: Usage | null }): ExceededCap | null {
  const checks: [UsageScope, "calls" | "tokens", number, number | undefined][] = [
    ["user", "calls", caps.callsPerUser, used.user?.calls],
    ["user", "tokens", caps.tokensPerUser, used.user?.tokens],
    ["session", "calls", caps.callsPerSession, used.session?.calls],
    ["session", "tokens", caps.tokensPerSession, used.session?.tokens],
  ];
  for (const [scope, metric, limit, count] of checks) {
    if (limit > 0 && count !== undefined && count >= limit) return { scope, metric, limit, used: count };
  }
  return null;
}

/** The message of a refused turn: which cap, and when it resets. */
export function exceededMessage(cap: ExceededCap, now: number): string {
  const what = cap.metric === "calls" ? "model calls" : "model tokens";
  const whose = cap.scope === "user" ? "per user" : "per session";
  return `Daily cap of ${cap.limit} ${what} ${whose} reached (${cap.used} used today); it resets at ${new Date(nextUtcMidnight(now)).toISOString()} (next UTC midnight)`;
}
