/**
 * Hybrid retrieval: BM25 over FTS5 and vector similarity, fused with reciprocal rank fusion.
 */
import { database, type Database } from "../db/client";
import type { Providers } from "../config";
import { chunkEmbeddingText } from "../rag/chunking";
import { expansionCandidates, expansionTerms, feedbackWithinBudget, rocchio } from "../rag/feedback";
import { buildMatchExpressions, expandPhrases, type MatchPhrase } from "../rag/fts-query";
import type { QueryPhrase } from "../rag/bm25-pruning";
import { reciprocalRankFusion } from "../rag/fusion";
import type { GroupBy, RetrievalMode, SearchScope } from "../schemas";
import { chunkRefs, loadChunks } from "../storage/documents";
import { idfOf, searchPorterPhrases, searchTrigram, termStats, vocabularyNear, type TermStats } from "../storage/lexical";
import { correctionCandidates, MAX_CORRECTED_WORDS, nearestTerm } from "../rag/spelling";
import { HashingEmbedder } from "../rag/embedding/hashing";
import { contentTerms } from "../rag/text";
import { headingPath } from "../rag/headings";
import type { VectorFilter } from "../vector/types";

/** One retrieved chunk. Ranks are 1-based positions in each list, null when absent from it. */
export interface RetrievedChunk {
  chunk_id: string;
  document_id: string;
  title: string;
  source: string;
  /** The document's domain, or null. */
  domain: string | null;
  /** Display heading path: the page title, then its section headings ("Configuration > Receivers"). */
  heading: string;
  content: string;
  /** RRF score, Σ 1/(60 + rank). */
  score: number;
  lexical_rank: number | null;
  vector_rank: number | null;
  /** Rank in the second BM25 pass with pseudo-relevance-feedback expansion terms (hybrid mode). */
  expansion_rank: number | null;
}

/**
 * Retrieval output with stage timings in ms, each measured from the start of retrieval: `lexical`
 * until the BM25 lists are in, `vector` until the vector list is in (query embedding and IDF
 * lookup included); `fusion` from both lists to the answer (candidate check, fusion, grouping and
 * loading the returned chunks).
 */
export interface RetrievalResult {
  results: RetrievedChunk[];
  timings_ms: { lexical: number; vector: number; fusion: number };
  /** Terms added to the query by pseudo-relevance feedback (empty when it did not run). */
  expansion_terms: string[];
  /**
   * Query words the index does not know, each with the index term searched in addition
   * (`from` and `to` are Porter stems); empty when every word is known.
   */
  spelling_corrections: SpellingCorrection[];
}

/** A query word corrected against the index vocabulary (see rag/spelling.ts). */
export interface SpellingCorrection {
  /** The word's index term (stem), absent from the index. */
  from: string;
  /** The nearest index term, searched as well. */
  to: string;
}

/** Most distinct terms whose IDF the offline query embedding looks up (the first ones). */
const MAX_EMBEDDING_TERMS = 64;

/** Distinct terms whose IDF the offline query embedding uses: the first {@link MAX_EMBEDDING_TERMS}. */
function embeddingTerms(terms: readonly string[]): string[] {
  return [...new Set(terms)].slice(0, MAX_EMBEDDING_TERMS);
}

/** A query's terms, derived once per retrieval. */
interface QueryTerms {
  /** Its content terms in text order, duplicates kept (rag/text.ts). */
  content: string[];
  /** The index terms of its words that may be misspelt (rag/spelling.ts). */
  correctionCandidates: string[];
}

/**
 * Chunk frequencies of the query's terms, read in one D1 statement and shared by spelling
 * correction (its candidate words), the pruning of BM25 queries (the index terms of `phrases`,
 * see searchPorterPhrases) and, in modes that embed the query with the offline hashing embedder,
 * the embedding's IDF weights. Null when there is nothing to look up.
 */
