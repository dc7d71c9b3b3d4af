/** OpenAI-compatible chat completions (`/v1/chat/completions`) through the `openai` package. */
import OpenAI from "openai";
import { termCoverage } from "./coverage";
import { buildGroundedMessages, NOT_COVERED_MARKER } from "./prompt";
import { citedIndexes, NOT_COVERED_MESSAGE, type GeneratedAnswer, type GenerationContext, type Generator, type SourceChunk } from "./types";
import { messageChars, tokensOf } from "../../usage/caps";

/** Settings of an OpenAI-compatible chat endpoint. */
export interface OpenAIGeneratorOptions {
  apiKey: string;
  baseURL: string;
  model: string;
  /** Request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Token budget of the sources in the prompt (default 6000). */
  maxContextTokens?: number;
}

/** Turns a model's raw text into a GeneratedAnswer (shared by the model-backed generators). */
export function toGeneratedAnswer(query: string, text: string, sources: readonly SourceChunk[]): GeneratedAnswer {
  const trimmed = text.trim();
  if (!trimmed || trimmed.includes(NOT_COVERED_MARKER)) {
    return { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
  }
  const cited = citedIndexes(trimmed, sources.length);
  const citedText = sources.filter((s) => cited.includes(s.index)).map((s) => s.content).join("\n");
  return { response: trimmed, hasSufficientInfo: cited.length > 0, citedIndexes: cited, coverage: termCoverage(query, citedText) };
}

export class OpenAIGenerator implements Generator {
  readonly name: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIGeneratorOptions) {
    this.name = `openai:${options.model}`;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs ?? 30_000, maxRetries: 2 });
  }

  /**
   * Answers from `sources`; with `context.onToken`, streams the completion (`stream: true`, asking
   * for the usage chunk with `stream_options.include_usage`) and reports each content delta. The
   * answer's `tokens` come from the response's `usage`, estimated when it has none.
   */
  async generate(query: string, sources: readonly SourceChunk[], context: GenerationContext = {}): Promise<GeneratedAnswer> {
    const request = { model: this.options.model, temperature: 0, messages: buildGroundedMessages(query, sources, this.options.maxContextTokens) };
    const promptChars = messageChars(request.messages);
    if (!context.onToken) {
      const res = await this.client.chat.completions.create(request, { signal: context.signal });
      const text = res.choices[0]?.message?.content ?? "";
      return { ...toGeneratedAnswer(query, text, sources), tokens: tokensOf(res.usage, promptChars, text.length) };
    }
    const stream = await this.client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }, { signal: context.signal });
    let text = "";
    let usage: unknown = null;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const delta = chunk.choices?.[0]?.delta?.content ?? "";
      if (!delta) continue;
      text += delta;
      await context.onToken(delta);
    }
    return { ...toGeneratedAnswer(query, text, sources), tokens: tokensOf(usage, promptChars, text.length) };
  }
}
