/** Workers AI embeddings (`@cf/baai/bge-m3`: 1024 dimensions, `@cf/baai/bge-base-en-v1.5`: 768). */
import type { Embedder } from "./types";

/** Known output sizes of Workers AI embedding models. */
export const WORKERS_AI_EMBEDDING_DIMENSIONS: Record<string, number> = {
  "@cf/baai/bge-m3": 1024,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-large-en-v1.5": 1024,
};

/** Minimal view of the AI binding used here. */
export interface AiRunner {
  run(model: string, input: Record<string, unknown>): Promise<unknown>;
}

export class WorkersAIEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;

  constructor(private readonly ai: AiRunner, private readonly model: string) {
    const dims = WORKERS_AI_EMBEDDING_DIMENSIONS[model];
    if (!dims) throw new Error(`unknown Workers AI embedding model ${model}`);
    this.name = `workers-ai:${model}`;
    this.dimensions = dims;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 50) {
      const res = (await this.ai.run(this.model, { text: texts.slice(i, i + 50) })) as { data?: number[][] };
      if (!res?.data) throw new Error("Workers AI returned no embeddings");
      for (const v of res.data) out.push(Float32Array.from(v));
    }
    return out;
  }
}
