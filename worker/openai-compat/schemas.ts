/**
 * zod schemas of the OpenAI-compatible API (`/v1`, worker/routes/openai-compat.ts), after
 * OpenAI's Chat Completions reference: the fields edge-rag reads are checked, the others a client
 * may send (temperature, max_tokens, tools, …) are accepted and ignored.
 */
import { z } from "zod";

/** Longest text of one message, in characters (the chat API's query limit). */
export const MAX_MESSAGE_CHARS = 4000;

const TextPart = z.object({ type: z.literal("text"), text: z.string() }).loose();

/** One message of the conversation: text content only (a string or text parts). */
export const ChatCompletionMessageSchema = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"]),
    content: z.union([z.string(), z.array(TextPart, { error: "only text content parts are supported" }), z.null()]).optional(),
    name: z.string().max(200).optional(),
  })
  .loose();

/** Body of `POST /v1/chat/completions`. */
export const ChatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(200),
    messages: z.array(ChatCompletionMessageSchema).min(1).max(200),
    stream: z.boolean().optional(),
    /** Only one choice is produced. */
    n: z.literal(1).optional(),
  })
  .loose()
  .superRefine((body, ctx) => {
    const last = body.messages.at(-1);
    if (!last) return; // reported by min(1)
    if (last.role !== "user") ctx.addIssue({ code: "custom", path: ["messages", body.messages.length - 1, "role"], message: "the last message must be the user's question" });
    const text = messageText(last).trim();
    if (!text) ctx.addIssue({ code: "custom", path: ["messages", body.messages.length - 1, "content"], message: "the question must not be empty" });
    if (text.length > MAX_MESSAGE_CHARS) ctx.addIssue({ code: "custom", path: ["messages", body.messages.length - 1, "content"], message: `the question must be at most ${MAX_MESSAGE_CHARS} characters` });
  });

/** A validated message. */
export type ChatCompletionMessage = z.infer<typeof ChatCompletionMessageSchema>;
/** A validated request body. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** The text of a message: its string content, or its text parts joined; "" for none. */
export function messageText(m: ChatCompletionMessage): string {
  if (typeof m.content === "string") return m.content;
  return (m.content ?? []).map((p) => p.text).join("");
}
