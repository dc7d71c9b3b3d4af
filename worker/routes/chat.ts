/**
 * `/api/chat`: cited answers and clarifications in a session (JSON, or Server-Sent Events with
 * `Accept: text/event-stream`: progress, answer tokens, then the answer), the signed-in user's
 * conversation list and renaming, the session's history, deleting a session.
 */
import { assertSessionAccess, conversationTitle, listOwnedSessions, releaseSession, renameOwnedSession } from "../auth/sessions";
import { database } from "../db/client";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ChatRefusal, ChatSession } from "../../durable-objects/chat-session";
import type { AppEnv } from "../http/context";
import { ApiError, errorBody, type ErrorCode } from "../http/errors";
import { SSE_CONTENT_TYPE, withFinalEvent } from "../http/sse";
import { validate } from "../http/validate";
import { ChatRequestSchema, RenameSessionSchema, SessionIdSchema } from "../schemas";
import { clarificationBody, type TurnInput } from "../services/chat";
import { USER_ID_HEADER } from "../services/model-quota";

/** The API error of a turn the session refused (with `retry-after` for a 429 that carries one). */
function refusalError(e: ChatRefusal): ApiError {
  const error = new ApiError(e.status as ContentfulStatusCode, e.code as ErrorCode, e.message, e.details);
  return e.retryAfterS === undefined ? error : Object.assign(error, { retryAfterS: e.retryAfterS });
}

/** True when the client asks for Server-Sent Events (`Accept: text/event-stream`). */
export function wantsEventStream(accept: string | undefined): boolean {
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept ?? "");
}

/** Stub of the session's Durable Object. */
export function sessionStub(env: Env, sessionId: string): DurableObjectStub<ChatSession> {
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace<ChatSession>;
  return ns.get(ns.idFromName(sessionId));
}

/** 503 `session_interrupted`: the session's Durable Object was reset in the middle of a call. */
export class SessionInterruptedError extends ApiError {
  readonly retryAfterS = 1;
  constructor() {
    super(503, "session_interrupted", "The session was interrupted before this turn was stored; nothing of it was kept. Please ask again.");
  }
}

/**
 * Awaits a call to a session's Durable Object. An object reset during the call (a deploy, an
 * eviction, `ctx.abort()`: the error carries `durableObjectReset`, or `retryable`) rejects with
 * {@link SessionInterruptedError}; a turn it interrupted stored nothing, since a turn is stored at
 * its end in one transaction. Other errors pass through.
 */
export async function sessionCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    const flags = e as { durableObjectReset?: boolean; retryable?: boolean } | null;
    if (flags?.durableObjectReset || flags?.retryable) {
      console.error(JSON.stringify({ level: "warn", message: "chat session reset during a call", error: String(e) }));
      throw new SessionInterruptedError();
    }
    throw e;
  }
}

/** Parses a `session_id` path parameter; 422 when malformed. */
export function sessionIdParam(raw: string): string {
  const parsed = SessionIdSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError(422, "invalid_request", "session_id must match ^[A-Za-z0-9_-]{1,128}$");
  return parsed.data;
}

export const chatRoute = new Hono<AppEnv>()
  .post("/", validate("json", ChatRequestSchema), async (c) => {
    const body = c.req.valid("json");
    const sessionId = body.session_id ?? crypto.randomUUID();
    c.set("sessionId", sessionId);
    await assertSessionAccess(c.env, c.get("principal"), sessionId);
    const input: TurnInput =
      body.selected_option !== undefined || body.custom_input !== undefined
        ? { kind: "response", selected_option: body.selected_option, custom_input: body.custom_input }
        : { kind: "question", query: body.query!, search_scope: body.search_scope };
    // The authenticated user, whose daily model caps the turn counts against (none in open mode).
    const userId = c.get("principal")?.userId ?? null;
    if (wantsEventStream(c.req.header("accept"))) {
      const stream = (await sessionCall(sessionStub(c.env, sessionId).chatStream(sessionId, input, userId))) as unknown as ReadableStream | ChatRefusal;
      if (!(stream instanceof ReadableStream)) throw refusalError(stream);
      // A reset of the session's object mid-turn ends its stream early: the client gets the 503's error as the final event.
      const interrupted = new SessionInterruptedError();
      return new Response(withFinalEvent(stream, errorBody(interrupted.code, interrupted.message)), {
        headers: { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache", "x-session-id": sessionId },
      });
    }
    const reply = await sessionCall(sessionStub(c.env, sessionId).chat(sessionId, input, userId));
    if (!reply.ok) throw refusalError(reply as unknown as ChatRefusal);
    const { result } = reply as { result: { retrievedCount: number; outcome: { body: object } } };
    c.set("retrieved", result.retrievedCount);
    return c.json(result.outcome.body);
  })
  // The signed-in user's conversations, most recent first; without a user (open mode, the admin
  // token) sessions belong to nobody and the list is empty (the web client keeps its own).
  .get("/", async (c) => {
    const userId = c.get("principal")?.userId;
    return c.json({ sessions: userId ? await listOwnedSessions(database(c.env.DB), userId) : [] });
  })
  .patch("/:session_id", validate("json", RenameSessionSchema), async (c) => {
    const sessionId = sessionIdParam(c.req.param("session_id"));
    c.set("sessionId", sessionId);
    const userId = c.get("principal")?.userId;
    const { title } = c.req.valid("json");
    if (!userId || !(await renameOwnedSession(database(c.env.DB), sessionId, userId, title))) throw new ApiError(404, "not_found", "Session not found");
    return c.json({ session_id: sessionId, title: conversationTitle(title) });
  })
  .get("/:session_id", async (c) => {
    const sessionId = sessionIdParam(c.req.param("session_id"));
    c.set("sessionId", sessionId);
    await assertSessionAccess(c.env, c.get("principal"), sessionId);
    const stub = sessionStub(c.env, sessionId);
    const messages = await sessionCall(stub.messages());
    if (messages.length === 0) throw new ApiError(404, "not_found", "Session not found");
    const pending = await sessionCall(stub.pending());
    return c.json({ session_id: sessionId, messages, pending_clarification: pending?.clarification ? clarificationBody(sessionId, pending.clarification) : null });
  })
  .delete("/:session_id", async (c) => {
    const sessionId = sessionIdParam(c.req.param("session_id"));
    c.set("sessionId", sessionId);
    await assertSessionAccess(c.env, c.get("principal"), sessionId);
    const stub = sessionStub(c.env, sessionId);
    if (!(await stub.exists())) throw new ApiError(404, "not_found", "Session not found");
    await stub.clear();
    await releaseSession(database(c.env.DB), sessionId);
    return c.json({ session_id: sessionId, deleted: true });
  });

/** `GET /ws/chat/:session_id`: the session's real-time channel (WebSocket upgrade). */
export const wsRoute = new Hono<AppEnv>().get("/chat/:session_id", async (c) => {
  const sessionId = sessionIdParam(c.req.param("session_id"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426 as ContentfulStatusCode, "invalid_request", "Expected a WebSocket upgrade");
  }
  c.set("sessionId", sessionId);
  await assertSessionAccess(c.env, c.get("principal"), sessionId);
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-session-id", sessionId);
  // Only the Worker names the user (the session's daily model caps): never a client's header.
  headers.delete(USER_ID_HEADER);
  const userId = c.get("principal")?.userId;
  if (userId) headers.set(USER_ID_HEADER, userId);
  return sessionStub(c.env, sessionId).fetch(new Request(c.req.raw.url, { headers }));
});
