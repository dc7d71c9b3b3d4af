/** Workers AI text generation (e.g. `@cf/meta/llama-3.1-8b-instruct`) with the grounded prompt. */
import type { AiRunner } from "../embedding/workers-ai";
import { toGeneratedAnswer } from "./openai";
import { buildGroundedMessages } from "./prompt";
import type { GeneratedAnswer, Generator, SourceChunk } from "./types";
import { messageChars, tokensOf } from "../../usage/caps";

export class WorkersAIGenerator implements Generator {
  readonly name: string;
  constructor(private readonly ai: AiRunner, private readonly model: string) {
    this.name = `workers-ai:${model}`;
  }

  /** The answer's `tokens` come from the response's `usage` (recent Workers AI versions), estimated when it has none. */
  async generate(query: string, sources: readonly SourceChunk[]): Promise<GeneratedAnswer> {
    const messages = buildGroundedMessages(query, sources, 3000);
    const res = (await this.ai.run(this.model, { messages, max_tokens: 768 })) as { response?: string; usage?: unknown };
    const text = res?.response ?? "";
    return { ...toGeneratedAnswer(query, text, sources), tokens: tokensOf(res?.usage, messageChars(messages), text.length) };
  }
}
