/**
 * Embedding calls in the daily model caps (worker/rag/embedding/counting.ts,
 * worker/services/model-quota.ts): a model-backed embedder's calls and estimated tokens are
 * counted, the offline hashing embedder's are not, and a model embedding provider alone makes
 * usage count.
 */
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../worker/config";
import { countingEmbedder } from "../../worker/rag/embedding/counting";
import { HashingEmbedder } from "../../worker/rag/embedding/hashing";
import type { Embedder } from "../../worker/rag/embedding/types";
import { countsModelUsage } from "../../worker/services/model-quota";

/** A model-backed embedder stand-in: vectors of zeros, or a failure. */
function modelEmbedder(fail = false): Embedder {
  return {
    name: "openai:text-embedding-3-small",
    dimensions: 4,
    async embed(texts) {
      if (fail) throw new Error("503 from the provider");
      return texts.map(() => new Float32Array(4));
    },
  };
}

describe("countingEmbedder", () => {
  it("counts one call per request to a model and ceil(chars / 4) tokens per text, and passes the vectors through", async () => {
    const counted = countingEmbedder(modelEmbedder());
    const vectors = await counted.embedder.embed(["What is baggage?", "spans"], "query");
    expect(vectors).toHaveLength(2);
    await counted.embedder.embed(["x".repeat(9)], "query");
    expect(counted.usage()).toEqual({ calls: 2, tokens: 4 + 2 + 3 });
    expect(counted.embedder.name).toBe("openai:text-embedding-3-small");
    expect(counted.embedder.dimensions).toBe(4);
  });

  it("counts a failed call (the provider was asked) and nothing for an empty request", async () => {
    const counted = countingEmbedder(modelEmbedder(true));
    await expect(counted.embedder.embed(["a question"], "query")).rejects.toThrow(/503/);
    await counted.embedder.embed([], "query").catch(() => undefined);
    expect(counted.usage()).toEqual({ calls: 1, tokens: 3 });
  });

  it("counts nothing for the offline hashing embedder, which it leaves as it is (retrieval needs its own methods)", async () => {
    const hashing = new HashingEmbedder(64);
    const counted = countingEmbedder(hashing);
    expect(counted.embedder).toBe(hashing);
    expect(await counted.embedder.embed(["What is baggage?"], "query")).toHaveLength(1);
    expect(counted.usage()).toEqual({ calls: 0, tokens: 0 });
  });
});

describe("countsModelUsage", () => {
  it("is true when the generation or the embedding provider calls a model", () => {
    const config = (vars: Record<string, string>) => ConfigSchema.parse(vars);
    expect(countsModelUsage(config({}))).toBe(false);
    expect(countsModelUsage(config({ EMBEDDING_PROVIDER: "openai" }))).toBe(true);
    expect(countsModelUsage(config({ GENERATION_PROVIDER: "workers-ai" }))).toBe(true);
  });
});
