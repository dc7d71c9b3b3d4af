/** D1 storage of feedback on assistant messages (`feedback` table, migrations/0005_feedback.sql). */
import { desc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { feedback, type FeedbackRow } from "../db/schema";
import type { FeedbackRequest } from "../schemas";

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
