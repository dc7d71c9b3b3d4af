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

const DEFAULT_WEIGHTS: HashingWeights = { unigram: 1, bigram: 0.5, charGram: 0.25 };

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

  /** Synchronous single-text embedding. */
  embedOne(text: string): Float32Array {
    const counts = new Map<string, number>();
    const add = (feature: string, w: number) => counts.set(feature, (counts.get(feature) ?? 0) + w);
    const terms = contentTerms(text);
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      add("w:" + t, this.weights.unigram);
      if (i + 1 < terms.length) add("b:" + t + " " + terms[i + 1], this.weights.bigram);
      // Character n-grams catch morphology the stemmer misses; Hangul uses bigrams (syllables).
      const padded = `<${t}>`;
      const sizes = isHangul(t) ? [2] : [3, 4];
      for (const n of sizes) {
        for (let j = 0; j + n <= padded.length; j++) add("c:" + padded.slice(j, j + n), this.weights.charGram);
      }
    }
    const v = new Float32Array(this.dimensions);
    for (const [feature, tf] of counts) {
      const h = fnv1a(feature);
      const sign = (h & 0x80000000) === 0 ? 1 : -1;
      v[h % this.dimensions] += sign * (1 + Math.log(tf));
    }
    return l2Normalize(v);
  }
}
