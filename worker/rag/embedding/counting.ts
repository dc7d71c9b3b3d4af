/**
 * Counting of embedding calls for the daily model caps (docs/access.md, "Daily model caps"): an
 * {@link Embedder} that passes every call through and, when the inner embedder is model-backed
 * (any provider but the offline hashing one), counts each call and its tokens. The Embedder
 * interface returns vectors only, so tokens are estimated as ceil(characters / 4) of the texts,
 * the estimate worker/usage/caps.ts uses for a response without `usage`.
 */
import type { Usage } from "../../usage/caps";
import type { Embedder } from "./types";

/** An embedder and what it has used so far. */
export interface CountingEmbedder {
  embedder: Embedder;
  /** Model calls (one per `embed` that reached a model) and estimated tokens, so far. */
  usage(): Usage;
}

/** True for an embedder that calls a model (not the offline hashing embedder). */
export function isModelEmbedder(embedder: Embedder): boolean {
  return !embedder.name.startsWith("offline");
}

/**
 * Wraps a model-backed `inner`; a failed call counts too (the provider was asked). The offline
 * embedder is returned as it is (nothing to count; retrieval uses its own methods, such as
 * `embedTerms`, through `instanceof`).
 */
export function countingEmbedder(inner: Embedder): CountingEmbedder {
  const used: Usage = { calls: 0, tokens: 0 };
  if (!isModelEmbedder(inner)) return { embedder: inner, usage: () => ({ ...used }) };
  const embedder: Embedder = {
    name: inner.name,
    dimensions: inner.dimensions,
    embed(texts, kind) {
      if (texts.length > 0) {
        used.calls += 1;
        used.tokens += texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
      }
      return inner.embed(texts, kind);
    },
  };
  return { embedder, usage: () => ({ ...used }) };
}
