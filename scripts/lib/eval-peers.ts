/**
 * In-process peer baselines for the retrieval evaluation: MiniSearch and Orama, each with its
 * default BM25-style full-text ranking, and plain SQLite FTS5 (node:sqlite) with the trigram and
 * unicode61 tokenizers, indexing `{id, title, text}` documents and answering every query with its
 * top document ids. Figures are in-process (no HTTP, no persistence), run one query
 * at a time on the calling thread. Plain TypeScript run by Node's type stripping.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import MiniSearch from "minisearch";
import { create, insertMultiple, search } from "@orama/orama";
import type { EvalDocument, EvalQuery } from "./eval-datasets.ts";

/** The rankings and timings of one peer. */
export interface PeerRun {
  /** `MiniSearch`, `Orama`, `fts5-trigram` or `fts5-unicode61`. */
  name: string;
  /** Installed package version. */
  version: string;
  /** How the index was configured, for the report. */
  config: string;
  /** Wall-clock seconds to build the index over the whole corpus. */
  indexSeconds: number;
  /** Query id → document ids, best first, at most `topK`. */
  run: Map<string, string[]>;
  /** Latency of each query in milliseconds (search call only), in the order of the queries given. */
  latencyMs: number[];
  /** Queries that returned no document. */
  emptyQueries: number;
}

/** Options of the peer runners. */
export interface PeerOptions {
  /** Documents kept per query. Default 100. */
  topK?: number;
}

const require = createRequire(import.meta.url);

/** Version of an installed package, or `unknown`. */
async function versionOf(name: string): Promise<string> {
  try {
    // Resolve the package's entry, then walk up to its package.json.
    let dir = path.dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8").catch(() => "{}")) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
      dir = path.dirname(dir);
    }
  } catch {
    // fall through
  }
  return "unknown";
}

/**
 * Answers every query in order with `search`, timing each call of it (all it does: building the
 * query, searching, mapping the hits to ids). A synchronous result is used without awaiting it.
 *
 * @param queries Queries to answer, in order.
 * @param search Document ids for one query, best first, already cut to `topK`.
 * @returns The rankings by query id, the latency of each query in ms, and the queries without any document.
 */
async function rankQueries(
  queries: readonly EvalQuery[],
  search: (query: EvalQuery) => string[] | Promise<string[]>,
): Promise<Pick<PeerRun, "run" | "latencyMs" | "emptyQueries">> {
  const run = new Map<string, string[]>();
  const latencyMs: number[] = [];
  let emptyQueries = 0;
  for (const q of queries) {
    const start = performance.now();
    const found = search(q);
    const ids = found instanceof Promise ? await found : found;
    latencyMs.push(performance.now() - start);
    if (ids.length === 0) emptyQueries++;
    run.set(q.id, ids);
  }
  return { run, latencyMs, emptyQueries };
}

/**
 * MiniSearch 7 with its defaults: `new MiniSearch({ fields: ["title", "text"] })` (default
 * tokenizer splitting on Unicode spaces and punctuation, lower-casing, no stemming or stop words;
 * BM25+ scoring with k = 1.2, b = 0.7, d = 0.5; OR of the query terms, no prefix or fuzzy
 * matching, equal field boosts), `addAll(corpus)`, then `search(query.text)` per query.
 *
 * @param corpus Documents to index; `id` must be unique.
 * @param queries Queries to answer, in order.
 * @returns Rankings of at most `topK` (default 100) document ids and per-query latency in ms.
 * @throws Error from MiniSearch, e.g. on a duplicate document id.
 */
export async function runMiniSearch(corpus: readonly EvalDocument[], queries: readonly EvalQuery[], options: PeerOptions = {}): Promise<PeerRun> {
  const topK = options.topK ?? 100;
  const t0 = performance.now();
  const index = new MiniSearch<EvalDocument>({ fields: ["title", "text"] });
  index.addAll(corpus as EvalDocument[]);
  const indexSeconds = (performance.now() - t0) / 1000;
  const ranked = await rankQueries(queries, (q) => index.search(q.text).slice(0, topK).map((h) => String(h.id)));
  return {
    name: "MiniSearch",
    version: await versionOf("minisearch"),
    config: "fields [title, text], default options (BM25+, OR, no stemming)",
    indexSeconds,
    ...ranked,
  };
}

