/**
 * Lexical retrieval with SQLite FTS5 `bm25()` (Robertson & Zaragoza's Okapi BM25 as implemented
 * by FTS5, k1 = 1.2, b = 0.75) over the chunk indexes of migrations/0002_fts.sql.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { SearchScope } from "../schemas";

/** Column weights of `chunks_fts` in bm25(): title, heading, content. */
export const BM25_WEIGHTS = { title: 4.0, heading: 2.0, content: 1.0 } as const;

/** A lexical hit: chunk id and BM25 score (higher is better; FTS5's sign is flipped). */
export interface LexicalHit {
  id: string;
  score: number;
}

function scopeSql(scope?: SearchScope) {
  const parts = [];
  if (scope?.domains.length) parts.push(sql` AND d.domain IN (SELECT value FROM json_each(${JSON.stringify(scope.domains)}))`);
  if (scope?.tags.length) {
    parts.push(sql` AND EXISTS (SELECT 1 FROM json_each(d.tags) t WHERE t.value IN (SELECT value FROM json_each(${JSON.stringify(scope.tags)})))`);
  }
  return sql.join(parts, sql``);
}

/**
 * Top `limit` chunks of the porter index for a MATCH expression (from fts-query.ts), best first.
 * Without a scope, FTS5 ranks and cuts to `limit` before the join to `chunks` (joining every match
 * first would double the cost on large indexes: every OR query matching most of 100,000 chunks).
 */
export async function searchPorter(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  const { title, heading, content } = BM25_WEIGHTS;
  if (!scope?.domains.length && !scope?.tags.length) {
    return db.all<{ id: string; score: number }>(sql`
      SELECT c.id AS id, f.score AS score
      FROM (
        SELECT rowid AS seq, -bm25(chunks_fts, ${title}, ${heading}, ${content}) AS score
        FROM chunks_fts
        WHERE chunks_fts MATCH ${match}
        ORDER BY bm25(chunks_fts, ${title}, ${heading}, ${content})
        LIMIT ${limit}
      ) f
      JOIN chunks c ON c.seq = f.seq
      ORDER BY f.score DESC`);
  }
  return db.all<{ id: string; score: number }>(sql`
    SELECT c.id AS id, -bm25(chunks_fts, ${title}, ${heading}, ${content}) AS score
    FROM chunks_fts
    JOIN chunks c ON c.seq = chunks_fts.rowid
    JOIN documents d ON d.id = c.document_id
    WHERE chunks_fts MATCH ${match}${scopeSql(scope)}
    ORDER BY bm25(chunks_fts, ${title}, ${heading}, ${content})
    LIMIT ${limit}`);
}

/** Top `limit` chunks of the trigram index for a MATCH expression, best first (ranked before the join without a scope). */
export async function searchTrigram(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  if (!scope?.domains.length && !scope?.tags.length) {
    return db.all<{ id: string; score: number }>(sql`
      SELECT c.id AS id, f.score AS score
      FROM (
        SELECT rowid AS seq, -bm25(chunks_trigram) AS score
        FROM chunks_trigram
        WHERE chunks_trigram MATCH ${match}
        ORDER BY bm25(chunks_trigram)
        LIMIT ${limit}
      ) f
      JOIN chunks c ON c.seq = f.seq
      ORDER BY f.score DESC`);
  }
  return db.all<{ id: string; score: number }>(sql`
    SELECT c.id AS id, -bm25(chunks_trigram) AS score
    FROM chunks_trigram
    JOIN chunks c ON c.seq = chunks_trigram.rowid
    JOIN documents d ON d.id = c.document_id
    WHERE chunks_trigram MATCH ${match}${scopeSql(scope)}
    ORDER BY bm25(chunks_trigram)
    LIMIT ${limit}`);
}

/** Corpus statistics of index terms: chunk count `n` and each term's chunk frequency `df`. */
export interface TermStats {
  n: number;
  df: Map<string, number>;
}

/**
 * Chunk frequencies of index terms from the `chunks_vocab` fts5vocab table, and the chunk count
 * (kept by triggers in `corpus_stats`, migrations/0004_chunk_count.sql, rather than counted per
 * query). Terms absent from the index have df 0. At most 64 distinct terms are looked up.
 */
export async function termStats(db: Database, terms: readonly string[]): Promise<TermStats> {
  const distinct = [...new Set(terms)].slice(0, 64);
  const [rows, total] = await Promise.all([
    distinct.length === 0
      ? []
      : db.all<{ term: string; doc: number }>(sql`SELECT term, doc FROM chunks_vocab WHERE term IN (SELECT value FROM json_each(${JSON.stringify(distinct)}))`),
    db.get<{ n: number }>(sql`SELECT value AS n FROM corpus_stats WHERE name = 'chunks'`),
  ]);
  const found = new Map(rows.map((r) => [r.term, r.doc]));
  return { n: total?.n ?? 0, df: new Map(distinct.map((t) => [t, found.get(t) ?? 0])) };
}

/** BM25's inverse document frequency, ln(1 + (N − df + 0.5) / (df + 0.5)); always positive. */
export function idfOf(stats: TermStats, term: string): number {
  const df = stats.df.get(term) ?? 0;
  return Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
}

/** IDF of each term (Spärck Jones 1972, in BM25's form) over chunks. */
export async function termIdf(db: Database, terms: readonly string[]): Promise<Map<string, number>> {
  const stats = await termStats(db, terms);
  return new Map([...stats.df.keys()].map((t) => [t, idfOf(stats, t)]));
}
