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

/** Top `limit` chunks of the porter index for a MATCH expression (from fts-query.ts). */
export async function searchPorter(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  const { title, heading, content } = BM25_WEIGHTS;
  const rows = await db.all<{ id: string; score: number }>(sql`
    SELECT c.id AS id, -bm25(chunks_fts, ${title}, ${heading}, ${content}) AS score
    FROM chunks_fts
    JOIN chunks c ON c.seq = chunks_fts.rowid
    JOIN documents d ON d.id = c.document_id
    WHERE chunks_fts MATCH ${match}${scopeSql(scope)}
    ORDER BY bm25(chunks_fts, ${title}, ${heading}, ${content})
    LIMIT ${limit}`);
  return rows;
}

/** Top `limit` chunks of the trigram index for a MATCH expression. */
export async function searchTrigram(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  const rows = await db.all<{ id: string; score: number }>(sql`
    SELECT c.id AS id, -bm25(chunks_trigram) AS score
    FROM chunks_trigram
    JOIN chunks c ON c.seq = chunks_trigram.rowid
    JOIN documents d ON d.id = c.document_id
    WHERE chunks_trigram MATCH ${match}${scopeSql(scope)}
    ORDER BY bm25(chunks_trigram)
    LIMIT ${limit}`);
  return rows;
}

/**
 * Inverse document frequency of index terms over chunks, from the `chunks_vocab` fts5vocab table:
 * idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)) (the BM25 form, always positive). Terms absent
 * from the index get the idf of df = 0.
 */
export async function termIdf(db: Database, terms: readonly string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(terms)].slice(0, 64);
  const [rows, total] = await Promise.all([
    distinct.length === 0
      ? []
      : db.all<{ term: string; doc: number }>(sql`SELECT term, doc FROM chunks_vocab WHERE term IN (SELECT value FROM json_each(${JSON.stringify(distinct)}))`),
    db.get<{ n: number }>(sql`SELECT count(*) AS n FROM chunks`),
  ]);
  const n = total?.n ?? 0;
  const df = new Map(rows.map((r) => [r.term, r.doc]));
  const idf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
  return new Map(distinct.map((t) => [t, idf(df.get(t) ?? 0)]));
}
