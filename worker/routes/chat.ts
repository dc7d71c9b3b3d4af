/** `/api/chat`: cited answers in a session, and the session's history. */
import { Hono } from "hono";
import { providers } from "../config";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { ChatRequestSchema, SessionIdSchema } from "../schemas";
import { answerQuestion, sessionStub } from "../services/chat";

export const chatRoute = new Hono<AppEnv>()
  .post("/", validate("json", ChatRequestSchema), async (c) => {
    const { query, session_id, search_scope } = c.req.valid("json");
    const sessionId = session_id ?? crypto.randomUUID();
    c.set("sessionId", sessionId);
    const { answer, retrievedCount } = await answerQuestion(c.env, providers(c.env), query, sessionId, search_scope);
    c.set("retrieved", retrievedCount);
    return c.json(answer);
  })
  .get("/:session_id", async (c) => {
    const parsed = SessionIdSchema.safeParse(c.req.param("session_id"));
    if (!parsed.success) throw new ApiError(422, "invalid_request", "session_id must match ^[A-Za-z0-9_-]{1,128}$");
    c.set("sessionId", parsed.data);
    const stub = sessionStub(c.env, parsed.data);
    const messages = await stub.messages();
    if (messages.length === 0) throw new ApiError(404, "not_found", "Session not found");
    return c.json({ session_id: parsed.data, messages });
  });
