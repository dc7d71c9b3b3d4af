/**
 * Retrieval evaluation metrics with the definitions of trec_eval (usnistgov/trec_eval, the
 * reference implementation behind BEIR's pytrec_eval): `ndcg_cut` (m_ndcg_cut.c), `recall`
 * (m_recall.c) and `recip_rank` (m_recip_rank.c, here cut at k as in BEIR's MRR@k).
 *
 * Pure functions without imports, so that both the Worker's tests (inside workerd) and the Node
 * scripts can use them. A ranking is a list of document ids, best first; judgments (qrels) map a
 * document id to its graded relevance. A document is relevant when its grade is > 0 (trec_eval's
 * default `relevance_level` 1 for integer grades); unjudged documents have grade 0.
 *
 * Differences from a plain trec_eval call, on purpose:
 *  - trec_eval sorts a run by score; here the ranking order is taken as given.
 *  - A document id repeated in a ranking counts once, at its first position (trec_eval would
 *    reject the duplicate); later copies are dropped before the cut, so they do not use up ranks.
 *  - {@link evaluate} averages over every query of the qrels, a query without a ranking counting
 *    0 (trec_eval's `-c` option), not only over the queries present in the run.
 */

/** Graded relevance of documents for one query: document id → grade (gain). */
export type Judgments = ReadonlyMap<string, number>;

/** Relevance judgments of a query set: query id → {@link Judgments}. */
export type Qrels = ReadonlyMap<string, Judgments>;

/** Rankings of a system: query id → document ids, best first. */
export type Run = ReadonlyMap<string, readonly string[]>;

