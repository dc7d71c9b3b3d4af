/**
 * Loaders of retrieval evaluation sets: the BEIR layout (`corpus.jsonl`, `queries.jsonl`,
 * `qrels/<split>.tsv`) and SQuAD-format JSON (e.g. KorQuAD 1.0), turned into one shape: a corpus
 * of `{id, title, text}` documents, the queries to run, and graded relevance judgments.
 * Plain TypeScript run by Node's type stripping; only `node:` built-ins.
 */
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/** One document of the corpus. */
export interface EvalDocument {
  id: string;
  /** May be empty (some BEIR corpora have untitled documents). */
  title: string;
  text: string;
}

/** One query. */
export interface EvalQuery {
  id: string;
  text: string;
}

/** Which documents to keep when the queries are limited. */
export type CorpusSelection = "full" | "judged";

/** Options of {@link loadBeir}, {@link loadSquad} and {@link loadDataset}. */
export interface LoadOptions {
  /** Keep only the first N queries (in file order) that have judgments. Default: all. */
  limit?: number;
  /**
   * `full` (default) keeps the whole corpus; `judged` keeps only the documents judged for the kept
   * queries (a much easier task: for quick smoke runs, not for reported figures).
   */
  corpus?: CorpusSelection;
}

/** A loaded evaluation set. */
export interface EvalDataset {
  /** Folder (or file) name, e.g. `beir-scifact`, `korquad-v1.0-dev`. */
  name: string;
  format: "beir" | "squad";
  /** The qrels split for BEIR (`test`, `train`, ...); `dev` / `train` / `all` for SQuAD, from the file name. */
  split: string;
  /** Absolute path of the folder or file read. */
  source: string;
  corpus: EvalDocument[];
  /** Queries with at least one judgment in the split, in file order, after `limit`. */
  queries: EvalQuery[];
  /** Query id → document id → grade, for exactly the queries of `queries`. */
  qrels: Map<string, Map<string, number>>;
  /** Queries with judgments before `limit`. */
  totalQueries: number;
  /** Documents in the files before any `corpus: "judged"` selection. */
  totalDocuments: number;
  /** Non-fatal oddities (judgments of unknown documents or queries, skipped entries), one line each. */
  warnings: string[];
}

