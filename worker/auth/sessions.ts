/**
 * Chat sessions belong to their user (docs/access.md, "Owned sessions"): the first request of a
 * signed-in user (or their API key) that names a session id claims it; any other user then gets
 * 404 for it, as if it did not exist, over HTTP and WebSocket. Requests without a user (AUTH_MODE
 * =open, or the ADMIN_TOKEN) do not claim and are not checked.
 */
import { sql } from "drizzle-orm";
import { database } from "../db/client";
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
