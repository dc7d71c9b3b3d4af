/**
 * Lexical retrieval with SQLite FTS5 `bm25()` (Robertson & Zaragoza's Okapi BM25 as implemented
 * by FTS5, k1 = 1.2, b = 0.75) over the chunk indexes of migrations/0002_fts.sql.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { MAX_CORRECTED_WORDS, type VocabularyTerm } from "../rag/spelling";
import { orExpression } from "../rag/fts-query";
import { stem } from "../rag/text";
import type { SearchScope } from "../schemas";
import { mergeScored, provesTopK, pruningPlan, type QueryPhrase, type ScoredRow } from "../rag/bm25-pruning";

/** Column weights of `chunks_fts` in bm25(): title, heading, content. */
export const BM25_WEIGHTS = { title: 4.0, heading: 2.0, content: 1.0 } as const;

/** A lexical hit: chunk id and BM25 score (higher is better; FTS5's sign is flipped). */
export interface LexicalHit {
  id: string;
  score: number;
}

/**
 * SQL conditions, each starting with " AND ", that keep the chunks whose document (aliased `d`)
 * is inside `scope`: domain any of `scope.domains`, a tag any of `scope.tags`. Empty without a scope.
 */
export function scopeSql(scope?: SearchScope) {
  const parts = [];
  if (scope?.domains.length) parts.push(sql` AND d.domain IN (SELECT value FROM json_each(${JSON.stringify(scope.domains)}))`);
  if (scope?.tags.length) {
    parts.push(sql` AND EXISTS (SELECT 1 FROM json_each(d.tags) t WHERE t.value IN (SELECT value FROM json_each(${JSON.stringify(scope.tags)})))`);
  }
  return sql.join(parts, sql``);
}

/** The FTS5 indexes over `chunks` (migrations/0002_fts.sql). */
export const FTS_INDEXES = ["chunks_fts", "chunks_trigram"] as const;

/** One of {@link FTS_INDEXES}. */
export type FtsIndex = (typeof FTS_INDEXES)[number];

/** A lexical hit with its chunk's FTS5 rowid (`chunks.seq`), for merging partial lists. */
interface RankedRow extends LexicalHit, ScoredRow {}

/**
 * Top `limit` chunks of one FTS5 index for a MATCH expression, best first (BM25 descending; equal
 * scores in ascending rowid order, which is the order FTS5 yields matches in and SQLite's sort keeps).
 *
 * Without a scope the index is ranked alone and only the `limit` best rows are joined to `chunks`:
 * joining every match before sorting (thousands of rows for a query with common words) cost about
 * as much as computing BM25 itself. With a scope the join must come first, since the filter decides
 * which rows count towards the limit. Both forms return the same rows in the same order.
 */
async function searchIndex(db: Database, index: FtsIndex, match: string, limit: number, scope?: SearchScope): Promise<RankedRow[]> {
  const { title, heading, content } = BM25_WEIGHTS;
  const table = sql.raw(index);
  const bm25 = index === "chunks_fts" ? sql`bm25(chunks_fts, ${title}, ${heading}, ${content})` : sql`bm25(chunks_trigram)`;
  if (!scope?.domains.length && !scope?.tags.length) {
    return db.all<RankedRow>(sql`
      SELECT c.id AS id, -f.r AS score, f.rowid AS seq
      FROM (SELECT rowid, ${bm25} AS r FROM ${table} WHERE ${table} MATCH ${match} ORDER BY r LIMIT ${limit}) f
      JOIN chunks c ON c.seq = f.rowid
      ORDER BY f.r, f.rowid`);
  }
  return db.all<RankedRow>(sql`
    SELECT c.id AS id, -${bm25} AS score, c.seq AS seq
    FROM ${table}
    JOIN chunks c ON c.seq = ${table}.rowid
    JOIN documents d ON d.id = c.document_id
    WHERE ${table} MATCH ${match}${scopeSql(scope)}
    ORDER BY ${bm25}
    LIMIT ${limit}`);
}

const hits = (rows: readonly RankedRow[]): LexicalHit[] => rows.map(({ id, score }) => ({ id, score }));

/** Top `limit` chunks of the porter index for a MATCH expression (from fts-query.ts), best first. */
export async function searchPorter(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  return hits(await searchIndex(db, "chunks_fts", match, limit, scope));
}

/**
 * Top `limit` chunks of the porter index for the OR of `phrases` in a corpus of `n` chunks: the
 * same rows, scores and order as {@link searchPorter} of the OR-ed expression, but when common
 * phrases make it pay, only chunks holding a rarer phrase are scored (MaxScore, rag/bm25-pruning.ts):
 * two statements, `(E) AND (C)` and `E`, instead of one that scores every chunk holding a common
 * word. If their k-th score does not prove the result, the split is redone with that score as
 * the threshold (then exact by construction), and failing that the full query runs.
 *
 * @param options.theta A lower bound of the `limit`-th best score, when known (the expanded query
 *   of pseudo-relevance feedback holds every phrase of the first query, so it scores each chunk at
 *   least as high as the first pass did); it lets more phrases be non-essential.
 * @param options.minSkipped Postings the pruning must skip to run (default MIN_SKIPPED_POSTINGS).
 * @throws Error from D1.
 */