/** Reads a JSON Lines file, calling `onRecord` with each parsed non-empty line. */
async function readJsonl(file: string, onRecord: (record: unknown, line: number) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (!line) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${n}: invalid JSON: ${(e as Error).message}`);
    }
    onRecord(record, n);
  }
}

function idOf(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

/** Applies `limit` and `corpus` to queries in file order that all have judgments. */
function select(
  corpus: EvalDocument[],
  queries: EvalQuery[],
  qrels: Map<string, Map<string, number>>,
  options: LoadOptions,
): { corpus: EvalDocument[]; queries: EvalQuery[]; qrels: Map<string, Map<string, number>> } {
  const kept = options.limit !== undefined ? queries.slice(0, options.limit) : queries;
  const keptQrels = new Map(kept.map((q) => [q.id, qrels.get(q.id)!]));
  if ((options.corpus ?? "full") === "full") return { corpus, queries: kept, qrels: keptQrels };
  const judged = new Set<string>();
  for (const j of keptQrels.values()) for (const d of j.keys()) judged.add(d);
  return { corpus: corpus.filter((d) => judged.has(d.id)), queries: kept, qrels: keptQrels };
}

/**
 * Loads a BEIR-layout folder: `corpus.jsonl` (`{"_id", "title", "text"}` per line),
 * `queries.jsonl` (`{"_id", "text"}`) and `qrels/<split>.tsv` (tab-separated
 * `query-id corpus-id score`, an optional header line, integer grades).
 *
 * Queries are those of `queries.jsonl` with at least one judgment in the split, in file order;
 * `limit` keeps the first N of them. Judgments of documents absent from the corpus are kept (they
 * count as relevant but unretrievable, as in trec_eval) and reported in `warnings`; judgments of
 * queries absent from `queries.jsonl` are dropped with a warning.
 *
 * @param dir Folder path.
 * @param split Name of the qrels file without `.tsv`, e.g. `test`.
 * @throws Error when a file is missing, a line is not valid JSON or lacks `_id`, a qrels line does
 *   not have 3 fields with an integer score, or an id repeats in the corpus or the queries.
 * @throws RangeError when `limit` is not a positive integer.
 */
export async function loadBeir(dir: string, split: string, options: LoadOptions = {}): Promise<EvalDataset> {
  checkLimit(options.limit);
  const root = path.resolve(dir);
  const corpusFile = path.join(root, "corpus.jsonl");
  const queriesFile = path.join(root, "queries.jsonl");
  const qrelsFile = path.join(root, "qrels", `${split}.tsv`);
  for (const f of [corpusFile, queriesFile, qrelsFile]) {
    if (!(await exists(f))) {
      let hint = "";
      if (f === qrelsFile) {
        const splits = (await readdir(path.join(root, "qrels")).catch(() => [] as string[])).filter((n) => n.endsWith(".tsv")).map((n) => n.slice(0, -4));
        hint = splits.length ? ` (available splits: ${splits.join(", ")})` : "";
      }
      throw new Error(`missing BEIR file ${f}${hint}`);
    }
  }
  const warnings: string[] = [];

  const corpus: EvalDocument[] = [];
  const docIds = new Set<string>();
  await readJsonl(corpusFile, (r, line) => {
    const rec = r as { _id?: unknown; title?: unknown; text?: unknown };
    const id = idOf(rec?._id);
    if (!id) throw new Error(`${corpusFile}:${line}: missing _id`);
    if (docIds.has(id)) throw new Error(`${corpusFile}:${line}: duplicate _id ${id}`);
    docIds.add(id);
    corpus.push({ id, title: typeof rec.title === "string" ? rec.title : "", text: typeof rec.text === "string" ? rec.text : "" });
  });

  const allQueries: EvalQuery[] = [];
  const queryIds = new Set<string>();
  await readJsonl(queriesFile, (r, line) => {
    const rec = r as { _id?: unknown; text?: unknown };
    const id = idOf(rec?._id);
    if (!id) throw new Error(`${queriesFile}:${line}: missing _id`);
    if (queryIds.has(id)) throw new Error(`${queriesFile}:${line}: duplicate _id ${id}`);
    queryIds.add(id);
    allQueries.push({ id, text: typeof rec.text === "string" ? rec.text : "" });
  });

  const qrels = new Map<string, Map<string, number>>();
  const lines = (await readFile(qrelsFile, "utf8")).split(/\r?\n/);
  let unknownQueries = 0;
  let unknownDocs = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const fields = line.split("\t");
    if (i === 0 && (fields[0] === "query-id" || !/^-?\d+$/.test(fields[2] ?? ""))) return; // header
    if (fields.length !== 3 || !/^-?\d+$/.test(fields[2].trim())) throw new Error(`${qrelsFile}:${i + 1}: expected 'query-id<TAB>corpus-id<TAB>integer score', got '${line.slice(0, 120)}'`);
    const [q, d, score] = [fields[0].trim(), fields[1].trim(), Number(fields[2].trim())];
    if (!queryIds.has(q)) {
      unknownQueries++;
      return;
    }
    if (!docIds.has(d)) unknownDocs++;
    let j = qrels.get(q);
    if (!j) qrels.set(q, (j = new Map()));
    j.set(d, score);
  });
  if (unknownQueries) warnings.push(`${unknownQueries} judgment(s) of queries missing from queries.jsonl were dropped`);
  if (unknownDocs) warnings.push(`${unknownDocs} judgment(s) name documents missing from corpus.jsonl (relevant but unretrievable)`);

  const queries = allQueries.filter((q) => qrels.has(q.id));
  const picked = select(corpus, queries, qrels, options);
  return {
    name: path.basename(root),
    format: "beir",
    split,
    source: root,
    ...picked,
    totalQueries: queries.length,
    totalDocuments: corpus.length,
    warnings,
  };
}

/** The SQuAD JSON file of a folder (the only `.json` file, or the one whose name has `squad`/`dev`). */
async function findSquadFile(target: string): Promise<string> {
  const abs = path.resolve(target);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new Error(`no such file or folder: ${target}`);
  if (info.isFile()) return abs;
  const jsons = (await readdir(abs)).filter((n) => n.toLowerCase().endsWith(".json")).sort();
  if (jsons.length === 1) return path.join(abs, jsons[0]);
  if (jsons.length === 0) throw new Error(`no .json file in ${abs}`);
  const preferred = jsons.filter((n) => /squad|dev/i.test(n));
  if (preferred.length === 1) return path.join(abs, preferred[0]);
  throw new Error(`several .json files in ${abs} (${jsons.join(", ")}); pass the file itself`);
}

/** SQuAD v1.1 / v2.0 JSON, the fields read. */
interface SquadFile {
  version?: string;
  data: { title?: string; paragraphs: { context: string; qas: { id: string | number; question: string; is_impossible?: boolean; answers?: unknown[] }[] }[] }[];
}

/**
 * Loads a SQuAD-format file (v1.1 layout; KorQuAD 1.0 uses it) as a passage retrieval task: every
 * paragraph is a document with id `${articleIndex}-${paragraphIndex}` (0-based positions in the
 * file), title = the article's title and text = the paragraph's `context`; every question is a
 * query (id = the question's `id`, text = `question`) whose one relevant document (grade 1) is its
 * paragraph. SQuAD 2.0 unanswerable questions (`is_impossible`) are skipped with a warning.
 *
 * @param file The JSON file, or a folder holding it (its only `.json` file).
 * @param options `limit` keeps the first N questions in file order; see {@link LoadOptions}.
 * @throws Error when the file is missing or not SQuAD-shaped JSON, or a question id repeats.
 * @throws RangeError when `limit` is not a positive integer.
 */
export async function loadSquad(file: string, options: LoadOptions = {}): Promise<EvalDataset> {
  checkLimit(options.limit);
  const jsonFile = await findSquadFile(file);
  let parsed: SquadFile;
  try {
    parsed = JSON.parse(await readFile(jsonFile, "utf8")) as SquadFile;
  } catch (e) {
    throw new Error(`${jsonFile}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed?.data)) throw new Error(`${jsonFile}: not SQuAD JSON (no "data" array)`);

  const corpus: EvalDocument[] = [];
  const queries: EvalQuery[] = [];
  const qrels = new Map<string, Map<string, number>>();
  const warnings: string[] = [];
  let impossible = 0;
  parsed.data.forEach((article, a) => {
    if (!Array.isArray(article?.paragraphs)) throw new Error(`${jsonFile}: data[${a}] has no "paragraphs" array`);
    article.paragraphs.forEach((paragraph, p) => {
      if (typeof paragraph?.context !== "string") throw new Error(`${jsonFile}: data[${a}].paragraphs[${p}] has no "context" string`);
      const docId = `${a}-${p}`;
      corpus.push({ id: docId, title: typeof article.title === "string" ? article.title : "", text: paragraph.context });
      for (const qa of paragraph.qas ?? []) {
        const id = idOf(qa?.id);
        if (!id || typeof qa.question !== "string") throw new Error(`${jsonFile}: data[${a}].paragraphs[${p}] has a question without id or text`);
        if (qa.is_impossible) {
          impossible++;
          continue;
        }
        if (qrels.has(id)) throw new Error(`${jsonFile}: duplicate question id ${id}`);
        queries.push({ id, text: qa.question });
        qrels.set(id, new Map([[docId, 1]]));
      }
    });
  });
  if (impossible) warnings.push(`${impossible} unanswerable question(s) (is_impossible) skipped`);

  const base = path.basename(path.resolve(file));
  const name = base.toLowerCase().endsWith(".json") ? base.slice(0, -5) : base;
  const split = /dev/i.test(path.basename(jsonFile)) ? "dev" : /train/i.test(path.basename(jsonFile)) ? "train" : "all";
  const picked = select(corpus, queries, qrels, options);
  return {
    name,
    format: "squad",
    split,
    source: jsonFile,
    ...picked,
    totalQueries: queries.length,
    totalDocuments: corpus.length,
    warnings,
  };
}