/**
 * Orama 3 with its defaults: `create({ schema: { title: "string", text: "string" } })` (default
 * English tokenizer: splits on anything but `[A-Za-z0-9_'-]` and a few accented letters, so other
 * scripts such as Hangul are dropped; no stemming, no stop words), `insertMultiple(db, corpus)`,
 * then `search(db, { term: query.text, limit: topK })` per query (BM25 with k = 1.2, b = 0.75,
 * d = 0.5; default threshold 1, i.e. documents matching any term).
 *
 * @param corpus Documents to index; `id` must be unique (it becomes Orama's document id).
 * @param queries Queries to answer, in order.
 * @returns Rankings of at most `topK` (default 100) document ids and per-query latency in ms.
 * @throws Error from Orama, e.g. on a duplicate document id.
 */
export async function runOrama(corpus: readonly EvalDocument[], queries: readonly EvalQuery[], options: PeerOptions = {}): Promise<PeerRun> {
  const topK = options.topK ?? 100;
  const t0 = performance.now();
  const db = create({ schema: { title: "string", text: "string" } as const });
  await insertMultiple(db, corpus.map((d) => ({ id: d.id, title: d.title, text: d.text })));
  const indexSeconds = (performance.now() - t0) / 1000;
  const ranked = await rankQueries(queries, async (q) => (await search(db, { term: q.text, limit: topK })).hits.map((h) => String(h.id)));
  return {
    name: "Orama",
    version: await versionOf("@orama/orama"),
    config: "schema {title, text}, default options (BM25, english tokenizer, no stemming)",
    indexSeconds,
    ...ranked,
  };
}

/** SQLite FTS5 tokenizers of the in-process lexical baselines. */
export type Fts5Tokenizer = "trigram" | "unicode61";

/** Leading and trailing punctuation and symbols of a token (`"서울은?"` → `서울은`). */
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/**
 * The FTS5 MATCH expression of a query for {@link runFts5}: the query's whitespace-separated
 * tokens, leading/trailing punctuation trimmed, each quoted as an FTS5 string (inner `"` doubled)
 * and OR-ed; with `trigram`, tokens shorter than 3 characters are dropped (the trigram tokenizer
 * cannot match them). Null when no token is left.
 */
export function fts5OrQuery(text: string, tokenizer: Fts5Tokenizer): string | null {
  const tokens = text
    .split(/\s+/u)
    .map((t) => t.replace(EDGE_PUNCTUATION, ""))
    .filter((t) => t.length > 0 && (tokenizer !== "trigram" || [...t].length >= 3));
  const distinct = [...new Set(tokens)];
  return distinct.length > 0 ? distinct.map((t) => `"${t.replaceAll('"', '""')}"`).join(" OR ") : null;
}

/**
 * A plain SQLite FTS5 baseline, in process with `node:sqlite` (an in-memory database):
 * `CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='<tokenizer>')` (`trigram`, or
 * `unicode61` with its defaults: case folding, diacritics removed, no stemming), one row per
 * document, then per query `SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT topK`
 * with the OR query of {@link fts5OrQuery} (BM25 k1 = 1.2, b = 0.75, equal column weights).
 * The same engine as edge-rag's lexical retriever, without its chunking, stemming, stop words,
 * Korean suffix handling or fusion: a same-run reference for what FTS5 alone does.
 *
 * @param corpus Documents to index; ids should be unique.
 * @param queries Queries to answer, in order.
 * @param tokenizer `trigram` or `unicode61`.
 * @returns Rankings of at most `topK` (default 100) document ids and per-query latency in ms.
 * @throws Error when `node:sqlite` or FTS5 is unavailable.
 */
export async function runFts5(corpus: readonly EvalDocument[], queries: readonly EvalQuery[], tokenizer: Fts5Tokenizer, options: PeerOptions = {}): Promise<PeerRun> {
  const topK = options.topK ?? 100;
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(":memory:");
  try {
    const t0 = performance.now();
    db.exec(`CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='${tokenizer}')`);
    const insert = db.prepare("INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)");
    db.exec("BEGIN");
    corpus.forEach((d, i) => insert.run(i + 1, d.title, d.text));
    db.exec("COMMIT");
    const indexSeconds = (performance.now() - t0) / 1000;
    const search = db.prepare("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?");
    const ranked = await rankQueries(queries, (q) => {
      const match = fts5OrQuery(q.text, tokenizer);
      return match === null ? [] : (search.all(match, topK) as { rowid: number }[]).map((r) => corpus[r.rowid - 1].id);
    });
    const version = (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
    return {
      name: `fts5-${tokenizer}`,
      version: `SQLite ${version}`,
      config:
        `node:sqlite in-memory fts5(title, text, tokenize='${tokenizer}'), bm25() with equal weights; query = whitespace tokens, ` +
        `edge punctuation trimmed, quoted, OR-ed${tokenizer === "trigram" ? ", tokens under 3 characters dropped" : ""}`,
      indexSeconds,
      ...ranked,
    };
  } finally {
    db.close();
  }
}
