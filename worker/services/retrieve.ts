/**
 * Hybrid retrieval: BM25 over FTS5 and vector similarity, fused with reciprocal rank fusion.
 */
import { database } from "../db/client";
import type { Providers } from "../config";
import { buildMatchExpressions } from "../rag/fts-query";
import { reciprocalRankFusion } from "../rag/fusion";
import type { GroupBy, RetrievalMode, SearchScope } from "../schemas";
import { loadChunks } from "../storage/documents";
import { searchPorter, searchTrigram, termIdf } from "../storage/lexical";
import { HashingEmbedder } from "../rag/embedding/hashing";
import { contentTerms } from "../rag/text";
import type { VectorFilter } from "../vector/types";

/** One retrieved chunk. Ranks are 1-based positions in each list, null when absent from it. */
export interface RetrievedChunk {
  chunk_id: string;
  document_id: string;
  title: string;
  source: string;
  /** The document's domain, or null. */
  domain: string | null;
  heading: string;
  content: string;
  /** RRF score, Σ 1/(60 + rank). */
  score: number;
  lexical_rank: number | null;
  vector_rank: number | null;
}

/** Retrieval output with stage timings in ms. */
export interface RetrievalResult {
  results: RetrievedChunk[];
  timings_ms: { lexical: number; vector: number; fusion: number };
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
 * Embeds the query. The offline hashing embedder weighs each query term by its IDF in the
 * corpus (model-backed embedders learned term importance already and embed the text as is).
 */
export async function embedQuery(db: ReturnType<typeof database>, p: Providers, query: string): Promise<Float32Array> {
  if (p.embedder instanceof HashingEmbedder) {
    const idf = await termIdf(db, contentTerms(query));
    return p.embedder.embedWeighted(query, (t) => idf.get(t) ?? 1);
  }
  const [vector] = await p.embedder.embed([query], "query");
  return vector;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Runs retrieval for `query`, returning at most `topK` (1..100) chunks inside `scope`. `mode`
 * "lexical" or "vector" runs one retriever alone (its list is then the ranking). With `groupBy`
 * "document", the chunks are ranked as usual (fused over deeper candidate lists) and only the
 * best chunk of each document is kept: at most `topK` chunks of distinct documents.
 */
export async function hybridSearch(
  env: Env,
  p: Providers,
  query: string,
  topK: number,
  scope?: SearchScope,
  mode: RetrievalMode = "hybrid",
  groupBy: GroupBy = "chunk",
): Promise<RetrievalResult> {
  const db = database(env.DB);
  const { lexical: depth, vector: vectorDepth } = groupBy === "document" ? documentCandidateDepth(topK) : { lexical: candidateDepth(topK), vector: candidateDepth(topK) };
  const match = buildMatchExpressions(query);

  const t0 = performance.now();
  // The vector branch starts first, so that its short D1 lookup (term statistics) runs before the
  // long FTS5 query instead of queueing behind it, and the Durable Object's scan overlaps with
  // D1's ranking (npm run bench:scale, 100,000 chunks, same state and load: hybrid p50 111 → 74 ms).
  const vectorPromise = (async () => {
    if (mode === "lexical") return { ids: [] as string[], ms: 0 };
    const vector = await embedQuery(db, p, query);
    const filter: VectorFilter | undefined = scope?.domains.length ? { domain: { $in: scope.domains } } : undefined;
    // Tags are not in vector metadata: over-fetch and let the D1 hydration filter them.
    const matches = await p.vectorIndex.query(vector, scope?.tags.length ? 100 : vectorDepth, filter);
    return { ids: matches.map((m) => m.id), ms: performance.now() - t0 };
  })();
  const lexicalPromise = (async () => {
    if (mode === "vector") return { ids: [] as string[], ms: 0 };
    const [porter, trigram] = await Promise.all([
      match.porter ? searchPorter(db, match.porter, depth, scope) : [],
      match.trigram ? searchTrigram(db, match.trigram, depth, scope) : [],
    ]);
    const ids = trigram.length === 0
      ? porter.map((h) => h.id)
      : reciprocalRankFusion([{ name: "porter", ids: porter.map((h) => h.id) }, { name: "trigram", ids: trigram.map((h) => h.id) }]).map((f) => f.id);
    return { ids: ids.slice(0, depth), ms: performance.now() - t0 };
  })();
  const [lexical, vector] = await Promise.all([lexicalPromise, vectorPromise]);

  const t1 = performance.now();
  const rows = await loadChunks(db, [...new Set([...lexical.ids, ...vector.ids])], scope);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Only ids that exist (and pass the scope) take part, so ranks are dense within each list.
  const fused = reciprocalRankFusion([
    { name: "lexical", ids: lexical.ids.filter((id) => byId.has(id)), weight: p.config.FUSION_LEXICAL_WEIGHT },
    { name: "vector", ids: vector.ids.filter((id) => byId.has(id)).slice(0, vectorDepth), weight: p.config.FUSION_VECTOR_WEIGHT },
  ]);
  const kept: typeof fused = [];
  const documentsSeen = new Set<string>();
  for (const f of fused) {
    if (kept.length >= topK) break;
    if (groupBy === "document") {
      const documentId = byId.get(f.id)!.documentId;
      if (documentsSeen.has(documentId)) continue;
      documentsSeen.add(documentId);
    }
    kept.push(f);
  }
  const results = kept.map((f) => {
    const r = byId.get(f.id)!;
    return {
      chunk_id: r.id, document_id: r.documentId, title: r.title, source: r.source, domain: r.domain, heading: r.heading, content: r.content,
      score: Math.round(f.score * 1e6) / 1e6, lexical_rank: f.ranks.lexical, vector_rank: f.ranks.vector,
    };
  });
  return {
    results,
    timings_ms: { lexical: round(lexical.ms), vector: round(vector.ms), fusion: round(performance.now() - t1) },
  };
}
