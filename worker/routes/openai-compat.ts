/**
 * `/v1`: edge-rag as an OpenAI-compatible model (docs/openai-api.md), so any client of the Chat
 * Completions API (the official `openai` packages, chat UIs, IDE plugins) can use it with
 * `baseURL = <edge-rag>/v1`. `GET /v1/models` lists one model per knowledge scope;
 * `POST /v1/chat/completions` answers the last user message from the knowledge base, as one
 * completion or (`stream: true`) as `chat.completion.chunk` Server-Sent Events ending with
 * `data: [DONE]`. Stateless: the conversation comes with each request (worker/openai-compat/format.ts).
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError, errorBody } from "../http/errors";
import { validate } from "../http/validate";
import { completionTurn, extraField, modelIds, outcomeText, scopeOfModel } from "../openai-compat/format";
import { ChatCompletionRequestSchema } from "../openai-compat/schemas";
import { runChatTurn } from "../services/chat";
import { turnDependencies } from "../services/turn-deps";
import { assertWithinDailyCaps, recordModelUsage, type UsageOwner } from "../services/model-quota";
import { documentFacets } from "../storage/documents";

/** Separator sent when the finished answer differs from what already streamed (Chat Completions chunks cannot retract text). */
export const REPLACED_SEPARATOR = "\n\n---\n\n";

async function domainsOf(env: Env): Promise<string[]> {
  return (await documentFacets(database(env.DB))).domains.map((d) => d.value);
}

export const openAICompatRoute = new Hono<AppEnv>()
  .get("/models", async (c) =>
    c.json({ object: "list" as const, data: modelIds(await domainsOf(c.env)).map((id) => ({ id, object: "model" as const, created: 0, owned_by: "edge-rag" })) }),
  )
  .post("/chat/completions", validate("json", ChatCompletionRequestSchema), async (c) => {
    const body = c.req.valid("json");
    const scope = scopeOfModel(body.model);
    if (scope === null || (scope && !(await domainsOf(c.env)).includes(scope.domains[0]))) {
      throw new ApiError(404, "not_found", `The model '${body.model}' does not exist: GET /v1/models lists the models`);
    }
    const turn = completionTurn(body.messages, scope);
    const id = `chatcmpl-${crypto.randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { ...turnDependencies(c.env), sessionId: `v1-${id}`, history: turn.history, pending: turn.pending };
    // Daily model caps: per user only (every completion is a session of its own); none without a user.
    const owner: UsageOwner = { userId: c.get("principal")?.userId ?? null, sessionId: null };
    await assertWithinDailyCaps(c.env, owner);

    if (!body.stream) {
      const result = await runChatTurn(turn.input, base);
      await recordModelUsage(c.env, owner, result.usage);
      return c.json({
        id, object: "chat.completion" as const, created, model: body.model,
        choices: [{ index: 0, message: { role: "assistant" as const, content: outcomeText(result.outcome), refusal: null }, finish_reason: "stop" as const, logprobs: null }],
        edge_rag: extraField(result.outcome),
      });
    }

    return streamSSE(c, async (stream) => {
      const cancel = new AbortController();
      stream.onAbort(() => cancel.abort(new DOMException("the client closed the stream", "AbortError")));
      const chunk = (delta: { role?: "assistant"; content?: string }, finish: "stop" | null = null, extra?: unknown) =>
        stream.writeSSE({
          data: JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(extra ? { edge_rag: extra } : {}) }),
        });
      await chunk({ role: "assistant", content: "" });
      let streamed = "";
      let replaced = false;
      try {
        const result = await runChatTurn(turn.input, {
          ...base,
          signal: cancel.signal,
          tokens: {
            onToken: async (delta) => {
              if (replaced) return;
              streamed += delta;
              await chunk({ content: delta });
            },
            // What streamed cannot be taken back: the finished answer follows a separator instead.
            onReset: () => void (replaced = true),
          },
        });
        await recordModelUsage(c.env, owner, result.usage);
        const text = outcomeText(result.outcome);
        if (result.outcome.type === "clarification") await chunk({ content: text });
        else if (text !== streamed) await chunk({ content: text.startsWith(streamed) ? text.slice(streamed.length) : `${REPLACED_SEPARATOR}${text}` });
        await chunk({}, "stop", extraField(result.outcome));
      } catch (e) {
        if (cancel.signal.aborted) return;
        const known = e instanceof ApiError;
        if (!known) console.error(JSON.stringify({ level: "error", message: "v1 streamed completion failed", error: String(e), stack: (e as Error)?.stack }));
        await stream.writeSSE({ data: JSON.stringify(known ? errorBody(e.code, e.message, e.details) : errorBody("internal_error", "Could not answer this question. Please try again.")) });
      }
      await stream.writeSSE({ data: "[DONE]" });
    });
  });
