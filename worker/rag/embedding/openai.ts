/** OpenAI-compatible embeddings (`/v1/embeddings`) through the `openai` package; any base URL. */
import OpenAI from "openai";
import type { Embedder } from "./types";

/** Settings of an OpenAI-compatible embedding endpoint. */
export interface OpenAIEmbedderOptions {
  apiKey: string;
  baseURL: string;
  model: string;
  /**
   * Output dimensions; must match the vector index. Sent as `dimensions` when set; when unset the
   * model's native size is used (known for OpenAI's models, else required).
   */
  dimensions?: number;
  /** Request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Texts per request (default 64). */
  batchSize?: number;
}

/** Native output sizes of OpenAI's embedding models. */
export const OPENAI_NATIVE_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.name = `openai:${options.model}`;
    const dims = options.dimensions ?? OPENAI_NATIVE_DIMENSIONS[options.model];
    if (!dims) throw new Error(`set OPENAI_EMBEDDING_DIMENSIONS for embedding model ${options.model}`);
    this.dimensions = dims;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs ?? 30_000, maxRetries: 2 });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const batch = this.options.batchSize ?? 64;
    for (let i = 0; i < texts.length; i += batch) {
      const res = await this.client.embeddings.create({
        model: this.options.model,
        input: texts.slice(i, i + batch) as string[],
        ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
        encoding_format: "float",
      });
      const sorted = [...res.data].sort((a, b) => a.index - b.index);
      for (const d of sorted) {
        if (d.embedding.length !== this.dimensions) {
          throw new Error(`embedding has ${d.embedding.length} dimensions, expected ${this.dimensions}`);
        }
        out.push(Float32Array.from(d.embedding));
      }
    }
    return out;
  }
}
