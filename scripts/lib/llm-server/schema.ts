/**
 * zod schemas of the request bodies the local server accepts (a subset of OpenAI's
 * `POST /v1/chat/completions`), and the normalised request handed to the engine.
 * Unknown fields are accepted and ignored; fields that would change the answer's shape and are not
 * supported (`n` other than 1, tools, image parts) are refused with a 400.
 * Plain TypeScript run by Node's type stripping.
 */
import { z } from "zod";

/** A text part of a message's content array. */
const TextPart = z.object({ type: z.literal("text"), text: z.string() });

/** One chat message. `tool` messages and non-text parts are refused. */
export const MessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(TextPart), z.null()]).optional(),
  name: z.string().optional(),
});

/** `response_format`: plain text, any JSON object, or JSON matching a schema (enforced by a grammar). */
export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().max(64).optional(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

/** Body of `POST /v1/chat/completions`. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4), z.null()]).optional(),
  n: z.literal(1).nullable().optional(),
  response_format: ResponseFormatSchema.nullable().optional(),
  tools: z.array(z.unknown()).max(0, "tools are not supported by the local server").nullable().optional(),
});

/** A validated `POST /v1/chat/completions` body. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** What the engine is asked to do: messages as plain text plus the sampling and output constraints. */
export interface EngineRequest {
  /** The conversation; `developer` is folded into `system`, content parts are joined. */
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  /** Completion token limit (already defaulted by the server). */
  maxTokens: number;
  /** Sampling temperature; 0 is greedy. */
  temperature: number;
  topP?: number;
  seed?: number;
  /** Stop sequences: generation ends before the first one and it is not returned. */
  stop: string[];
  /** Output constraint: none, any JSON value of type object, or JSON matching `schema`. */
  json: { kind: "none" } | { kind: "object" } | { kind: "schema"; schema: Record<string, unknown> };
}

/** Why generation ended, as OpenAI's `finish_reason`. */
export type FinishReason = "stop" | "length";

/** What the engine produced. */
export interface EngineResult {
  text: string;
  finishReason: FinishReason;
  /** Tokens of the rendered prompt (chat template applied). */
  promptTokens: number;
  /** Tokens generated. */
  completionTokens: number;
}

/**
 * The engine request of a validated body. `temperature` defaults to 1 (OpenAI's default) and the
 * token limit to `defaultMaxTokens`.
 */
export function toEngineRequest(body: ChatCompletionRequest, defaultMaxTokens: number): EngineRequest {
  const format = body.response_format;
  return {
    messages: body.messages.map((m) => ({
      role: m.role === "developer" ? "system" : m.role,
      content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
    })),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? undefined,
    seed: body.seed ?? undefined,
    stop: body.stop == null ? [] : typeof body.stop === "string" ? [body.stop] : body.stop,
    json: !format || format.type === "text"
      ? { kind: "none" }
      : format.type === "json_object"
        ? { kind: "object" }
        : { kind: "schema", schema: format.json_schema.schema },
  };
}
