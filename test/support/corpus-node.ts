/**
 * Node-side loader of the real OpenTelemetry documentation in ../shared/data (never copied into
 * the repository). Returns documents in the shape of the ingestion API.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ANSWER_CORPORA, type AnswerCase } from "../../worker/rag/eval/answers.ts";

export const OTEL_ROOT = new URL("../../../shared/data/docs-opentelemetry/content/en/docs/", import.meta.url).pathname;

/** Folders of the OpenTelemetry docs loaded for the tests (about half of the corpus). */
export const TEST_FOLDERS = ["concepts", "collector", "languages/python", "languages/js", "languages/go", "specs", "security", "platforms", "zero-code/java", "getting-started", "what-is-opentelemetry.md"];

export interface CorpusDocument {
  source: string;
  content: string;
  metadata: { domain: string };
}

function walk(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(join(path, name), out);
  } else if (/\.md$/.test(path)) out.push(path);
}

export const REACT_KO_ROOT = new URL("../../../shared/data/docs-react-ko/src/content/", import.meta.url).pathname;

/**
 * Loads the Korean React documentation's `learn/` section (the golden set's Korean cases), with
 * sources relative to `src/content` ("learn/managing-state.md") and the domain "react-ko".
 */
export function loadKoreanCorpus(): CorpusDocument[] {
  const root = join(REACT_KO_ROOT, "learn");
  if (!existsSync(root)) throw new Error(`Korean React docs not found at ${root}: ../shared must sit beside the repository`);
  const files: string[] = [];
  walk(root, files);
  return files.map((file) => ({
    source: relative(REACT_KO_ROOT, file).split("\\").join("/"),
    content: readFileSync(file, "utf8"),
    metadata: { domain: "react-ko" },
  }));
}

/** Loads the test folders; throws when ../shared is missing, because the tests need real data. */
export function loadTestCorpus(): CorpusDocument[] {
  if (!existsSync(OTEL_ROOT)) throw new Error(`OpenTelemetry docs not found at ${OTEL_ROOT}: ../shared must sit beside the repository`);
  const files: string[] = [];
  for (const folder of TEST_FOLDERS) {
    const p = join(OTEL_ROOT, folder);
    if (existsSync(p)) walk(p, files);
  }
  return files.map((file) => {
    const source = relative(OTEL_ROOT, file).split("\\").join("/");
    return { source, content: readFileSync(file, "utf8"), metadata: { domain: source.split("/")[0].replace(/\.md$/, "") } };
  });
}

export const SCIFACT_ROOT = new URL("../../../shared/data/beir-scifact/", import.meta.url).pathname;

/** A small retrieval evaluation set: documents, queries and graded judgments. */
export interface EvalSlice {
  corpus: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  /** [query id, document id, grade] triples. */
  qrels: [string, string, number][];
}

/**
 * A slice of BEIR SciFact's train split for the retrieval regression test: the first `queries`
 * queries in file order of qrels/train.tsv, and a corpus of all their judged documents plus the
 * first `distractors` other documents of corpus.jsonl (file order; judged documents first in the
 * result, then the others). About 1.5 MB of JSON with the defaults.
 */
export function loadSciFactSlice(queries = 50, distractors = 1000): EvalSlice {
  if (!existsSync(SCIFACT_ROOT)) throw new Error(`BEIR SciFact not found at ${SCIFACT_ROOT}: ../shared must sit beside the repository`);
  const qrels: [string, string, number][] = [];
  const queryIds: string[] = [];
  for (const [i, line] of readFileSync(join(SCIFACT_ROOT, "qrels", "train.tsv"), "utf8").split(/\r?\n/).entries()) {
    const fields = line.trim().split("\t");
    if (fields.length !== 3 || (i === 0 && fields[0] === "query-id")) continue;
    const [q, d, grade] = fields;
    if (!queryIds.includes(q)) {
      if (queryIds.length === queries) continue;
      queryIds.push(q);
    }
    qrels.push([q, d, Number(grade)]);
  }
  const judged = new Set(qrels.map(([, d]) => d));
  const readJsonl = (file: string) =>
    readFileSync(join(SCIFACT_ROOT, file), "utf8").split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as { _id: string; title?: string; text?: string });
  const judgedDocs: EvalSlice["corpus"] = [];
  const others: EvalSlice["corpus"] = [];
  for (const r of readJsonl("corpus.jsonl")) {
    const doc = { id: String(r._id), title: r.title ?? "", text: r.text ?? "" };
    if (judged.has(doc.id)) judgedDocs.push(doc);
    else if (others.length < distractors) others.push(doc);
  }
  const text = new Map(readJsonl("queries.jsonl").map((r) => [String(r._id), r.text ?? ""]));
  return { corpus: [...judgedDocs, ...others], queries: queryIds.map((id) => ({ id, text: text.get(id) ?? "" })), qrels };
}

const SHARED_DATA = new URL("../../../shared/data/", import.meta.url).pathname;

/** A corpus of the realistic evaluation set with the cases of one split (test/eval/cases.json). */
export interface AnswerSlice {
  documents: CorpusDocument[];
  cases: AnswerCase[];
}

/**
 * Loads every page of one corpus of the evaluation set, with sources `<folder>/<path>` and the
 * domain of the path's first folder (as `npm run eval:answers` ingests them), and its cases of
 * `split`. Throws when ../shared is missing.
 */
export function loadAnswerSlice(corpus: AnswerCase["corpus"], split: AnswerCase["split"] = "test"): AnswerSlice {
  const folder = ANSWER_CORPORA[corpus];
  const root = join(SHARED_DATA, folder);
  if (!existsSync(root)) throw new Error(`${folder} not found under ${SHARED_DATA}: ../shared must sit beside the repository`);
  const files: string[] = [];
  walk(root, files);
  const documents = files.map((file) => {
    const rel = relative(root, file).split("\\").join("/");
    return { source: `${folder}/${rel}`, content: readFileSync(file, "utf8"), metadata: { domain: rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : "" } };
  });
  const all = JSON.parse(readFileSync(new URL("../eval/cases.json", import.meta.url).pathname, "utf8")) as AnswerCase[];
  return { documents, cases: all.filter((c) => c.corpus === corpus && c.split === split) };
}
