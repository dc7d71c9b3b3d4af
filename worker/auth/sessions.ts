/**
 * Chat sessions belong to their user (docs/access.md, "Owned sessions"): the first request of a
 * signed-in user (or their API key) that names a session id claims it; any other user then gets
 * 404 for it, as if it did not exist, over HTTP and WebSocket. Requests without a user (AUTH_MODE
 * =open, or the ADMIN_TOKEN) do not claim and are not checked.
 */
import { eq } from "drizzle-orm";
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
  const db = database(env.DB);
  await db.insert(sessionOwners).values({ sessionId, userId: principal.userId, createdAt: Date.now() }).onConflictDoNothing().run();
  const owner = await db.select({ userId: sessionOwners.userId }).from(sessionOwners).where(eq(sessionOwners.sessionId, sessionId)).get();
  if (owner?.userId !== principal.userId) throw new ApiError(404, "not_found", "Session not found");
}
