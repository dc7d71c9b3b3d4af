/** D1 storage of feedback on assistant messages (`feedback` table, migrations/0005_feedback.sql). */
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { feedback, type FeedbackRow } from "../db/schema";
import type { FeedbackReason, FeedbackRequest } from "../schemas";

/** Public view of a feedback row; `created_at` is ISO 8601. */
export interface FeedbackView {
  id: string;
  session_id: string;
  message_id: string;
  rating: "up" | "down";
  reasons: FeedbackRow["reasons"];
  comment: string | null;
  created_at: string;
}

function view(r: FeedbackRow): FeedbackView {
  return {
    id: r.id, session_id: r.sessionId, message_id: r.messageId, rating: r.rating, reasons: r.reasons, comment: r.comment,
    created_at: new Date(r.createdAt).toISOString(),
  };
}

/**
 * Stores a rating of one message in one statement; a later rating of the same (session, message)
 * replaces the earlier one (its id is kept). Returns the stored row.
 */
export async function saveFeedback(db: Database, input: FeedbackRequest): Promise<FeedbackView> {
  const row = {
    id: crypto.randomUUID(), sessionId: input.session_id, messageId: input.message_id, rating: input.rating,
    reasons: input.reasons ?? [], comment: input.comment ?? null, createdAt: Date.now(),
  };
  const [stored] = await db
    .insert(feedback)
    .values(row)
    .onConflictDoUpdate({
      target: [feedback.sessionId, feedback.messageId],
      set: { rating: row.rating, reasons: row.reasons, comment: row.comment, createdAt: row.createdAt },
    })
    .returning();
  return view(stored!);
}

/** Feedback of one session (or of all sessions), newest first, at most `limit` rows. */
export async function listFeedback(db: Database, limit: number, sessionId?: string): Promise<FeedbackView[]> {
  const rows = await db
    .select()
    .from(feedback)
    .where(sessionId ? eq(feedback.sessionId, sessionId) : undefined)
    .orderBy(desc(feedback.createdAt), feedback.id)
    .limit(limit)
    .all();
  return rows.map(view);
}

/** Filter of {@link thumbsDownFeedback}. */
export interface ThumbsDownFilter {
  /** Only ratings given at or after this time, epoch ms. */
  since?: number;
  /** Only ratings with at least one of these reasons. */
  reasons?: readonly FeedbackReason[];
  /** Only these feedback ids. */
  ids?: readonly string[];
  /** At most this many rows (1..1000). */
  limit: number;
}

/**
 * The thumbs-down ratings (rating "down") matching the filter, newest first (ties by id). The
 * reasons are matched in SQL (`json_each`), so `limit` counts matching rows only.
 */
export async function thumbsDownFeedback(db: Database, filter: ThumbsDownFilter): Promise<FeedbackRow[]> {
  const reasons = filter.reasons?.length ? [...filter.reasons] : null;
  const select = (ids?: readonly string[]) =>
    db
      .select()
      .from(feedback)
      .where(and(
        eq(feedback.rating, "down"),
        filter.since === undefined ? undefined : gte(feedback.createdAt, filter.since),
        ids ? inArray(feedback.id, [...ids]) : undefined,
        reasons ? sql`EXISTS (SELECT 1 FROM json_each(${feedback.reasons}) WHERE json_each.value IN (${sql.join(reasons.map((r) => sql`${r}`), sql`, `)}))` : undefined,
      ))
      .orderBy(desc(feedback.createdAt), feedback.id)
      .limit(filter.limit)
      .all();
  if (!filter.ids) return select();
  // D1 binds at most 100 parameters per statement: the ids are asked 90 at a time.
  const rows: FeedbackRow[] = [];
  for (let i = 0; i < filter.ids.length; i += 90) rows.push(...(await select(filter.ids.slice(i, i + 90))));
  return rows.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, filter.limit);
}
