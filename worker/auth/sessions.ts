/**
 * Chat sessions belong to their user (docs/access.md, "Owned sessions"): the first request of a
 * signed-in user (or their API key) that names a session id claims it; any other user then gets
 * 404 for it, as if it did not exist, over HTTP and WebSocket. Requests without a user (AUTH_MODE
 * =open, or the ADMIN_TOKEN) do not claim and are not checked.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { sessionOwners } from "../db/auth-schema";
import { ApiError } from "../http/errors";
import type { Principal } from "./principal";

/**
 * Claims the session for the principal's user, or checks that it is theirs.
 *
 * @throws ApiError 404 `not_found` when another user owns the session.
 */
export async function assertSessionAccess(env: Env, principal: Principal, sessionId: string): Promise<void> {
  if (!principal.userId) return;
  // One statement on every chat request: claims the id, or (a no-op update) returns its owner.
  const [owner] = await database(env.DB)
    .insert(sessionOwners)
    .values({ sessionId, userId: principal.userId, createdAt: Date.now() })
    .onConflictDoUpdate({ target: sessionOwners.sessionId, set: { sessionId: sql`${sessionOwners.sessionId}` } })
    .returning({ userId: sessionOwners.userId });
  if (owner?.userId !== principal.userId) throw new ApiError(404, "not_found", "Session not found");
}

/** Longest conversation title, characters. */
export const MAX_TITLE_CHARS = 80;
/** Most conversations `GET /api/chat` lists. */
export const MAX_LISTED_SESSIONS = 100;

/** A conversation title from a question or a new name: whitespace folded, at most {@link MAX_TITLE_CHARS} characters ("…" when cut). */
export function conversationTitle(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > MAX_TITLE_CHARS ? `${t.slice(0, MAX_TITLE_CHARS - 1)}…` : t;
}

/** One conversation of a user, as `GET /api/chat` lists it. */
export interface OwnedSession {
  session_id: string;
  /** Its title; null until its first turn is stored. */
  title: string | null;
  /** ISO 8601 time of its last turn (of its claim before any turn). */
  updated_at: string;
}

/** The user's conversations, most recently active first (at most {@link MAX_LISTED_SESSIONS}). */
export async function listOwnedSessions(db: Database, userId: string): Promise<OwnedSession[]> {
  const active = sql<number>`coalesce(${sessionOwners.updatedAt}, ${sessionOwners.createdAt})`;
  const rows = await db
    .select({ sessionId: sessionOwners.sessionId, title: sessionOwners.title, active })
    .from(sessionOwners)
    .where(eq(sessionOwners.userId, userId))
    .orderBy(desc(active), desc(sessionOwners.sessionId))
    .limit(MAX_LISTED_SESSIONS)
    .all();
  return rows.map((r) => ({ session_id: r.sessionId, title: r.title, updated_at: new Date(r.active).toISOString() }));
}

/**
 * Records a stored turn in the user's conversation list: the time of the turn, and the title when
 * the conversation has none yet (its first question). Does nothing for another user's session.
 */
export async function recordSessionTurn(db: Database, sessionId: string, userId: string, question: string | null, now = Date.now()): Promise<void> {
  const title = question ? conversationTitle(question) : null;
  await db
    .update(sessionOwners)
    .set({ updatedAt: now, title: sql`coalesce(${sessionOwners.title}, ${title})` })
    .where(and(eq(sessionOwners.sessionId, sessionId), eq(sessionOwners.userId, userId)))
    .run();
}

/**
 * Renames the user's conversation.
 *
 * @returns False when the user owns no session with this id.
 */
export async function renameOwnedSession(db: Database, sessionId: string, userId: string, title: string): Promise<boolean> {
  const updated = await db
    .update(sessionOwners)
    .set({ title: conversationTitle(title) })
    .where(and(eq(sessionOwners.sessionId, sessionId), eq(sessionOwners.userId, userId)))
    .returning({ id: sessionOwners.sessionId })
    .all();
  return updated.length > 0;
}

/** Removes a deleted session from its user's conversation list (its id may then be claimed again). */
export async function releaseSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessionOwners).where(eq(sessionOwners.sessionId, sessionId)).run();
}
