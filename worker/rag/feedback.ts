/**
 * Pseudo-relevance feedback (PRF), the offline query rewrite of hybrid retrieval: the best
 * lexical chunks of a first pass are assumed relevant and used twice.
 *
 * - Query expansion in the manner of RM3 (Lavrenko & Croft, "Relevance-Based Language Models",
 *   SIGIR 2001; Abdul-Jaleel et al., "UMass at TREC 2004"): terms weighted by
 *   Σ_d p(d|q) · tf(t, d) / |d|, times the term's IDF, are OR-ed to the query in a second BM25 pass.
 * - Rocchio's relevance feedback on the query embedding (Rocchio, "Relevance Feedback in
 *   Information Retrieval", 1971): q' = q + β · mean(d) over the feedback chunks' embeddings.
 *
 * Pure functions; the SQL and index calls live in services/retrieve.ts.
 */
import { l2Normalize } from "./cosine";
import { termsAndWords } from "./text";

/** A first-pass chunk used as feedback: its text and its BM25 score (higher is better). */
export interface FeedbackChunk {
  text: string;
  /** BM25 score of the first pass; only differences between chunks matter. */
  score: number;
}

/** Parameters of pseudo-relevance feedback. */
export interface FeedbackOptions {
  /** Expansion terms added to the query (0..64); default 20. */
  terms: number;
  /** Candidate terms whose IDF is looked up before the final choice (1..64); default 64. */
  candidates: number;
}

export const DEFAULT_FEEDBACK: FeedbackOptions = { terms: 20, candidates: 64 };

/** Candidate expansion term with its relevance-model weight Σ_d p(d|q) · tf(t,d)/|d|. */
export interface TermCandidate {
  term: string;
  weight: number;
  /**
   * A word of the feedback chunks that stems to `term` (a–z only), by which FTS5 finds the term
   * (see indexTermPhrase in fts-query.ts); absent for other terms.
   */
  word?: string;
}

/**
 * Relevance-model weights of the terms of the feedback chunks, best first, at most
 * `options.candidates`. p(d|q) is a softmax of the BM25 scores (the best chunk weighs most).
 * Query terms, digits-only terms and terms shorter than 3 characters (2 for Hangul) are left out.
 *
 * @param queryTerms The query's index terms (e.g. its contentTerms and spelling corrections),
 *   excluded from the expansion.
 * @param chunks Feedback chunks, typically the top 3 of the lexical list; may be empty.
 */
export function expansionCandidates(queryTerms: ReadonlySet<string>, chunks: readonly FeedbackChunk[], options: FeedbackOptions = DEFAULT_FEEDBACK): TermCandidate[] {
  if (chunks.length === 0) return [];
  const best = Math.max(...chunks.map((c) => c.score));
  const z = chunks.map((c) => Math.exp(c.score - best));
  const total = z.reduce((a, b) => a + b, 0);
  const weights = new Map<string, number>();
  const wordOf = new Map<string, string>();
  chunks.forEach((chunk, i) => {
    const { terms, wordOf: chunkWordOf } = termsAndWords(chunk.text);
    if (terms.length === 0) return;
    for (const [term, word] of chunkWordOf) if (!wordOf.has(term)) wordOf.set(term, word);
    const pd = z[i] / total;
    for (const t of terms) {
      if (queryTerms.has(t) || /^\d+$/.test(t) || [...t].length < (/^[a-z]/.test(t) ? 3 : 2)) continue;
      weights.set(t, (weights.get(t) ?? 0) + pd / terms.length);
    }
  });
  return [...weights.entries()]
    .map(([term, weight]): TermCandidate => (wordOf.has(term) ? { term, weight, word: wordOf.get(term) } : { term, weight }))
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, options.candidates);
}

/**
 * The expansion terms: candidates re-weighted by their IDF, best `count` first. Terms absent from
 * the index (IDF undefined) are dropped.
 *
 * @param candidates From {@link expansionCandidates}.
 * @param idf Inverse document frequency of a term in the chunk index, undefined when unknown.
 * @param count How many terms to keep (0..64).
 */
export function expansionTerms(candidates: readonly TermCandidate[], idf: (term: string) => number | undefined, count = DEFAULT_FEEDBACK.terms): string[] {
  return candidates
    .flatMap((c) => {
      const w = idf(c.term);
      return w === undefined ? [] : [{ term: c.term, score: c.weight * w }];
    })
    .sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1))
    .slice(0, count)
    .map((c) => c.term);
}

/**
 * Whether a BM25 query fits feedback's cost budget: the postings of its phrases (each phrase's
 * chunk frequency, unknown ones counted 0), summed, are at most `maxPostings`; 0 means no limit.
 * Feedback's expanded BM25 pass repeats every phrase of the query and adds the expansion terms,
 * and FTS5 scores every chunk that matches any of them, so its cost grows with these postings
 * (npm run bench:scale: at 100,000 chunks a SciFact claim's phrases hold 41,000 postings at the
 * median, and feedback tripled hybrid latency). Retrieval checks the query's phrases before the
 * first pass and the expanded query's before the second.
 *
 * @param dfs Chunk frequency of each phrase (null when not known).
 * @param maxPostings Budget in postings, ≥ 0 (PRF_MAX_POSTINGS).
 */
export function feedbackWithinBudget(dfs: readonly (number | null)[], maxPostings: number): boolean {
  if (maxPostings === 0) return true;
  let postings = 0;
  for (const df of dfs) postings += df ?? 0;
  return postings <= maxPostings;
}

/**
 * Rocchio's feedback on a query embedding: q + β · mean(feedback), sparsified to its `keep`
 * largest dimensions by magnitude (the others set to 0), L2-normalised. Returns a copy of `query`
 * (normalised, not sparsified) when there is no feedback vector.
 *
 * Why sparsify: the offline query embedding has about 100 non-zero dimensions of 512 and the local
 * vector index skips zero dimensions, but the centroid of the feedback chunks is dense. Keeping 64
 * to 256 dimensions changed hybrid nDCG@10 on SciFact train by at most 0.001 (0.7055 with all
 * 512); the default 192 (PRF_DIMENSIONS) rather than 128 because 128 lost one golden-set answer.
 *
 * @param query Query embedding (any length n).
 * @param feedback Embeddings of the feedback chunks, each of length n.
 * @param beta Weight of the feedback centroid; default 1 (tuned on SciFact train).
 * @param keep Dimensions kept (1..n); default n, all. Ties at the threshold keep the lower dimensions.
 * @throws RangeError when a feedback vector's length differs from the query's, or `keep` < 1.
 */
export function rocchio(query: Float32Array, feedback: readonly Float32Array[], beta = 1, keep = query.length): Float32Array {
  if (!(keep >= 1)) throw new RangeError(`keep must be at least 1, got ${keep}`);
  const out = Float32Array.from(query);
  for (const v of feedback) {
    if (v.length !== query.length) throw new RangeError(`feedback vector has ${v.length} dimensions, the query ${query.length}`);
    const w = beta / feedback.length;
    for (let i = 0; i < v.length; i++) out[i] += w * v[i];
  }
  if (feedback.length > 0 && keep < out.length) sparsify(out, keep);
  return l2Normalize(out);
}

/** Sets all but the `keep` largest-magnitude entries of `v` to 0, in place. */
function sparsify(v: Float32Array, keep: number): void {
  const magnitudes = Float32Array.from(v, Math.abs).sort();
  const threshold = magnitudes[magnitudes.length - keep];
  let kept = 0;
  for (let i = 0; i < v.length; i++) {
    if (Math.abs(v[i]) >= threshold && kept < keep) kept++;
    else v[i] = 0;
  }
}