function checkK(name: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: k must be a positive integer, got ${k}`);
}

/** Gain of a document: its grade when > 0, else 0 (negative grades count as non-relevant, as in trec_eval). */
function gainOf(judgments: Judgments, id: string): number {
  const g = judgments.get(id);
  return g !== undefined && g > 0 ? g : 0;
}

/** The first `k` distinct ids of `ranking`, each at the position of its first occurrence. */
function topDistinct(ranking: readonly string[], k: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ranking) {
    if (out.length >= k) break;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/**
 * Normalised discounted cumulative gain at cut-off k, as trec_eval's `ndcg_cut.k`
 * (Järvelin and Kekäläinen 2002, linear gains):
 * DCG@k = Σ_{i=1..k} gain_i / log2(i + 1), with gain_i the qrels grade of the document at rank i
 * (0 when unjudged or ≤ 0); IDCG@k is the DCG@k of the ideal ranking, i.e. all judged documents
 * with gain > 0 sorted by gain descending; nDCG@k = DCG@k / IDCG@k.
 *
 * @param ranking Document ids, best first; a repeated id counts once, at its first position.
 * @param judgments Grades of the query's judged documents.
 * @param k Cut-off, a positive integer; a ranking shorter than k is not padded.
 * @returns A value in [0, 1]; 0 when the query has no document with gain > 0.
 * @throws RangeError when k is not a positive integer.
 */
export function ndcgAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  checkK("ndcgAtK", k);
  const ideal = [...judgments.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => {
    idcg += g / Math.log2(i + 2);
  });
  if (idcg === 0) return 0;
  let dcg = 0;
  topDistinct(ranking, k).forEach((id, i) => {
    dcg += gainOf(judgments, id) / Math.log2(i + 2);
  });
  return dcg / idcg;
}

/**
 * Recall at cut-off k, as trec_eval's `recall.k`: the number of relevant documents (gain > 0)
 * among the first k distinct ids of the ranking, divided by the number of relevant documents of
 * the query (judged with gain > 0, retrieved or not).
 *
 * @param ranking Document ids, best first; a repeated id counts once, at its first position.
 * @param judgments Grades of the query's judged documents.
 * @param k Cut-off, a positive integer.
 * @returns A value in [0, 1]; 0 when the query has no relevant document.
 * @throws RangeError when k is not a positive integer.
 */
export function recallAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  checkK("recallAtK", k);
  let relevant = 0;
  for (const g of judgments.values()) if (g > 0) relevant++;
  if (relevant === 0) return 0;
  const hits = topDistinct(ranking, k).filter((id) => gainOf(judgments, id) > 0).length;
  return hits / relevant;
}

/**
 * Reciprocal rank at cut-off k (MRR@k once averaged), as trec_eval's `recip_rank` restricted to
 * the first k ranks: 1 / rank of the first relevant document (gain > 0) among the first k
 * distinct ids, ranks starting at 1.
 *
 * @param ranking Document ids, best first; a repeated id counts once, at its first position.
 * @param judgments Grades of the query's judged documents.
 * @param k Cut-off, a positive integer.
 * @returns A value in (0, 1], or 0 when no relevant document is within the first k.
 * @throws RangeError when k is not a positive integer.
 */
export function mrrAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  checkK("mrrAtK", k);
  const top = topDistinct(ranking, k);
  const i = top.findIndex((id) => gainOf(judgments, id) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Cut-offs of {@link evaluate}. */
export interface EvaluateOptions {
  /** nDCG cut-off. Default 10. */
  ndcgK?: number;
  /** Recall cut-offs. Default [5, 10, 100]. */
  recallKs?: readonly number[];
  /** MRR cut-off. Default 10. */
  mrrK?: number;
}

/**
 * Metric values of one query or their means, keyed `ndcg@<k>`, `recall@<k>` and `mrr@<k>`
 * (by default `ndcg@10`, `recall@5`, `recall@10`, `recall@100`, `mrr@10`).
 */
export type MetricValues = Record<string, number>;

/** The result of {@link evaluate}. */
export interface Evaluation {
  /** Metric names in report order, e.g. `["ndcg@10", "recall@5", "recall@10", "recall@100", "mrr@10"]`. */
  metrics: string[];
  /** Queries averaged over: every query of the qrels. */
  queries: number;
  /** Arithmetic means over the queries of the qrels, each in [0, 1] (NaN-free; 0 for an empty qrels). */
  mean: MetricValues;
  /** Values of each query of the qrels, in the qrels' iteration order. */
  perQuery: Map<string, MetricValues>;
  /** Queries of the qrels with no ranking in the run or an empty one (they count 0). */
  unanswered: string[];
  /** Queries of the qrels without any document of gain > 0 (all their values are 0). */
  withoutRelevant: string[];
  /** Queries of the run that are not in the qrels (ignored). */
  unjudged: string[];
}

/**
 * Evaluates a run against qrels: nDCG@10, Recall@5, Recall@10, Recall@100 and MRR@10 per query
 * (cut-offs configurable) and their means over every query of the qrels; a query missing from
 * the run, or with an empty ranking, counts 0 for every metric (trec_eval `-c`).
 *
 * @param run Query id → document ids, best first (duplicates count once, first position).
 * @param qrels Query id → document id → grade (> 0 is relevant).
 * @param options Cut-offs; see {@link EvaluateOptions}.
 * @returns Means, per-query values and the lists of unanswered, relevance-free and unjudged queries.
 * @throws RangeError when a cut-off is not a positive integer.
 */
export function evaluate(run: Run, qrels: Qrels, options: EvaluateOptions = {}): Evaluation {
  const ndcgK = options.ndcgK ?? 10;
  const recallKs = [...new Set(options.recallKs ?? [5, 10, 100])];
  const mrrK = options.mrrK ?? 10;
  for (const k of [ndcgK, ...recallKs, mrrK]) checkK("evaluate", k);
  const metrics = [`ndcg@${ndcgK}`, ...recallKs.map((k) => `recall@${k}`), `mrr@${mrrK}`];

  const perQuery = new Map<string, MetricValues>();
  const sums: MetricValues = Object.fromEntries(metrics.map((m) => [m, 0]));
  const unanswered: string[] = [];
  const withoutRelevant: string[] = [];
  for (const [queryId, judgments] of qrels) {
    const ranking = run.get(queryId) ?? [];
    if (ranking.length === 0) unanswered.push(queryId);
    if (![...judgments.values()].some((g) => g > 0)) withoutRelevant.push(queryId);
    const values: MetricValues = { [`ndcg@${ndcgK}`]: ndcgAtK(ranking, judgments, ndcgK) };
    for (const k of recallKs) values[`recall@${k}`] = recallAtK(ranking, judgments, k);
    values[`mrr@${mrrK}`] = mrrAtK(ranking, judgments, mrrK);
    perQuery.set(queryId, values);
    for (const m of metrics) sums[m] += values[m];
  }
  const n = qrels.size;
  const mean: MetricValues = Object.fromEntries(metrics.map((m) => [m, n > 0 ? sums[m] / n : 0]));
  const unjudged = [...run.keys()].filter((q) => !qrels.has(q));
  return { metrics, queries: n, mean, perQuery, unanswered, withoutRelevant, unjudged };
}

/**
 * Nearest-rank percentile of ascending values (latency p50/p95 of the benchmarks and of
 * evaluation runs): the value at rank ⌈p/100 · n⌉, clamped to 1..n.
 *
 * @param sorted Values sorted ascending.
 * @param p Percentile in 0..100.
 * @returns NaN for an empty list.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
