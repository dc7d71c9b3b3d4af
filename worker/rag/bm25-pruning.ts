/**
 * Exact top-k pruning of OR-ed BM25 queries, after MaxScore (Turtle & Flood, "Query evaluation:
 * strategies and optimizations", Information Processing & Management 31(6), 1995).
 *
 * FTS5 scores every chunk that matches any phrase of an OR query (`bm25()` then sorts them), so a
 * query with a common word costs about 1 µs per matching chunk: at 100,000 chunks a SciFact claim
 * matches 40,000 of them on average. MaxScore splits the phrases into essential ones (rare) and
 * non-essential ones (common) whose contributions, even at their maximum, cannot lift a chunk
 * that holds none of the essential phrases into the top k. Only chunks holding an essential phrase
 * are then scored, with every phrase of the query, so their scores are exactly FTS5's:
 *
 * - `(E) AND (C)` scores the chunks that hold an essential and a non-essential phrase;
 * - `E` scores the chunks that hold an essential phrase, exactly for those without a
 *   non-essential one (their missing phrases add 0) and from below for the others;
 * - the best score of each chunk over both lists is its full score, and the top k of the merge is
 *   the top k of all chunks holding an essential phrase.
 *
 * The result is the full query's top k when its k-th score exceeds the sum of the non-essential
 * phrases' upper bounds: a chunk with only non-essential phrases scores below that sum.
 *
 * Pure functions; the statements live in storage/lexical.ts.
 */

/** BM25's k1 in SQLite FTS5's `bm25()` (fts5_aux.c). */
export const FTS5_K1 = 1.2;

/**
 * Phrases in more than this share of the chunks are non-essential candidates when no score
 * threshold is known yet (terms in 10 % of the chunks have an IDF of at most ln 9 ≈ 2.2).
 */
export const COMMON_FRACTION = 0.1;

/**
 * Pruning runs only when the non-essential phrases skip at least this many postings (their chunk
 * frequencies summed): below it, scoring every match (about 1 µs each) costs less than the second
 * statement that pruning adds.
 */
export const MIN_SKIPPED_POSTINGS = 5000;

/** One OR-ed phrase of a BM25 query. */
export interface QueryPhrase {
  /** The FTS5 phrase, quoted, possibly a prefix query (`"term" *`). */
  phrase: string;
  /**
   * Chunks holding the phrase (its index term's chunk frequency), or null when not known for
   * certain (prefix queries, words whose index term FTS5's tokenizer may derive differently).
   * Phrases with an unknown frequency are always essential.
   */
  df: number | null;
}

/**
 * FTS5's IDF of a phrase in `n` chunks of which `df` hold it: ln((n − df + 0.5) / (df + 0.5)),
 * replaced by 1e-6 when not positive (fts5_aux.c, `fts5Bm25GetData`).
 */
export function fts5Idf(n: number, df: number): number {
  const idf = Math.log((n - df + 0.5) / (df + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/**
 * Upper bound of one phrase's contribution to a chunk's `bm25()` score: (k1 + 1) · IDF, since
 * the term-frequency part f·(k1 + 1) / (f + k1·(1 − b + b·|d|/avgdl)) stays below k1 + 1 for
 * any (column-weighted) frequency f and b < 1.
 */
export function maxContribution(n: number, df: number): number {
  return (FTS5_K1 + 1) * fts5Idf(n, df);
}

/** How to split a query: its essential and non-essential phrases, and the latter's summed bound. */
export interface PruningPlan {
  essential: string[];
  nonEssential: string[];
  /** Σ {@link maxContribution} over the non-essential phrases. */
  bound: number;
}

/**
 * Splits `phrases` (of a query over `n` chunks) into essential and non-essential ones. The
 * non-essential candidates are the phrases of known frequency, most frequent first. Without
 * `theta` they are those in more than {@link COMMON_FRACTION} of the chunks; with `theta`, a lower
 * bound of the k-th best score, they are the most frequent phrases whose bounds sum below it, so
 * that the pruned result is exact without a check. Returns null when pruning would not pay: no
 * phrase is non-essential, none is essential, or the non-essential ones hold fewer than
 * `minSkipped` postings.
 */
export function pruningPlan(phrases: readonly QueryPhrase[], n: number, theta?: number, minSkipped = MIN_SKIPPED_POSTINGS): PruningPlan | null {
  const known = phrases.filter((p) => p.df !== null && p.df > 0).sort((a, b) => b.df! - a.df!);
  const nonEssential = new Set<QueryPhrase>();
  let bound = 0;
  for (const p of known) {
    const b = maxContribution(n, p.df!);
    if (theta === undefined ? p.df! <= COMMON_FRACTION * n : bound + b >= theta) break;
    nonEssential.add(p);
    bound += b;
  }
  const essential = phrases.filter((p) => !nonEssential.has(p));
  const skipped = [...nonEssential].reduce((sum, p) => sum + p.df!, 0);
  if (nonEssential.size === 0 || essential.length === 0 || skipped < minSkipped) return null;
  return { essential: essential.map((p) => p.phrase), nonEssential: [...nonEssential].map((p) => p.phrase), bound };
}

/** A scored row of a BM25 list: `seq` is the chunk's FTS5 rowid, `score` higher is better. */
export interface ScoredRow {
  seq: number;
  score: number;
}

/**
 * Merges partial BM25 lists of the same rows: each row once with its best score, best first,
 * equal scores in ascending `seq` (the order FTS5 ranks ties in), at most `limit` rows.
 */
export function mergeScored<T extends ScoredRow>(lists: readonly (readonly T[])[], limit: number): T[] {
  const best = new Map<number, T>();
  for (const list of lists) {
    for (const row of list) {
      const seen = best.get(row.seq);
      if (!seen || row.score > seen.score) best.set(row.seq, row);
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.seq - b.seq).slice(0, limit);
}

/**
 * True when `top`, the best rows among those holding an essential phrase, is the full query's top
 * `limit`: it is full and its last score exceeds `bound`, the most that a row holding only
 * non-essential phrases can score.
 */
export function provesTopK(top: readonly ScoredRow[], limit: number, bound: number): boolean {
  return top.length >= limit && top[limit - 1].score > bound;
}