export async function searchPorterPhrases(
  db: Database,
  phrases: readonly QueryPhrase[],
  n: number,
  limit: number,
  scope?: SearchScope,
  { theta, minSkipped }: { theta?: number; minSkipped?: number } = {},
): Promise<LexicalHit[]> {
  let plan = pruningPlan(phrases, n, theta, minSkipped);
  for (let round = 0; plan && round < 2; round++) {
    const essential = plan.essential.join(" OR ");
    const both = `(${essential}) AND (${plan.nonEssential.join(" OR ")})`;
    const lists = await Promise.all([searchIndex(db, "chunks_fts", both, limit, scope), searchIndex(db, "chunks_fts", essential, limit, scope)]);
    const top = mergeScored(lists, limit);
    if (provesTopK(top, limit, plan.bound)) return hits(top);
    plan = top.length >= limit ? pruningPlan(phrases, n, top[limit - 1].score, minSkipped) : null;
  }
  return searchPorter(db, orExpression(phrases)!, limit, scope);
}

/** Top `limit` chunks of the trigram index for a MATCH expression, best first. */
export async function searchTrigram(db: Database, match: string, limit: number, scope?: SearchScope): Promise<LexicalHit[]> {
  return hits(await searchIndex(db, "chunks_trigram", match, limit, scope));
}

/** Corpus statistics of index terms: chunk count `n` and each term's chunk frequency `df`. */
export interface TermStats {
  n: number;
  df: Map<string, number>;
}

/**
 * Chunk frequencies of index terms from the `chunks_vocab` fts5vocab table, and the chunk count,
 * (kept by triggers in `corpus_stats`, migrations/0004_chunk_count.sql, rather than counted per
 * query), in one D1 statement. Terms absent from the index have df 0. At most `limit` (default 64)
 * distinct terms are looked up, the first ones.
 */
export async function termStats(db: Database, terms: readonly string[], limit = 64): Promise<TermStats> {
  const distinct = [...new Set(terms)].slice(0, limit);
  // The chunk count is the row with a NULL term (index terms are never NULL).
  const rows = await db.all<{ term: string | null; doc: number }>(
    distinct.length === 0
      ? sql`SELECT NULL AS term, value AS doc FROM corpus_stats WHERE name = 'chunks'`
      : sql`SELECT NULL AS term, value AS doc FROM corpus_stats WHERE name = 'chunks'
            UNION ALL
            SELECT term, doc FROM chunks_vocab WHERE term IN (SELECT value FROM json_each(${JSON.stringify(distinct)}))`,
  );
  let n = 0;
  const found = new Map<string, number>();
  for (const r of rows) {
    if (r.term === null) n = r.doc;
    else found.set(r.term, r.doc);
  }
  return { n, df: new Map(distinct.map((t) => [t, found.get(t) ?? 0])) };
}

/**
 * Chunk frequencies of stems counted as prefixes followed by Hangul ("상태" covers "상태를",
 * "상태는"; "props" covers "props를"): the porter index keeps Korean words whole, with their
 * particles, so an exact lookup finds none. A Latin continuation does not count ("tempo" does not
 * cover "temporality"). The sum over the prefix's vocabulary terms over-counts chunks that hold
 * several forms; min(sum, n) is used. One D1 statement for at most `limit` (default 16) stems;
 * returns stem → df.
 */
export async function prefixChunkFrequencies(db: Database, stems: readonly string[], n: number, limit = 16): Promise<Map<string, number>> {
  const distinct = [...new Set(stems)].slice(0, limit);
  if (distinct.length === 0) return new Map();
  const rows = await db.all<{ stem: string; doc: number }>(sql`
    SELECT s.value AS stem, coalesce((SELECT sum(v.doc) FROM chunks_vocab v WHERE v.term >= s.value AND v.term < s.value || char(1114111)
      AND unicode(substr(v.term, length(s.value) + 1)) BETWEEN ${HANGUL_FIRST} AND ${HANGUL_LAST}), 0) AS doc
    FROM json_each(${JSON.stringify(distinct)}) s`);
  return new Map(rows.map((r) => [r.stem, Math.min(r.doc, n)]));
}

/**
 * Which of `names` (each a list of lower-case words, see rag/names.ts) the knowledge base mentions:
 * a name is found when the porter index holds its words as a phrase ("unstable_cache" →
 * `"unstable cache"`, stemmed as the index is) or, for a one-word name, when an index term is that
 * word's stem followed by Hangul ("angular의"). One D1 statement for at most `limit` (default 8)
 * names; returns the indexes of the names found.
 */
