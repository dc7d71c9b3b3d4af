/** Workers AI text generation (e.g. `@cf/meta/llama-3.1-8b-instruct`) with the grounded prompt. */
import type { AiRunner } from "../embedding/workers-ai";
import { toGeneratedAnswer } from "./openai";
import { buildGroundedMessages } from "./prompt";
import type { GeneratedAnswer, Generator, SourceChunk } from "./types";

export class WorkersAIGenerator implements Generator {
  readonly name: string;
  constructor(private readonly ai: AiRunner, private readonly model: string) {
    this.name = `workers-ai:${model}`;
  }

  async generate(query: string, sources: readonly SourceChunk[]): Promise<GeneratedAnswer> {
    const res = (await this.ai.run(this.model, { messages: buildGroundedMessages(query, sources, 3000), max_tokens: 768 })) as { response?: string };
    return toGeneratedAnswer(query, res?.response ?? "", sources);
  }
}
