/**
 * Enforcement of the daily caps on model calls and tokens (docs/access.md, "Daily model caps"):
 * {@link assertWithinDailyCaps} before a chat turn, {@link recordModelUsage} after it. Both do
 * nothing when GENERATION_PROVIDER and EMBEDDING_PROVIDER are offline (no model calls: nothing
 * counted, no cap applies).
 * The caps are the DAILY_MODEL_* vars (worker/config.ts); the decision is worker/usage/caps.ts,
 * the counters worker/storage/model-usage.ts.
 */
import { readConfig, type AppConfig } from "../config";
import { database } from "../db/client";
import { ApiError } from "../http/errors";
import { addUsage, readUsage, type UsageSubject } from "../storage/model-usage";
import { exceededCap, exceededMessage, nextUtcMidnight, secondsUntilReset, utcDayKey, type DailyCaps, type ExceededCap, type Usage } from "../usage/caps";

/** Who a turn's model usage counts against: its user (null without one) and its session (null: not counted per session). */
export interface UsageOwner {
  userId: string | null;
  sessionId: string | null;
}

/** 429 `quota_exceeded`: a daily cap is reached; `retryAfterS` is the time until the next UTC midnight. */
export class QuotaExceededError extends ApiError {
  constructor(readonly cap: ExceededCap, readonly retryAfterS: number, now: number) {
    super(429, "quota_exceeded", exceededMessage(cap, now), {
      scope: cap.scope, metric: cap.metric, limit: cap.limit, used: cap.used,
      resets_at: new Date(nextUtcMidnight(now)).toISOString(), retry_after_s: retryAfterS,
    });
    this.name = "QuotaExceededError";
  }
}

/** The caps of the configuration. */
export function dailyCaps(config: AppConfig): DailyCaps {
  return {
    callsPerUser: config.DAILY_MODEL_CALLS_PER_USER, tokensPerUser: config.DAILY_MODEL_TOKENS_PER_USER,
    callsPerSession: config.DAILY_MODEL_CALLS_PER_SESSION, tokensPerSession: config.DAILY_MODEL_TOKENS_PER_SESSION,
  };
}

/**
 * True when the chat model or the embedding model is a model provider (openai, workers-ai): only
 * then are calls counted and capped.
 */
export function countsModelUsage(config: AppConfig): boolean {
  return config.GENERATION_PROVIDER !== "offline" || config.EMBEDDING_PROVIDER !== "offline";
}

function subjectsOf(owner: UsageOwner): UsageSubject[] {
  return [
    ...(owner.userId ? [{ scope: "user" as const, key: owner.userId }] : []),
    ...(owner.sessionId ? [{ scope: "session" as const, key: owner.sessionId }] : []),
  ];
}

/**
 * Refuses a turn when today's counters of its user or session have reached a cap.
 *
 * @param env The environment the turn runs under (the deployed config version's).
 * @throws {QuotaExceededError} over a cap. When D1 cannot be read, logs an error and lets the turn
 *   run (like the config store: a chat does not fail because of the counters).
 */
export async function assertWithinDailyCaps(env: Env, owner: UsageOwner, now = Date.now()): Promise<void> {
  const config = readConfig(env);
  if (!countsModelUsage(config)) return;
  const subjects = subjectsOf(owner);
  if (subjects.length === 0) return;
  let counters: Map<string, Usage>;
  try {
    counters = await readUsage(database(env.DB), utcDayKey(now), subjects);
  } catch (e) {
    console.error(JSON.stringify({ level: "error", message: "daily model usage unavailable, cap not checked", error: e instanceof Error ? e.message : String(e) }));
    return;
  }
  const zero: Usage = { calls: 0, tokens: 0 };
  const cap = exceededCap(dailyCaps(config), {
    user: owner.userId ? (counters.get(`user:${owner.userId}`) ?? zero) : null,
    session: owner.sessionId ? (counters.get(`session:${owner.sessionId}`) ?? zero) : null,
  });
  if (cap) {
    console.log(JSON.stringify({ level: "info", event: "quota_exceeded", scope: cap.scope, metric: cap.metric, limit: cap.limit, used: cap.used, session_id: owner.sessionId }));
    throw new QuotaExceededError(cap, secondsUntilReset(now), now);
  }
}

/**
 * Adds a turn's model calls and tokens to today's counters of its user and session. Nothing is
 * counted for an offline provider or a turn without model calls. Never throws: a failed write is
 * logged (the turn already ran and was stored).
 */
export async function recordModelUsage(env: Env, owner: UsageOwner, usage: Usage, now = Date.now()): Promise<void> {
  const subjects = subjectsOf(owner);
  if ((usage.calls <= 0 && usage.tokens <= 0) || subjects.length === 0) return;
  try {
    if (!countsModelUsage(readConfig(env))) return;
    await addUsage(database(env.DB), utcDayKey(now), subjects, usage, now);
  } catch (e) {
    console.error(JSON.stringify({ level: "error", message: "could not record daily model usage", error: e instanceof Error ? e.message : String(e), ...usage }));
  }
}

/**
 * Header on the Worker's WebSocket upgrade request to the ChatSession Durable Object that names
 * the authenticated user. The Worker deletes any incoming copy before setting it, so a client
 * cannot pick whose caps its turns count against.
 */
export const USER_ID_HEADER = "x-edge-rag-user-id";
