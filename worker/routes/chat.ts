/**
 * `/api/chat`: cited answers and clarifications in a session (JSON, or Server-Sent Events with
 * `Accept: text/event-stream`: progress, answer tokens, then the answer), the session's history,
 * deleting a session.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ChatSession } from "../../durable-objects/chat-session";
import type { AppEnv } from "../http/context";
import { ApiError, type ErrorCode } from "../http/errors";
import { SSE_CONTENT_TYPE } from "../http/sse";
import { validate } from "../http/validate";
import { ChatRequestSchema, SessionIdSchema } from "../schemas";
import { clarificationBody, type TurnInput } from "../services/chat";

/** True when the client asks for Server-Sent Events (`Accept: text/event-stream`). */
export function wantsEventStream(accept: string | undefined): boolean {
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept ?? "");
}

/** Stub of the session's Durable Object. */
export function sessionStub(env: Env, sessionId: string): DurableObjectStub<ChatSession> {
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace<ChatSession>;
  return ns.get(ns.idFromName(sessionId));
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
    const input: TurnInput =
      body.selected_option !== undefined || body.custom_input !== undefined
        ? { kind: "response", selected_option: body.selected_option, custom_input: body.custom_input }
        : { kind: "question", query: body.query!, search_scope: body.search_scope };
    if (wantsEventStream(c.req.header("accept"))) {
      const stream = await sessionStub(c.env, sessionId).chatStream(sessionId, input);
      return new Response(stream as unknown as ReadableStream, {
        headers: { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache", "x-session-id": sessionId },
      });
    }
    const reply = await sessionStub(c.env, sessionId).chat(sessionId, input);
    if (!reply.ok) {
      const e = reply as unknown as { status: number; code: string; message: string; details?: unknown };
      throw new ApiError(e.status as ContentfulStatusCode, e.code as ErrorCode, e.message, e.details);
    }
    const { result } = reply as { result: { retrievedCount: number; outcome: { body: object } } };
    c.set("retrieved", result.retrievedCount);
    return c.json(result.outcome.body);
  })
  .get("/:session_id", async (c) => {
    const sessionId = sessionIdParam(c.req.param("session_id"));
    c.set("sessionId", sessionId);
    const stub = sessionStub(c.env, sessionId);
    const messages = await stub.messages();
    if (messages.length === 0) throw new ApiError(404, "not_found", "Session not found");
    const pending = await stub.pending();
    return c.json({ session_id: sessionId, messages, pending_clarification: pending?.clarification ? clarificationBody(sessionId, pending.clarification) : null });
  })
  .delete("/:session_id", async (c) => {
    const sessionId = sessionIdParam(c.req.param("session_id"));
    c.set("sessionId", sessionId);
    const stub = sessionStub(c.env, sessionId);
    if (!(await stub.exists())) throw new ApiError(404, "not_found", "Session not found");
    await stub.clear();
    return c.json({ session_id: sessionId, deleted: true });
  });

/** `GET /ws/chat/:session_id`: the session's real-time channel (WebSocket upgrade). */
export const wsRoute = new Hono<AppEnv>().get("/chat/:session_id", async (c) => {
  const sessionId = sessionIdParam(c.req.param("session_id"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426 as ContentfulStatusCode, "invalid_request", "Expected a WebSocket upgrade");
  }
  c.set("sessionId", sessionId);
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-session-id", sessionId);
  return sessionStub(c.env, sessionId).fetch(new Request(c.req.raw.url, { headers }));
});
