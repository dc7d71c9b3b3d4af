/**
 * The `replays` dataset of evaluation runs (docs/evaluation-runs.md): the questions of answers
 * that got a thumbs-down (`POST /api/feedback`, migrations/0005), asked again through the chat
 * path. The ratings are read from D1 when a run starts; each rated answer's question and text
 * come from its session (the ChatSession Durable Object), and the selected questions are stored
 * with the run (`evaluation_replay_cases`), so every batch reads the same set.
 */
import type { Database } from "../db/client";
import type { FeedbackRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { NOT_COVERED_MESSAGE } from "../rag/generation/types";
import { sessionStub } from "../routes/chat";
import type { FeedbackReason } from "../schemas";
import type { ChatMessage } from "../services/messages";
import type { NewReplayCase } from "../storage/evaluation-runs";
import { thumbsDownFeedback } from "../storage/feedback";

/** Most thumbs-down answers one replays run asks again (the newest ones). */
export const MAX_REPLAY_CASES = 500;
/** Characters kept of the rated answer (as of a run's own responses). */
export const PREVIOUS_RESPONSE_CHARS = 500;
/** Longest question replayed, in characters (the chat's query limit). */
const MAX_QUESTION_CHARS = 4000;
/** Sessions read at once. */
const SESSION_READS = 20;

/** Which thumbs-down answers a replays run asks again. */
export interface ReplaySelection {
  /** Only ratings given at or after this time, epoch ms. */
  since?: number;
  /** Only ratings with at least one of these reasons. */
  reasons?: readonly FeedbackReason[];
  /** Only these ratings (feedback ids). */
  case_ids?: readonly string[];
  /** At most this many (the newest), 1..{@link MAX_REPLAY_CASES}. */
  limit?: number;
}

/** Outcome of a chat turn as the evaluation names it. */
export type TurnOutcome = "answer" | "refusal" | "clarification";

/**
 * The replayed question of one rated answer in its session's messages: the nearest user
 * `question` before it (its resolved query when it had one, so a follow-up keeps its topic without
 * the history), with the answer's first {@link PREVIOUS_RESPONSE_CHARS} characters and outcome.
 * Null when the message is not in the session any more (deleted or trimmed) or no question
 * precedes it. Pure.
 */
export function replayCaseOf(f: FeedbackRow, messages: readonly ChatMessage[]): NewReplayCase | null {
  const at = messages.findIndex((m) => m.id === f.messageId && m.role === "assistant");
  if (at < 0) return null;
  const question = messages.slice(0, at).reverse().find((m) => m.role === "user" && m.kind === "question");
  const text = (question?.resolved_query ?? question?.content ?? "").trim().slice(0, MAX_QUESTION_CHARS);
  if (!text) return null;
  const answer = messages[at]!;
  const previousOutcome: TurnOutcome | null = answer.kind === "clarification"
    ? "clarification"
    : answer.meta ? (answer.meta.has_sufficient_info ? "answer" : "refusal") : answer.content === NOT_COVERED_MESSAGE ? "refusal" : null;
  return {
    caseId: f.id, sessionId: f.sessionId, messageId: f.messageId, question: text, previousResponse: answer.content.slice(0, PREVIOUS_RESPONSE_CHARS),
    previousOutcome, reasons: f.reasons, comment: f.comment, ratedAt: f.createdAt,
  };
}

/**
 * Whether a replayed question now gets a different answer than the thumbs-down one: a different
 * outcome (when the earlier one is known), or a different text over the first
 * {@link PREVIOUS_RESPONSE_CHARS} characters with whitespace folded. Pure.
 */
export function replayChanged(previous: { outcome: TurnOutcome | null; response: string }, now: { outcome: TurnOutcome; response: string }): boolean {
  if (previous.outcome !== null && previous.outcome !== now.outcome) return true;
  const fold = (t: string) => t.slice(0, PREVIOUS_RESPONSE_CHARS).replace(/\s+/g, " ").trim();
  return fold(previous.response) !== fold(now.response);
}

/**
 * The thumbs-down answers a replays run asks again, newest first: the ratings of D1 that match
 * the selection, each with its question read from its session. Ratings whose message is gone
 * from its session are left out (counted in `skipped`).
 *
 * @throws ApiError 422 when `case_ids` names a rating that is not a thumbs-down matching the
 *   filter, or when nothing is left to replay (the message says why).
 */
export async function selectReplayCases(env: Env, db: Database, selection: ReplaySelection): Promise<{ cases: NewReplayCase[]; skipped: number }> {
  const rows = await thumbsDownFeedback(db, {
    since: selection.since, reasons: selection.reasons, ids: selection.case_ids, limit: selection.case_ids ? selection.case_ids.length : MAX_REPLAY_CASES,
  });
  if (selection.case_ids) {
    const found = new Set(rows.map((r) => r.id));
    const unknown = selection.case_ids.filter((id) => !found.has(id));
    if (unknown.length) {
      throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "case_ids", message: `not thumbs-down feedback of the selection: ${unknown.slice(0, 10).join(", ")}` }]);
    }
  }
  const sessions = [...new Set(rows.map((r) => r.sessionId))];
  const messages = new Map<string, ChatMessage[]>();
  for (let i = 0; i < sessions.length; i += SESSION_READS) {
    await Promise.all(sessions.slice(i, i + SESSION_READS).map(async (id) => {
      messages.set(id, (await sessionStub(env, id).messages()) as ChatMessage[]);
    }));
  }
  const cases = rows.map((r) => replayCaseOf(r, messages.get(r.sessionId) ?? [])).filter((c): c is NewReplayCase => c !== null);
  const limited = cases.slice(0, Math.min(MAX_REPLAY_CASES, selection.limit ?? MAX_REPLAY_CASES));
  if (limited.length === 0) {
    const filter = [selection.since !== undefined ? `since ${new Date(selection.since).toISOString()}` : "", selection.reasons?.length ? `with reason ${selection.reasons.join(" or ")}` : ""].filter(Boolean).join(", ");
    const why = rows.length ? `the ${rows.length} thumbs-down answer(s)${filter ? ` ${filter}` : ""} are no longer in their sessions` : `no answer got a thumbs-down${filter ? ` ${filter}` : ""}`;
    throw new ApiError(422, "invalid_request", `Nothing to replay: ${why}. Rate answers with POST /api/feedback (rating "down") first.`);
  }
  return { cases: limited, skipped: rows.length - cases.length };
}