async function queryTermStats(db: Database, p: Providers, terms: QueryTerms, mode: RetrievalMode, phrases: readonly MatchPhrase[]): Promise<TermStats | null> {
  const forEmbedding = mode !== "lexical" && p.embedder instanceof HashingEmbedder ? embeddingTerms(terms.content) : [];
  const forPruning = mode === "vector" ? [] : phrases.flatMap((ph) => (ph.term === null ? [] : [ph.term]));
  const all = [...new Set([...forEmbedding, ...forPruning, ...terms.correctionCandidates.slice(0, 64)])];
  return all.length === 0 ? null : termStats(db, all, all.length);
}

/**
 * Spelling corrections of a query: those of its `candidates` (correctionCandidates, the stems of
 * its longer Latin words) that no chunk contains, each with the nearest vocabulary term
 * (rag/spelling.ts). `stats` holds the candidates' chunk frequencies (see queryTermStats); the
 * vocabulary is read (one D1 statement) only when a word is unknown.
 */
async function spellingCorrections(db: Database, candidates: readonly string[], stats: TermStats | null): Promise<SpellingCorrection[]> {
  if (candidates.length === 0 || !stats || stats.n === 0) return [];
  const unknown = candidates.filter((t) => (stats.df.get(t) ?? 0) === 0).slice(0, MAX_CORRECTED_WORDS);
  if (unknown.length === 0) return [];
  const near = await vocabularyNear(db, unknown);
  return unknown.flatMap((from) => {
    const to = nearestTerm(from, near.get(from) ?? []);
    return to ? [{ from, to }] : [];
  });
}

/** Candidates taken from each list before fusion, for a final `topK` chunks. */
export function candidateDepth(topK: number): number {
  return Math.min(100, Math.max(topK * 5, 50));
}

/** Largest lexical candidate list when grouping by document (the vector index answers at most 100). */
export const MAX_DOCUMENT_DEPTH = 300;

/**
 * Chunk candidates taken from each list for a final `topK` documents: documents have several
 * chunks, so the lists go deeper (BM25 up to 300 chunks, the vector index its maximum of 100) so
 * that `topK` distinct documents are usually found.
 */
export function documentCandidateDepth(topK: number): { lexical: number; vector: number } {
  return { lexical: Math.min(MAX_DOCUMENT_DEPTH, Math.max(topK * 3, 50)), vector: 100 };
}

/**
 * Embeds the query. The offline hashing embedder embeds `options.terms` (default: the query's
 * content terms; retrieval adds spelling corrections, index terms hashed as they are) and weighs
 * each by its IDF in the corpus; model-backed embedders learned term importance already and
 * embed the query text as typed. `options.known` holds chunk frequencies already read for this
 * query; only terms missing from it are looked up (none, unless spelling correction added terms).
 */
