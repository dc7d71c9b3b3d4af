/**
 * The offline default embedder: feature hashing ("the hashing trick", Weinberger et al.,
 * "Feature Hashing for Large Scale Multitask Learning", ICML 2009) of word unigrams, word bigrams
 * and character n-grams, with sublinear term frequency and signed buckets, L2-normalised.
 * Deterministic, no network, no model download.
 */
import { l2Normalize } from "../cosine";
import { contentTerms, isHangul } from "../text";
import type { Embedder } from "./types";

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Weights of each feature family in the hashed vector. */
export interface HashingWeights {
  unigram: number;
  bigram: number;
  charGram: number;
}

const DEFAULT_WEIGHTS: HashingWeights = { unigram: 1, bigram: 0.5, charGram: 0.05 };

/** Feature-hashing embedder; `dimensions` defaults to 512 (range 64..4096). */
export class HashingEmbedder implements Embedder {
  readonly name = "offline-hashing";
  constructor(
    readonly dimensions = 512,
    private readonly weights: HashingWeights = DEFAULT_WEIGHTS,
  ) {
    if (!(dimensions >= 64 && dimensions <= 4096)) throw new RangeError(`dimensions must be 64..4096, got ${dimensions}`);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** Synchronous single-text embedding (every term weighs 1). */
  embedOne(text: string): Float32Array {
    return this.embedWeighted(text, () => 1);
  }

  /**
   * Embeds a query with a weight per term, typically its inverse document frequency in the corpus
   * (Spärck Jones 1972), so that rare terms dominate the similarity: the dot product with a
   * document vector then behaves like a TF-IDF cosine. Bigram and character n-gram features take
   * the weights of the terms they come from.
   */
  embedWeighted(text: string, termWeight: (term: string) => number): Float32Array {
    return this.embedTerms(contentTerms(text), termWeight);
  }

  /**
   * Embeds a sequence of index terms (as {@link contentTerms} gives them, in text order) with a
   * weight per term. Terms are hashed as they are, not stemmed again: index terms from elsewhere
   * (a spelling correction's vocabulary term) keep the features that chunks containing them have.
   */
  embedTerms(terms: readonly string[], termWeight: (term: string) => number): Float32Array {
    // feature → occurrences and weight (family weight × term weight)
    const features = new Map<string, { n: number; w: number }>();
    const add = (feature: string, w: number) => {
      const f = features.get(feature);
      if (f) f.n++;
      else features.set(feature, { n: 1, w });
    };
    const weights = terms.map(termWeight);
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      const w = weights[i];
      add("w:" + t, this.weights.unigram * w);
      if (i + 1 < terms.length) add("b:" + t + " " + terms[i + 1], this.weights.bigram * Math.sqrt(w * weights[i + 1]));
      // Character n-grams catch morphology the stemmer misses; Hangul uses bigrams (syllables).
      const padded = `<${t}>`;
      const sizes = isHangul(t) ? [2] : [3, 4];
      for (const n of sizes) {
        for (let j = 0; j + n <= padded.length; j++) add("c:" + padded.slice(j, j + n), this.weights.charGram * w);
      }
    }
    const v = new Float32Array(this.dimensions);
    for (const [feature, { n, w }] of features) {
      const h = fnv1a(feature);
      const sign = (h & 0x80000000) === 0 ? 1 : -1;
      // Sublinear term frequency: a feature seen n times counts w · (1 + ln n).
      v[h % this.dimensions] += sign * w * (1 + Math.log(n));
    }
    return l2Normalize(v);
  }
}
