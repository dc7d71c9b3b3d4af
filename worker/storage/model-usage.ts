/**
 * The daily model usage counters in D1 (`model_usage`, migration 0017): read a day's counters of
 * a user and a session, and add a turn's calls and tokens with an UPSERT (one statement per
 * counter, sent as one batch, so concurrent turns never lose an increment).
 */
import { and, eq, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { modelUsage } from "../db/usage-schema";
import type { Usage, UsageScope } from "../usage/caps";

/** One counter: a scope and its key (user id or session id). */
export interface UsageSubject {
  scope: UsageScope;
  key: string;
}

/** The counters of `day` for `subjects`, by `scope:key`; a counter without a row is absent. */
export async function readUsage(db: Database, day: string, subjects: readonly UsageSubject[]): Promise<Map<string, Usage>> {
  const out = new Map<string, Usage>();
  if (subjects.length === 0) return out;
  const rows = await db
    .select({ scope: modelUsage.scope, key: modelUsage.key, calls: modelUsage.calls, tokens: modelUsage.tokens })
    .from(modelUsage)
    .where(and(eq(modelUsage.day, day), or(...subjects.map((s) => and(eq(modelUsage.scope, s.scope), eq(modelUsage.key, s.key))))));
  for (const r of rows) out.set(`${r.scope}:${r.key}`, { calls: r.calls, tokens: r.tokens });
  return out;
}

/** Adds `usage` to the counters of `day` for `subjects` (creating them at 0), at time `now`. */
export async function addUsage(db: Database, day: string, subjects: readonly UsageSubject[], usage: Usage, now: number): Promise<void> {
  if (subjects.length === 0 || (usage.calls <= 0 && usage.tokens <= 0)) return;
  const statements = subjects.map((s) =>
    db
      .insert(modelUsage)
      .values({ day, scope: s.scope, key: s.key, calls: usage.calls, tokens: usage.tokens, updatedAt: now })
      .onConflictDoUpdate({
        target: [modelUsage.day, modelUsage.scope, modelUsage.key],
        set: { calls: sql`${modelUsage.calls} + ${usage.calls}`, tokens: sql`${modelUsage.tokens} + ${usage.tokens}`, updatedAt: now },
      }),
  );
  await db.batch(statements as unknown as Parameters<Database["batch"]>[0]);
}
