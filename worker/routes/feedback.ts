/** `/api/feedback`: thumbs up/down with reasons on an assistant message (of one's own session), and reading it back (a session's: its owner; all: the admin). */
import { Hono } from "hono";
import { assertSessionAccess } from "../auth/sessions";
import { requirePermission } from "../http/auth";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { FeedbackRequestSchema, ListFeedbackQuerySchema } from "../schemas";
import { listFeedback, saveFeedback } from "../storage/feedback";
import { sessionStub } from "./chat";

export const feedbackRoute = new Hono<AppEnv>()
  .post("/", validate("json", FeedbackRequestSchema), async (c) => {
    const body = c.req.valid("json");
    c.set("sessionId", body.session_id);
    await assertSessionAccess(c.env, c.get("principal"), body.session_id);
    const messages = await sessionStub(c.env, body.session_id).messages();
    const target = messages.find((m) => m.id === body.message_id);
    if (!target) throw new ApiError(404, "not_found", "No such message in this session");
    if (target.role !== "assistant") throw new ApiError(422, "invalid_request", "Only assistant messages can be rated");
    return c.json(await saveFeedback(database(c.env.DB), body), 201);
  })
  .get("/", validate("query", ListFeedbackQuerySchema), async (c) => {
    const { session_id, limit } = c.req.valid("query");
    // One session's feedback is its owner's; everyone's is the admin's.
    if (session_id) await assertSessionAccess(c.env, c.get("principal"), session_id);
    else requirePermission(c, "admin");
    return c.json({ feedback: await listFeedback(database(c.env.DB), limit, session_id) });
  });
