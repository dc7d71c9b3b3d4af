/** The answer-generation interface shared by the offline, Workers AI and OpenAI-compatible generators. */

/** A retrieved chunk offered to the generator as numbered source `index` (1-based). */
export interface SourceChunk {
  index: number;
  title: string;
  source: string;
  heading: string;
  content: string;
  /** Fused retrieval score of the chunk (RRF). */
  score: number;
  /**
   * Set on a chunk offered because it continues source `continues` in its page (the rest of a list,
   * table or code block that a chunk boundary cut): the offline generator shows its first passages
   * after a selected passage at that source's end.
   */
  continues?: number;
}

/** What a generator returns. `response` cites sources with `[n]` markers, n = SourceChunk.index. */
export interface GeneratedAnswer {
  response: string;
  /** False when the sources do not answer the question (the response then says so). */
  hasSufficientInfo: boolean;
  /** Indexes of the sources the response cites, ascending. */
  citedIndexes: number[];
  /** Share of the query's content terms found in the cited text, 0..1. */
  coverage: number;
  /**
   * Tokens (prompt + completion) of the model call, for model-backed generators: the response's
   * `usage`, else ceil(characters / 4) of the prompt and the text (worker/usage/caps.ts `tokensOf`).
   * Absent for the offline generator.
   */
  tokens?: number;
}

/** Retrieval evidence a generator may use; model-backed generators ignore it. */
export interface GenerationContext {
  /**
   * Inverse document frequency of content terms in the knowledge base (BM25's IDF,
   * storage/lexical.ts `idfOf`); a term absent from the map is taken as absent from the knowledge base.
   */
  idf?: ReadonlyMap<string, number>;
  /** Spelling corrections of query terms to index terms (from → to), as retrieval made them. */
  corrections?: ReadonlyMap<string, string>;
  /**
   * Set when the caller streams the answer: a generator that can stream (the OpenAI-compatible
   * one) calls it with each delta of its text as the model produces it, in order. Others ignore
   * it; the graph then streams the finished answer in passages (agents/graph/streaming.ts).
   */
  onToken?: (delta: string) => void | Promise<void>;
  /** Aborts the model call when the turn is cancelled (the stream's reader went away). */
  signal?: AbortSignal;
}

export interface Generator {
  /** Provider name reported by /health. */
  readonly name: string;
  /** Answers `query` from `sources` only. Throws on provider failure. */
  generate(query: string, sources: readonly SourceChunk[], context?: GenerationContext): Promise<GeneratedAnswer>;
}

/** The fixed answer when the knowledge base has nothing on the question. */
export const NOT_COVERED_MESSAGE =
  "The knowledge base does not cover this question. Try rephrasing it, or add documents about it.";

/** Extracts the `[n]` citation numbers of a response, ascending and distinct. */
export function citedIndexes(response: string, max: number): number[] {
  const set = new Set<number>();
  for (const m of response.matchAll(/\[(\d{1,3})\]/g)) {
    const n = Number(m[1]);
    if (n >= 1 && n <= max) set.add(n);
  }
  return [...set].sort((a, b) => a - b);
}