/**
 * Which loader a path needs: `beir` for a folder with `corpus.jsonl`, `queries.jsonl` and a
 * `qrels` folder; `squad` for a `.json` file or a folder holding `.json` files.
 *
 * @throws Error when the path does not exist or matches neither layout.
 */
export async function detectLayout(target: string): Promise<"beir" | "squad"> {
  const abs = path.resolve(target);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new Error(`no such file or folder: ${target}`);
  if (info.isFile()) {
    if (abs.toLowerCase().endsWith(".json")) return "squad";
    throw new Error(`${target}: expected a BEIR folder or a SQuAD .json file`);
  }
  const names = await readdir(abs);
  if (names.includes("corpus.jsonl") && names.includes("queries.jsonl") && names.includes("qrels")) return "beir";
  if (names.some((n) => n.toLowerCase().endsWith(".json"))) return "squad";
  throw new Error(`${target}: neither a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) nor a folder with a SQuAD .json file`);
}

/**
 * Detects the layout of `target` and loads it with {@link loadBeir} (split `split`) or
 * {@link loadSquad} (`split` ignored).
 */
export async function loadDataset(target: string, split: string, options: LoadOptions = {}): Promise<EvalDataset> {
  return (await detectLayout(target)) === "beir" ? loadBeir(target, split, options) : loadSquad(target, options);
}