export async function namesFound(db: Database, names: readonly (readonly string[])[], limit = 8): Promise<Set<number>> {
  const asked = names.slice(0, limit).map((ws) => ({ phrase: `"${ws.map((w) => w.replace(/"/g, "")).join(" ")}"`, stem: ws.length === 1 ? stem(ws[0]) : "" }));
  if (asked.length === 0) return new Set();
  const rows = await db.all<{ i: number; found: number }>(sql`
    SELECT n.key AS i, EXISTS (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH n.value ->> 'phrase')
      OR (n.value ->> 'stem' <> '' AND EXISTS (SELECT 1 FROM chunks_vocab v WHERE v.term > n.value ->> 'stem' AND v.term < (n.value ->> 'stem') || char(1114111)
        AND unicode(substr(v.term, length(n.value ->> 'stem') + 1)) BETWEEN ${HANGUL_FIRST} AND ${HANGUL_LAST})) AS found
    FROM json_each(${JSON.stringify(asked)}) n`);
  return new Set(rows.filter((r) => r.found).map((r) => r.i));
}

/** Code points of the Hangul syllables block (U+AC00–U+D7A3), which particles are written in. */
const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;

/** BM25's inverse document frequency, ln(1 + (N − df + 0.5) / (df + 0.5)); always positive. */
export function idfOf(stats: TermStats, term: string): number {
  const df = stats.df.get(term) ?? 0;
  return Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
}

/**
 * Index terms near each of `terms` for spelling correction: the vocabulary terms (with their chunk
 * frequency) that share the term's first two characters and whose length is within 2 of it, read
 * from the `chunks_vocab` fts5vocab table (a range scan on its sorted terms), in one D1 statement.
 * At most {@link MAX_CORRECTED_WORDS} terms are looked up; terms under 3 characters get none.
 */
export async function vocabularyNear(db: Database, terms: readonly string[]): Promise<Map<string, VocabularyTerm[]>> {
  const wanted = [...new Set(terms)].filter((t) => t.length >= 3).slice(0, MAX_CORRECTED_WORDS);
  const out = new Map(wanted.map((t) => [t, [] as VocabularyTerm[]]));
  if (wanted.length === 0) return out;
  const parts = wanted.map((t) => {
    const prefix = t.slice(0, 2);
    // Terms in [prefix, prefix + U+FFFF) start with the prefix.
    return sql`SELECT ${t} AS q, term, doc FROM chunks_vocab WHERE term >= ${prefix} AND term < ${prefix + "\uffff"} AND length(term) BETWEEN ${t.length - 2} AND ${t.length + 2}`;
  });
  const rows = await db.all<{ q: string; term: string; doc: number }>(sql.join(parts, sql` UNION ALL `));
  for (const r of rows) out.get(r.q)?.push({ term: r.term, df: r.doc });
  return out;
}

/** Leaf pages merged per step of {@link compactLexicalIndexes} (FTS5's 'merge' page budget). */
export const MERGE_STEP_PAGES = 2000;

/** What one run of {@link compactLexicalIndexes} did to one index. */
export interface IndexCompaction {
  index: FtsIndex;
  segmentsBefore: number;
  segmentsAfter: number;
  /** 'merge' statements run (each writes at most about MERGE_STEP_PAGES pages). */
  steps: number;
}

/** The number of b-tree segments of an FTS5 index (distinct `segid` of its `%_idx` shadow table). */
export async function segmentCount(db: D1Database, index: FtsIndex): Promise<number> {
  const row = await db.prepare(`SELECT count(DISTINCT segid) AS n FROM ${index}_idx`).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Merges the b-tree segments of both FTS5 indexes towards one, in bounded steps. Every write
 * transaction (an ingestion batch) adds a segment and FTS5's automerge keeps several per level, so
 * a query looks each term up in every segment: after ingesting 100,000 chunks the porter index
 * had 10 segments and the trigram index 24, and merged into one each, the same BM25 queries ran
 * 10–20 % faster (BENCHMARKS.md). Each step is FTS5's `'merge'` command with a negative page
 * budget, which merges segments of every level, as few as two at a time
 * (https://sqlite.org/fts5.html#the_merge_command); about 200 ms of D1 time per step at 100,000
 * chunks. An index stops at one segment, after `maxSteps` steps, or once `budgetMs` has passed;
 * the next run goes on where it stopped. Results of searches are unchanged: only the layout is.
 *
 * @throws Error from D1.
 */
export async function compactLexicalIndexes(db: D1Database, { maxSteps = 40, budgetMs = 10_000 } = {}): Promise<IndexCompaction[]> {
  const started = Date.now();
  const out: IndexCompaction[] = [];
  for (const index of FTS_INDEXES) {
    const segmentsBefore = await segmentCount(db, index);
    let segments = segmentsBefore;
    let steps = 0;
    while (segments > 1 && steps < maxSteps && Date.now() - started < budgetMs) {
      await db.prepare(`INSERT INTO ${index}(${index}, rank) VALUES('merge', ?)`).bind(-MERGE_STEP_PAGES).run();
      steps++;
      segments = await segmentCount(db, index);
    }
    out.push({ index, segmentsBefore, segmentsAfter: segments, steps });
  }
  return out;
}