export async function embedQuery(db: Database, p: Providers, query: string, options: { terms?: readonly string[]; known?: TermStats | null } = {}): Promise<Float32Array> {
  if (p.embedder instanceof HashingEmbedder) {
    const { terms: queryTerms = contentTerms(query), known } = options;
    const terms = embeddingTerms(queryTerms);
    const missing = known ? terms.filter((t) => !known.df.has(t)) : terms;
    const stats = missing.length === 0 && known ? known : await termStats(db, missing);
    const idf = new Map(terms.map((t) => [t, idfOf(known?.df.has(t) ? known : stats, t)]));
    return p.embedder.embedTerms(queryTerms, (t) => idf.get(t) ?? 1);
  }
  const [vector] = await p.embedder.embed([query], "query");
  return vector;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Options of {@link hybridSearch}. */
export interface SearchOptions {
  /** Restricts results to domains and tags; default: the whole knowledge base. */
  scope?: SearchScope;
  /** "hybrid" (default), or "lexical" / "vector" alone (that list is then the ranking). */
  mode?: RetrievalMode;
  /** "chunk" (default), or "document": at most one chunk, the best, per document. */
  groupBy?: GroupBy;
  /**
   * Pseudo-relevance feedback in hybrid mode (default true, when `PRF_CHUNKS` > 0). Turn it off
   * to see the spread of a query's interpretations: feedback pulls results towards the dominant one.
   */
  feedback?: boolean;
}

/**
 * Runs retrieval for `userQuery`, returning at most `topK` (1..100) chunks inside `options.scope`.
 * Words the index does not know are first corrected against its vocabulary
 * ({@link spellingCorrections}); the corrected terms are searched in addition. Hybrid mode fuses
 * BM25, vector similarity and, with pseudo-relevance feedback, a second BM25 pass over the
 * expanded query (the query embedding also moves towards the feedback chunks).
 * With `groupBy` "document", the chunks are ranked as usual (fused over deeper candidate lists)
 * and only the best chunk of each document is kept: at most `topK` chunks of distinct documents.
 *
 * Candidates are checked (they must exist and be inside the scope) and grouped on ids alone; the
 * content is read for the returned chunks only.
 *
 * @throws Error from D1 or the vector index (e.g. a query vector whose dimensions differ from the index's).
 */
export async function hybridSearch(env: Env, p: Providers, userQuery: string, topK: number, options: SearchOptions = {}): Promise<RetrievalResult> {
  const { scope, mode = "hybrid", groupBy = "chunk", feedback: feedbackAsked = true } = options;
  const db = database(env.DB);
  const t0 = performance.now();
  const match = buildMatchExpressions(userQuery);
  const terms: QueryTerms = { content: contentTerms(userQuery), correctionCandidates: correctionCandidates(userQuery) };
  // Misspelt words search their nearest index term too (an OR-ed term, so correct words lose nothing).
  const queryStats = await queryTermStats(db, p, terms, mode, match.porterPhrases);
  const corrections = await spellingCorrections(db, terms.correctionCandidates, queryStats);
  // The query's index terms with the corrections: embedded, and kept out of the expansion terms.
  const correctedTerms = [...terms.content, ...corrections.map((c) => c.to)];
  const { lexical: depth, vector: vectorDepth } = groupBy === "document" ? documentCandidateDepth(topK) : { lexical: candidateDepth(topK), vector: candidateDepth(topK) };
  // Corrections are index terms, searched through indexTermPhrase since FTS5 would stem them again.
  const porterPhrases = expandPhrases(match.porterPhrases, corrections.map((c) => c.to));
  const porterQuery = withFrequencies(porterPhrases, queryStats);

  // The query embedding starts first, so that its short D1 lookup (term statistics) runs before the
  // long FTS5 query instead of queueing behind it (npm run bench:scale, 100,000 chunks, without
  // feedback: hybrid p50 111 → 74 ms, as the Durable Object's scan then overlaps D1's ranking).
  const queryVectorPromise = mode === "lexical" ? null : embedQuery(db, p, userQuery, { terms: correctedTerms, known: queryStats });
  const lexicalPromise = (async () => {
    if (mode === "vector") return { ids: [] as string[], scores: new Map<string, number>(), ms: 0 };
    const [porter, trigram] = await Promise.all([
      porterQuery.length > 0 ? searchPorterPhrases(db, porterQuery, queryStats?.n ?? 0, depth, scope) : [],
      match.trigram ? searchTrigram(db, match.trigram, depth, scope) : [],
    ]);
    const ids = trigram.length === 0
      ? porter.map((h) => h.id)
      : reciprocalRankFusion([{ name: "porter", ids: porter.map((h) => h.id) }, { name: "trigram", ids: trigram.map((h) => h.id) }]).map((f) => f.id);
    // The depth-th BM25 score bounds the expanded query's from below (it scores every chunk at least as high).
    const theta = porter.length >= depth ? porter[depth - 1].score : undefined;
    return { ids: ids.slice(0, depth), scores: new Map(porter.map((h) => [h.id, h.score])), theta, ms: performance.now() - t0 };
  })();
  // Pseudo-relevance feedback (hybrid only): the best lexical chunks widen the BM25 query and
  // move the query embedding towards their stored embeddings (Rocchio). The two run apart, so the
  // vector query waits only for the stored embeddings, not for the expanded BM25 pass. Queries
  // whose phrases alone hold more postings than PRF_MAX_POSTINGS go without: the expanded pass,
  // which repeats them, would exceed the budget anyway (queryExpansion checks it with the expansion terms).
  const feedbackOn = feedbackAsked && mode === "hybrid" && p.config.PRF_CHUNKS > 0
    && feedbackWithinBudget(porterQuery.map((ph) => ph.df), p.config.PRF_MAX_POSTINGS);
  const feedbackPromise = feedbackOn
    ? lexicalPromise.then((lexical) => queryExpansion(db, p, new Set(correctedTerms), porterPhrases, queryStats, lexical, depth, scope))
    : Promise.resolve(null);
  const rocchioPromise = feedbackOn && p.embedder instanceof HashingEmbedder
    ? lexicalPromise.then((lexical) => feedbackEmbeddings(p, lexical.ids.slice(0, p.config.PRF_CHUNKS)))
    : Promise.resolve([]);
  const vectorPromise = (async () => {
    if (!queryVectorPromise) return { ids: [] as string[], ms: 0 };
    let vector = await queryVectorPromise;
    const feedbackVectors = await rocchioPromise;
    if (feedbackVectors.length) vector = rocchio(vector, feedbackVectors, p.config.PRF_BETA, p.config.PRF_DIMENSIONS);
    const filter: VectorFilter | undefined = scope?.domains.length ? { domain: { $in: scope.domains } } : undefined;
    // Tags are not in vector metadata: over-fetch and let the D1 hydration filter them.
    const matches = await p.vectorIndex.query(vector, scope?.tags.length ? 100 : vectorDepth, filter);
    return { ids: matches.map((m) => m.id), ms: performance.now() - t0 };
  })();
  const [lexical, vector, feedback] = await Promise.all([lexicalPromise, vectorPromise, feedbackPromise]);

  const t1 = performance.now();
  const expanded = feedback?.ids ?? [];
  // Fusion and grouping need only ids and document ids; content is loaded for the returned chunks.
  const refs = await chunkRefs(db, [...new Set([...lexical.ids, ...vector.ids, ...expanded])], scope);
  const documentOf = new Map(refs.map((r) => [r.id, r.documentId]));
  // Only ids that exist (and pass the scope) take part, so ranks are dense within each list.
  const fused = reciprocalRankFusion([
    { name: "lexical", ids: lexical.ids.filter((id) => documentOf.has(id)), weight: p.config.FUSION_LEXICAL_WEIGHT },
    { name: "vector", ids: vector.ids.filter((id) => documentOf.has(id)).slice(0, vectorDepth), weight: p.config.FUSION_VECTOR_WEIGHT },
    { name: "expansion", ids: expanded.filter((id) => documentOf.has(id)), weight: p.config.FUSION_EXPANSION_WEIGHT },
  ]);
  const kept: typeof fused = [];
  const documentsSeen = new Set<string>();
  for (const f of fused) {
    if (kept.length >= topK) break;
    if (groupBy === "document") {
      const documentId = documentOf.get(f.id)!;
      if (documentsSeen.has(documentId)) continue;
      documentsSeen.add(documentId);
    }
    kept.push(f);
  }
  const byId = new Map((await loadChunks(db, kept.map((f) => f.id))).map((r) => [r.id, r]));
  const results: RetrievedChunk[] = [];
  for (const f of kept) {
    const r = byId.get(f.id);
    if (!r) continue; // deleted since the candidates were checked
    results.push({
      chunk_id: r.id, document_id: r.documentId, title: r.title, source: r.source, domain: r.domain, heading: headingPath(r.title, r.heading), content: r.content,
      score: Math.round(f.score * 1e6) / 1e6, lexical_rank: f.ranks.lexical, vector_rank: f.ranks.vector, expansion_rank: f.ranks.expansion,
    });
  }
  return {
    results,
    timings_ms: { lexical: round(lexical.ms), vector: round(vector.ms), fusion: round(performance.now() - t1) },
    expansion_terms: feedback?.terms ?? [],
    spelling_corrections: corrections,
  };
}

/**
 * The phrases with the chunk frequencies of their index terms, taken from the first of `stats`
 * that looked the term up; null for phrases without a certain index term or not looked up.
 */
function withFrequencies(phrases: readonly MatchPhrase[], ...stats: (TermStats | null)[]): QueryPhrase[] {
  return phrases.map(({ phrase, term }) => {
    const df = term === null ? undefined : stats.find((s) => s?.df.has(term))?.df.get(term);
    return { phrase, df: df ?? null };
  });
}

/** What the query expansion of pseudo-relevance feedback produced for one query. */
interface ExpansionResult {
  /** Expansion terms added to the BM25 query. */
  terms: string[];
  /** Chunk ids of the expanded BM25 pass, best first (empty without expansion terms). */
  ids: string[];
}

/**
 * The stored embeddings of the feedback chunks (the top lexical chunks), for Rocchio: read from
 * the vector index instead of embedding the chunks' text again (that cost ~10 ms of CPU per query,
 * a fifth of a hybrid query's, in a CPU profile of `wrangler dev` on SciFact). Unknown ids are left out.
 */
async function feedbackEmbeddings(p: Providers, ids: string[]): Promise<Float32Array[]> {
  if (ids.length === 0) return [];
  return (await p.vectorIndex.getByIds(ids)).map((v) => v.values);
}

/**
 * Query expansion by pseudo-relevance feedback over the first lexical pass (rag/feedback.ts):
 * loads the top `PRF_CHUNKS` chunks, picks `PRF_TERMS` expansion terms (relevance-model weight ×
 * IDF from the FTS5 vocabulary) and runs the widened BM25 query, unless its phrases hold more
 * postings than PRF_MAX_POSTINGS (then no terms and no list). Returns null when the first pass
 * found nothing.
 */
async function queryExpansion(
  db: Database,
  p: Providers,
  queryTerms: ReadonlySet<string>,
  phrases: readonly MatchPhrase[],
  queryStats: TermStats | null,
  lexical: { ids: string[]; scores: Map<string, number>; theta?: number },
  depth: number,
  scope?: SearchScope,
): Promise<ExpansionResult | null> {
  const topIds = lexical.ids.slice(0, p.config.PRF_CHUNKS);
  if (topIds.length === 0) return null;
  const rows = await loadChunks(db, topIds);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const top = topIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const floor = Math.min(0, ...lexical.scores.values());
  const candidates = expansionCandidates(queryTerms, top.map((r) => ({ text: chunkEmbeddingText(r), score: lexical.scores.get(r.id) ?? floor })));
  const stats = await termStats(db, candidates.map((c) => c.term));
  const terms = expansionTerms(candidates, (t) => ((stats.df.get(t) ?? 0) > 0 ? idfOf(stats, t) : undefined), p.config.PRF_TERMS);
  if (terms.length === 0) return { terms, ids: [] };
  // Expansion terms are index terms: each is searched through a word of the feedback chunks that
  // stems to it, since FTS5 would stem the term itself again (indexTermPhrase).
  const wordOf = new Map(candidates.flatMap((c) => (c.word ? [[c.term, c.word] as const] : [])));
  const expanded = withFrequencies(expandPhrases(phrases, terms, (t) => wordOf.get(t)), queryStats, stats);
  if (!feedbackWithinBudget(expanded.map((ph) => ph.df), p.config.PRF_MAX_POSTINGS)) return { terms: [], ids: [] };
  const ids = (await searchPorterPhrases(db, expanded, stats.n, depth, scope, { theta: lexical.theta })).map((h) => h.id);
  return { terms, ids };
}
