/**
 * `node scripts/eval-retrieval.ts --dataset <dir> [options]`: BEIR-style retrieval evaluation of
 * edge-rag on a fresh, isolated local server, next to in-process MiniSearch, Orama and plain SQLite
 * FTS5 (trigram and unicode61 tokenizers) baselines.
 *
 *  1. loads the dataset (BEIR folder or SQuAD-format JSON such as KorQuAD, detected from the
 *     folder's contents) before starting anything;
 *  2. copies the Worker's sources (worker/, durable-objects/, migrations/, wrangler.toml, ...) to a
 *     temporary snapshot, so that edits made in the repository during the run neither hot-reload
 *     the server nor mix code versions (`--snapshot false` runs from the repository instead);
 *     applies the D1 migrations to a temporary state folder and starts `wrangler dev --local
 *     --var MAX_TOP_K:100` on it (its own process group, output to a log file), waits for
 *     GET /health and checks that POST /api/rag/query accepts the requested `top_k`;
 *  3. ingests the corpus through the bulk queue path (POST /api/ingest/jobs), each document as
 *     `{ source: id, title, content: text, content_type: "text" }`, timing it;
 *  4. for each mode (lexical, vector, hybrid) runs every query through POST /api/rag/query
 *     `{ query, top_k, mode, group_by: "document" }` with 4 concurrent clients (throughput): the
 *     answer holds the best chunk of each of up to top_k distinct documents; maps the chunks to
 *     document ids by `source` (a document's rank is that of its best chunk), then measures latency
 *     in a separate sequential pass (1 client) over the first 200 queries;
 *  5. stops the server's whole process group (also on error and SIGINT), runs MiniSearch and Orama
 *     with default options and SQLite FTS5 (node:sqlite, `trigram` and `unicode61` tokenizers, OR of
 *     the quoted query tokens, bm25()) on the same corpus and queries, computes nDCG@10, Recall@5/10/100 and
 *     MRR@10 (trec_eval definitions, worker/rag/eval/metrics.ts), prints a Markdown report and
 *     writes every figure to bench-results/eval-<dataset>-<split>-<ISO timestamp>.json.
 *
 * Progress goes to stderr, the report to stdout. Exit code 0 when every document was ingested and
 * every query answered 200, 1 when the run finished with errors (they are reported, and the JSON
 * written) or failed, 2 on bad usage, 130 on SIGINT.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { evaluate } from "../worker/rag/eval/metrics.ts";
import type { Evaluation } from "../worker/rag/eval/metrics.ts";
import { latencyStats } from "./lib/bench-load.ts";
import type { LatencyStats } from "./lib/bench-load.ts";
import { choosePort } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { loadDataset } from "./lib/eval-datasets.ts";
import { snapshotSources } from "./lib/sources.ts";
import type { CorpusSelection, EvalDataset, EvalQuery } from "./lib/eval-datasets.ts";
import { runFts5, runMiniSearch, runOrama } from "./lib/eval-peers.ts";
import type { PeerRun } from "./lib/eval-peers.ts";
import { countChunks, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import type { IngestDocument, IngestResult } from "./lib/ingest-client.ts";
import { machineInfo, num, packageVersion, printReport, resultHeader, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const RESULTS_DIR = path.join(REPO_ROOT, "bench-results");
const DEFAULT_PORT = 8791;
const MODES = ["lexical", "vector", "hybrid"] as const;
type Mode = (typeof MODES)[number];
const GROUP_BYS = ["document", "chunk"] as const;
type GroupBy = (typeof GROUP_BYS)[number];
/** Server-side limit set with `--var` for this run (the schema's ceiling). */
const MAX_TOP_K = 100;
/** The API's title limit (`DocumentInputSchema`). */
const MAX_TITLE = 300;
const REQUEST_TIMEOUT_MS = 60_000;
/** A mode is abandoned after this many failed queries (the product is then reported as blocking). */
const MAX_QUERY_ERRORS = 20;

const USAGE = `Usage: node scripts/eval-retrieval.ts --dataset <dir> [options]

Starts a fresh wrangler dev --local server (--var MAX_TOP_K:${MAX_TOP_K}) on temporary state, ingests
the dataset's corpus through the bulk queue, runs every query of the split through
POST /api/rag/query per retrieval mode, runs MiniSearch, Orama and SQLite FTS5 (trigram,
unicode61) in-process on the same data,
then prints nDCG@10, Recall@5/10/100, MRR@10 and latency as Markdown and writes the figures to
bench-results/eval-<dataset>-<split>-<ISO timestamp>.json.

Options:
  --dataset <dir>          BEIR folder (corpus.jsonl, queries.jsonl, qrels/) or SQuAD-format JSON
                           file or folder (e.g. ../shared/data/korquad-v1.0-dev); required
  --split <name>           BEIR qrels split: test (default), train, dev; ignored for SQuAD
  --mode <m>               lexical | vector | hybrid | all (default all)
  --top-k <n>              results requested per query, 1..${MAX_TOP_K} (default ${MAX_TOP_K})
  --group-by <g>           document (default): top_k distinct documents, each by its best chunk;
                           chunk: top_k chunks, mapped to their distinct documents
  --limit <n>              keep the first n queries (file order) of the split
  --corpus <full|judged>   with --limit: keep the full corpus (default) or only judged documents
  --peers <true|false>     also run MiniSearch, Orama, fts5-trigram and fts5-unicode61 (default true)
  --snapshot <true|false>  run the server from a temporary copy of the Worker's sources taken at
                           start, immune to edits during the run (default true)
  --concurrency <n>        clients of the throughput pass (default 4)
  --latency-queries <n>    queries of the sequential latency pass (default 200; 0 to skip)
  --port <n>               dev server port (default ${DEFAULT_PORT}; when the default is busy the next free
                           port is used, an explicit busy port is an error)
  --out <file>             JSON output path (default bench-results/eval-<dataset>-<split>-<timestamp>.json)
  --keep                   keep the temporary folder (state and wrangler logs) and print its path
  -h, --help               show this help`;

/** Parsed command line. */
interface EvalOptions {
  dataset: string;
  split: string;
  modes: Mode[];
  topK: number;
  groupBy: GroupBy;
  limit?: number;
  corpus: CorpusSelection;
  peers: boolean;
  snapshot: boolean;
  concurrency: number;
  latencyQueries: number;
  port: number;
  portExplicit: boolean;
  out?: string;
  keep: boolean;
}

function log(message: string): void {
  process.stderr.write(`[eval] ${message}\n`);
}

function parseCli(): EvalOptions {
  const cli: CommandLine = new CommandLine(USAGE);
  const values = cli.parse({
    ...SERVER_SCRIPT_OPTIONS,
    dataset: { type: "string" },
    split: { type: "string" },
    mode: { type: "string" },
    "top-k": { type: "string" },
    "group-by": { type: "string" },
    limit: { type: "string" },
    corpus: { type: "string" },
    peers: { type: "string" },
    snapshot: { type: "string" },
    concurrency: { type: "string" },
    "latency-queries": { type: "string" },
    out: { type: "string" },
  });
  if (!values.dataset) cli.usageError("--dataset is required");
  const mode = values.mode ?? "all";
  if (mode !== "all" && !(MODES as readonly string[]).includes(mode)) cli.usageError(`--mode must be lexical, vector, hybrid or all, got '${mode}'`);
  const groupBy = values["group-by"] ?? "document";
  if (!(GROUP_BYS as readonly string[]).includes(groupBy)) cli.usageError(`--group-by must be document or chunk, got '${groupBy}'`);
  const peers = values.peers ?? "true";
  if (peers !== "true" && peers !== "false") cli.usageError(`--peers must be true or false, got '${peers}'`);
  const snapshot = values.snapshot ?? "true";
  if (snapshot !== "true" && snapshot !== "false") cli.usageError(`--snapshot must be true or false, got '${snapshot}'`);
  const corpus = values.corpus ?? "full";
  if (corpus !== "full" && corpus !== "judged") cli.usageError(`--corpus must be full or judged, got '${corpus}'`);
  const split = values.split ?? "test";
  if (!/^[A-Za-z0-9_.-]+$/.test(split)) cli.usageError(`--split must be a plain name such as test or train, got '${split}'`);
  return {
    dataset: path.resolve(values.dataset),
    split,
    modes: mode === "all" ? [...MODES] : [mode as Mode],
    topK: cli.int("top-k", values["top-k"], MAX_TOP_K, 1, MAX_TOP_K),
    groupBy: groupBy as GroupBy,
    limit: values.limit === undefined ? undefined : cli.int("limit", values.limit, 0, 1, 10_000_000),
    corpus,
    peers: peers === "true",
    snapshot: snapshot === "true",
    concurrency: cli.int("concurrency", values.concurrency, 4, 1, 64),
    latencyQueries: cli.int("latency-queries", values["latency-queries"], 200, 0, 1_000_000),
    port: cli.int("port", values.port, DEFAULT_PORT, 1, 65535),
    portExplicit: values.port !== undefined,
    out: values.out !== undefined ? path.resolve(values.out) : undefined,
    keep: values.keep,
  };
}

function roundStats(s: LatencyStats): LatencyStats {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 2)])) as unknown as LatencyStats;
}

/** `status code: message` of an API error body, or the start of a non-JSON body. */
function describeError(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body?.error) {
      const details = body.error.details ? ` ${JSON.stringify(body.error.details).slice(0, 300)}` : "";
      return `${status} ${body.error.code ?? "error"}: ${body.error.message ?? ""}${details}`;
    }
  } catch {
    // not JSON
  }
  return `${status}: ${text.replace(/\s+/g, " ").trim().slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------
// Queries against the API.

/** One chunk of a `POST /api/rag/query` answer (the fields used here). */
interface ApiChunk {
  source: string;
}

/** Body of a 200 answer of `POST /api/rag/query`. */
interface ApiQueryResponse {
  results: ApiChunk[];
  timings_ms?: { lexical?: number; vector?: number; fusion?: number };
}

type QueryOutcome =
  | { ok: true; body: ApiQueryResponse; ms: number; retried: boolean }
  | { ok: false; error: string; status?: number; ms: number };

/**
 * Sends one `POST /api/rag/query`; retries once after a network error or a 5xx answer.
 * `ms` is the client-side time of the last attempt, from sending until the JSON body is parsed.
 */
async function postQuery(url: string, body: { query: string; top_k: number; mode: Mode; group_by: GroupBy }): Promise<QueryOutcome> {
  let last: QueryOutcome | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const start = performance.now();
    try {
      const res = await fetch(`${url}/api/rag/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const ms = performance.now() - start;
      if (res.status === 200) {
        const parsed = JSON.parse(text) as ApiQueryResponse;
        if (!Array.isArray(parsed?.results)) return { ok: false, error: `200 without a results array: ${text.slice(0, 200)}`, status: 200, ms };
        return { ok: true, body: parsed, ms, retried: attempt > 0 };
      }
      last = { ok: false, error: describeError(res.status, text), status: res.status, ms };
      if (res.status < 500) return last;
    } catch (e) {
      last = { ok: false, error: `request failed: ${e instanceof Error ? e.message : String(e)}`, ms: performance.now() - start };
    }
  }
  return last!;
}

/** Document ids of a ranking of chunks: each chunk's `source`, first occurrence wins. */
function documentRanking(chunks: readonly ApiChunk[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of chunks) {
    if (seen.has(c.source)) continue;
    seen.add(c.source);
    out.push(c.source);
  }
  return out;
}

/** The outcome of one mode. */
interface ModeRun {
  mode: Mode;
  run: Map<string, string[]>;
  /** Throughput pass: all queries with `concurrency` clients. */
  throughput: { queries: number; concurrency: number; seconds: number; queriesPerSecond: number; latencyMs: LatencyStats };
  /** Sequential pass over the first `latencyQueries` queries, 1 client. */
  latency: { queries: number; latencyMs: LatencyStats };
  /** Server-side `timings_ms` of the throughput pass (means). */
  serverTimingsMs: { lexical: number; vector: number; fusion: number };
  /** Chunks and distinct documents per answer (means), throughput pass. */
  chunksPerQuery: number;
  documentsPerQuery: number;
  /** Answers with no chunk at all. */
  emptyAnswers: number;
  /** Sources that are not corpus ids (should be 0). */
  unknownSources: number;
  retried: number;
  errors: { queryId: string; error: string }[];
  /** True when the mode was abandoned after too many errors. */
  aborted: boolean;
}

/** Runs every query of a mode (throughput pass), then the sequential latency pass. */
async function runMode(url: string, mode: Mode, queries: readonly EvalQuery[], corpusIds: ReadonlySet<string>, opts: EvalOptions): Promise<ModeRun> {
  const run = new Map<string, string[]>();
  const errors: { queryId: string; error: string }[] = [];
  const clientMs: number[] = [];
  const server = { lexical: 0, vector: 0, fusion: 0, n: 0 };
  let chunks = 0;
  let docs = 0;
  let answered = 0;
  let emptyAnswers = 0;
  let unknownSources = 0;
  let retried = 0;
  let aborted = false;
  let next = 0;
  let lastLog = performance.now();
  const started = performance.now();

  const worker = async () => {
    for (;;) {
      if (lifecycle.interrupted || aborted) return;
      const i = next++;
      if (i >= queries.length) return;
      const q = queries[i];
      const outcome = await postQuery(url, { query: q.text, top_k: opts.topK, mode, group_by: opts.groupBy });
      if (!outcome.ok) {
        errors.push({ queryId: q.id, error: outcome.error });
        if (errors.length >= MAX_QUERY_ERRORS) aborted = true;
        continue;
      }
      if (outcome.retried) retried++;
      clientMs.push(outcome.ms);
      const ranking = documentRanking(outcome.body.results);
      for (const id of ranking) if (!corpusIds.has(id)) unknownSources++;
      run.set(q.id, ranking);
      answered++;
      chunks += outcome.body.results.length;
      docs += ranking.length;
      if (outcome.body.results.length === 0) emptyAnswers++;
      const t = outcome.body.timings_ms;
      if (t) {
        server.lexical += t.lexical ?? 0;
        server.vector += t.vector ?? 0;
        server.fusion += t.fusion ?? 0;
        server.n++;
      }
      const now = performance.now();
      if (now - lastLog > 5000) {
        lastLog = now;
        const done = answered + errors.length;
        const rate = done / ((now - started) / 1000);
        log(`  ${mode}: ${done}/${queries.length} queries (${num(rate, 1)} q/s, about ${num((queries.length - done) / rate, 0)} s left)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, queries.length) }, () => worker()));
  const seconds = (performance.now() - started) / 1000;
  lifecycle.checkInterrupted();

  // Sequential latency pass (1 client) over the first queries; rankings are not re-read.
  const latencyMs: number[] = [];
  if (!aborted) {
    for (const q of queries.slice(0, opts.latencyQueries)) {
      lifecycle.checkInterrupted();
      const outcome = await postQuery(url, { query: q.text, top_k: opts.topK, mode, group_by: opts.groupBy });
      if (outcome.ok) latencyMs.push(outcome.ms);
      else {
        errors.push({ queryId: q.id, error: `latency pass: ${outcome.error}` });
        if (errors.length >= MAX_QUERY_ERRORS) {
          aborted = true;
          break;
        }
      }
    }
  }
  const n = Math.max(1, server.n);
  return {
    mode,
    run,
    throughput: { queries: answered, concurrency: opts.concurrency, seconds, queriesPerSecond: answered / seconds, latencyMs: latencyStats(clientMs) },
    latency: { queries: latencyMs.length, latencyMs: latencyStats(latencyMs) },
    serverTimingsMs: { lexical: server.lexical / n, vector: server.vector / n, fusion: server.fusion / n },
    chunksPerQuery: answered ? chunks / answered : Number.NaN,
    documentsPerQuery: answered ? docs / answered : Number.NaN,
    emptyAnswers,
    unknownSources,
    retried,
    errors,
    aborted,
  };
}

// ---------------------------------------------------------------------------------------------
// Run state shared with the interrupt handler.

/** Cleanup (idempotent): stops the server's process group (an error doing so is logged), removes the temporary folder (unless --keep). */
const lifecycle = new ScriptRun({ log, logStopErrors: true });
const { state } = lifecycle;

// ---------------------------------------------------------------------------------------------

/** One row of the report. */
interface SystemResult {
  system: string;
  kind: "edge-rag" | "peer";
  evaluation: Evaluation;
  /** Latency in ms: edge-rag = client-side HTTP, sequential pass; peers = in-process search call, all queries. */
  latencyMs: LatencyStats;
  latencyQueries: number;
}

/** Converts the dataset's corpus to bulk ingestion documents; documents with neither text nor title are skipped. */
function ingestionDocuments(dataset: EvalDataset): { documents: IngestDocument[]; skipped: string[]; titlesCut: number; textFromTitle: number } {
  const documents: IngestDocument[] = [];
  const skipped: string[] = [];
  let titlesCut = 0;
  let textFromTitle = 0;
  for (const d of dataset.corpus) {
    let title = d.title.trim();
    if (title.length > MAX_TITLE) {
      title = title.slice(0, MAX_TITLE).trimEnd();
      titlesCut++;
    }
    let content = d.text;
    if (!content.trim()) {
      if (!title) {
        skipped.push(d.id);
        continue;
      }
      content = title;
      textFromTitle++;
    }
    documents.push({ source: d.id, ...(title ? { title } : {}), content, content_type: "text" });
  }
  return { documents, skipped, titlesCut, textFromTitle };
}

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const command = commandAsTyped({ npmScript: (event) => event.startsWith("eval"), program: "node" });

  // Dataset first: fail before starting anything.
  log(`loading ${opts.dataset}…`);
  const dataset = await loadDataset(opts.dataset, opts.split, { limit: opts.limit, corpus: opts.corpus });
  const judgedPairs = [...dataset.qrels.values()].reduce((n, j) => n + j.size, 0);
  if (dataset.queries.length === 0) throw new Error(`no query with judgments in ${dataset.source} (split ${dataset.split})`);
  const prepared = ingestionDocuments(dataset);
  if (prepared.documents.length === 0) throw new Error(`the corpus of ${dataset.source} has no document with text`);
  const corpusBytes = prepared.documents.reduce((n, d) => n + Buffer.byteLength(d.content), 0);
  log(
    `${dataset.name} (${dataset.format}, split ${dataset.split}): ${dataset.corpus.length} documents (${num(corpusBytes / 2 ** 20, 1)} MiB), ` +
      `${dataset.queries.length}/${dataset.totalQueries} queries, ${judgedPairs} judgments`,
  );
  for (const w of dataset.warnings) log(`  warning: ${w}`);
  const corpusIds = new Set(dataset.corpus.map((d) => d.id));

  const port = await choosePort(opts.port, opts.portExplicit, log);
  const { tmp, persistTo, migrationsLog, devLog } = await lifecycle.createTemp("edge-rag-eval-");

  let serverRoot = REPO_ROOT;
  let snapshot: { files: number; sha256: string } | undefined;
  if (opts.snapshot) {
    serverRoot = path.join(tmp, "src");
    snapshot = await snapshotSources(REPO_ROOT, serverRoot);
    log(`snapshot of the Worker's sources: ${snapshot.files} files, sha256 ${snapshot.sha256.slice(0, 12)}`);
  }

  const { server, startupSeconds, health } = await lifecycle.startServer(
    { root: serverRoot, persistTo, port, logFile: devLog, vars: { MAX_TOP_K: String(MAX_TOP_K) } },
    migrationsLog,
  );

  // The query endpoint must accept the requested top_k (MAX_TOP_K applied) before ingesting.
  for (const mode of opts.modes) {
    const probe = await postQuery(server.url, { query: "probe", top_k: opts.topK, mode, group_by: opts.groupBy });
    if (!probe.ok) throw new Error(`POST /api/rag/query {top_k: ${opts.topK}, mode: "${mode}", group_by: "${opts.groupBy}"} on the empty knowledge base failed: ${probe.error}`);
  }

  // Ingestion through the bulk queue path.
  log(`ingesting ${prepared.documents.length} documents through POST /api/ingest/jobs…`);
  const ingest: IngestResult = await ingestDocuments(
    { documents: prepared.documents, empty: [] },
    { url: server.url, pollMs: 200, onProgress: throttledProgressLog(log, 5000) },
  );
  lifecycle.checkInterrupted();
  const counted = await countChunks(server.url, describeError);
  const ingestion = {
    documentsSent: prepared.documents.length,
    skippedWithoutText: prepared.skipped,
    titlesCutTo300: prepared.titlesCut,
    textFromTitle: prepared.textFromTitle,
    bytes: corpusBytes,
    ingested: ingest.done,
    failed: ingest.failed,
    documentsListed: counted.total,
    chunks: counted.chunks,
    seconds: round(ingest.seconds),
    documentsPerSecond: round(ingest.done / ingest.seconds, 2),
    chunksPerSecond: round(counted.chunks / ingest.seconds, 2),
    errors: ingest.errors.slice(0, 50),
  };
  log(`ingested ${ingest.done} documents (${ingest.failed} failed), ${counted.chunks} chunks in ${num(ingest.seconds, 1)} s`);
  for (const e of ingest.errors.slice(0, 5)) log(`  failed: ${e.source}: ${e.message}`);

  // Queries, mode by mode.
  const modeRuns: ModeRun[] = [];
  for (const mode of opts.modes) {
    lifecycle.checkInterrupted();
    log(`${mode}: ${dataset.queries.length} queries, ${opts.concurrency} clients, then ${Math.min(opts.latencyQueries, dataset.queries.length)} sequential…`);
    const r = await runMode(server.url, mode, dataset.queries, corpusIds, opts);
    log(
      `  ${mode}: ${r.throughput.queries} answered in ${num(r.throughput.seconds, 1)} s (${num(r.throughput.queriesPerSecond, 1)} q/s); ` +
        `sequential p50 ${num(r.latency.latencyMs.p50, 1)} ms, p95 ${num(r.latency.latencyMs.p95, 1)} ms; ${r.errors.length} error(s)`,
    );
    for (const e of r.errors.slice(0, 5)) log(`  query ${e.queryId}: ${e.error}`);
    modeRuns.push(r);
  }

  // Teardown before the peers run, so that they have the machine to themselves.
  await lifecycle.stopServer();

  const peers: PeerRun[] = [];
  if (opts.peers) {
    const runners = [
      runMiniSearch,
      runOrama,
      (c: typeof dataset.corpus, q: typeof dataset.queries, o: { topK: number }) => runFts5(c, q, "trigram", o),
      (c: typeof dataset.corpus, q: typeof dataset.queries, o: { topK: number }) => runFts5(c, q, "unicode61", o),
    ];
    for (const runner of runners) {
      lifecycle.checkInterrupted();
      const r = await runner(dataset.corpus, dataset.queries, { topK: MAX_TOP_K });
      log(`${r.name} ${r.version}: indexed in ${num(r.indexSeconds, 2)} s, ${r.run.size} queries, ${r.emptyQueries} without results`);
      peers.push(r);
    }
  }

  // Metrics.
  const systems: SystemResult[] = [
    ...modeRuns.map((r) => ({
      system: `edge-rag ${r.mode}`,
      kind: "edge-rag" as const,
      evaluation: evaluate(r.run, dataset.qrels),
      latencyMs: r.latency.latencyMs,
      latencyQueries: r.latency.queries,
    })),
    ...peers.map((p) => ({
      system: `${p.name} ${p.version}`,
      kind: "peer" as const,
      evaluation: evaluate(p.run, dataset.qrels),
      latencyMs: latencyStats(p.latencyMs),
      latencyQueries: p.latencyMs.length,
    })),
  ];

  const issues: string[] = [];
  const warnings: string[] = [...dataset.warnings];
  if (ingest.failed > 0) issues.push(`ingestion: ${ingest.failed} document(s) failed (first: ${ingest.errors.slice(0, 3).map((e) => `${e.source}: ${e.message}`).join("; ")})`);
  if (counted.total !== ingest.done) issues.push(`ingestion: the API lists ${counted.total} documents for ${ingest.done} ingested`);
  if (prepared.skipped.length) warnings.push(`${prepared.skipped.length} document(s) without text or title were not sent`);
  if (prepared.titlesCut) warnings.push(`${prepared.titlesCut} title(s) longer than ${MAX_TITLE} characters were cut (API limit)`);
  for (const r of modeRuns) {
    if (r.errors.length) issues.push(`${r.mode}: ${r.errors.length} failed quer${r.errors.length === 1 ? "y" : "ies"}${r.aborted ? " (mode abandoned)" : ""}; first: ${r.errors[0].error}`);
    if (r.unknownSources) issues.push(`${r.mode}: ${r.unknownSources} result source(s) are not corpus ids`);
    if (r.emptyAnswers) warnings.push(`${r.mode}: ${r.emptyAnswers} quer${r.emptyAnswers === 1 ? "y" : "ies"} answered with no chunk`);
    if (r.retried) warnings.push(`${r.mode}: ${r.retried} quer${r.retried === 1 ? "y" : "ies"} succeeded only on retry`);
  }
  for (const p of peers) if (p.emptyQueries) warnings.push(`${p.name}: ${p.emptyQueries} quer${p.emptyQueries === 1 ? "y" : "ies"} without any result`);
  if (state.leftovers) issues.push("teardown: processes of the dev server's group were still alive");

  const machine = machineInfo();
  const versions = {
    wrangler: await packageVersion(REPO_ROOT, "wrangler"),
    minisearch: await packageVersion(REPO_ROOT, "minisearch"),
    orama: await packageVersion(REPO_ROOT, "@orama/orama"),
    sqlite: process.versions.sqlite ?? "unknown",
  };
  const metricNames = systems[0]?.evaluation.metrics ?? [];
  const perQuery = (e: Evaluation, metric: string) => Object.fromEntries([...e.perQuery].map(([q, v]) => [q, round(v[metric], 4)]));

  const result = {
    ...resultHeader({ startedAt, command, machine, versions }),
    options: { ...opts, dataset: opts.dataset, port },
    dataset: {
      name: dataset.name,
      format: dataset.format,
      split: dataset.split,
      source: dataset.source,
      documents: dataset.corpus.length,
      totalDocuments: dataset.totalDocuments,
      queries: dataset.queries.length,
      totalQueries: dataset.totalQueries,
      judgments: judgedPairs,
      limit: opts.limit ?? null,
      corpus: opts.corpus,
    },
    server: {
      command: `wrangler dev --local --port ${port} --ip 127.0.0.1 --persist-to <tmp>/state --var MAX_TOP_K:${MAX_TOP_K}`,
      startupSeconds: round(startupSeconds),
      sources: snapshot ? { snapshot: true, files: snapshot.files, sha256: snapshot.sha256 } : { snapshot: false, root: REPO_ROOT },
      version: health.version,
      providers: health.providers,
      tmp: opts.keep ? state.tmp : undefined,
      teardown: { forcedKills: state.forcedKills, leftovers: state.leftovers },
    },
    method: {
      metrics: "trec_eval definitions (worker/rag/eval/metrics.ts): ndcg_cut with linear graded gains, recall over judged relevant documents, reciprocal rank cut at 10; means over every query of the split, a query without results counting 0",
      documentRanking:
        opts.groupBy === "document"
          ? `group_by "document": top_k=${opts.topK} distinct documents per query, each at the rank of its best chunk`
          : `top_k=${opts.topK} chunks per query mapped to document ids by source, first occurrence (best chunk) wins`,
      throughput: `all queries, ${opts.concurrency} concurrent clients`,
      latency: `edge-rag: client-side HTTP time (send → JSON parsed) of a sequential pass, 1 client, over the first ${opts.latencyQueries} queries; peers: in-process search call, all queries, sequential`,
    },
    ingestion,
    modes: modeRuns.map((r) => ({
      mode: r.mode,
      throughput: { ...r.throughput, seconds: round(r.throughput.seconds), queriesPerSecond: round(r.throughput.queriesPerSecond, 2), latencyMs: roundStats(r.throughput.latencyMs) },
      latency: { ...r.latency, latencyMs: roundStats(r.latency.latencyMs) },
      serverTimingsMs: { lexical: round(r.serverTimingsMs.lexical, 2), vector: round(r.serverTimingsMs.vector, 2), fusion: round(r.serverTimingsMs.fusion, 2) },
      chunksPerQuery: round(r.chunksPerQuery, 2),
      documentsPerQuery: round(r.documentsPerQuery, 2),
      emptyAnswers: r.emptyAnswers,
      unknownSources: r.unknownSources,
      retried: r.retried,
      aborted: r.aborted,
      errors: r.errors.slice(0, 50),
    })),
    peers: peers.map((p) => ({ name: p.name, version: p.version, config: p.config, indexSeconds: round(p.indexSeconds), emptyQueries: p.emptyQueries, latencyMs: roundStats(latencyStats(p.latencyMs)) })),
    results: systems.map((s) => ({
      system: s.system,
      kind: s.kind,
      queries: s.evaluation.queries,
      unanswered: s.evaluation.unanswered.length,
      metrics: Object.fromEntries(metricNames.map((m) => [m, round(s.evaluation.mean[m], 4)])),
      latencyMs: roundStats(s.latencyMs),
      latencyQueries: s.latencyQueries,
    })),
    /** Per-query nDCG@10 of every system (hybrid first when present), for paired comparisons. */
    perQueryNdcg10: Object.fromEntries(
      [...systems].sort((a, b) => Number(b.system === "edge-rag hybrid") - Number(a.system === "edge-rag hybrid")).map((s) => [s.system, perQuery(s.evaluation, "ndcg@10")]),
    ),
    ok: issues.length === 0,
    issues,
    warnings,
  };

  const file = opts.out ?? path.join(RESULTS_DIR, `eval-${dataset.name}-${dataset.split}-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeJsonResult(file, result);

  // Markdown report.
  const p = health.providers ?? {};
  const lines: string[] = [];
  const limited = opts.limit !== undefined ? ` (first ${dataset.queries.length} of ${dataset.totalQueries}, --limit ${opts.limit})` : "";
  lines.push(`## Retrieval evaluation: ${dataset.name}, ${dataset.split} split, ${startedAt.toISOString()}`, "");
  lines.push(`- Command: \`${command}\` (in the repository root)`);
  lines.push(
    `- Data: ${num(dataset.queries.length, 0)} queries${limited}, ${num(judgedPairs, 0)} judgments, ${num(dataset.corpus.length, 0)} documents` +
      ` (${opts.corpus === "judged" ? `judged only, of ${num(dataset.totalDocuments, 0)}; ` : ""}${num(corpusBytes / 2 ** 20, 1)} MiB of text)`,
  );
  lines.push(
    `- Server: \`wrangler dev --local --var MAX_TOP_K:${MAX_TOP_K}\` (wrangler ${versions.wrangler}) on fresh temporary state; providers: embedding ${p.embedding ?? "?"}, ` +
      `vector index ${p.vector_index ?? "?"}; sources ${snapshot ? `snapshot sha256 ${snapshot.sha256.slice(0, 12)}` : "live repository"}; machine: ${machine.os}, ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}`,
  );
  lines.push(
    `- Ingestion (bulk queue, POST /api/ingest/jobs): ${num(ingest.done, 0)} documents (${num(ingest.failed, 0)} failed) → ${num(counted.chunks, 0)} chunks in ` +
      `${num(ingest.seconds, 1)} s = ${num(ingestion.documentsPerSecond, 1)} docs/s (${num(ingestion.chunksPerSecond, 1)} chunks/s)`,
  );
  lines.push("");
  lines.push("| System | nDCG@10 | Recall@5 | Recall@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of systems) {
    const m = s.evaluation.mean;
    lines.push(
      `| ${s.system} | ${num(m["ndcg@10"], 3)} | ${num(m["recall@5"], 3)} | ${num(m["recall@10"], 3)} | ${num(m["recall@100"], 3)} | ${num(m["mrr@10"], 3)} | ` +
        `${num(s.latencyMs.p50, 1)} | ${num(s.latencyMs.p95, 1)} |`,
    );
  }
  lines.push("");
  if (modeRuns.length) {
    lines.push(`| edge-rag mode | Queries | Throughput (${opts.concurrency} clients) q/s | Mean chunks → distinct docs per answer | Server lexical / vector / fusion ms (mean) | Errors |`);
    lines.push("|---|---:|---:|---:|---:|---:|");
    for (const r of modeRuns) {
      lines.push(
        `| ${r.mode} | ${num(r.throughput.queries, 0)} | ${num(r.throughput.queriesPerSecond, 1)} | ${num(r.chunksPerQuery, 1)} → ${num(r.documentsPerQuery, 1)} | ` +
          `${num(r.serverTimingsMs.lexical, 1)} / ${num(r.serverTimingsMs.vector, 1)} / ${num(r.serverTimingsMs.fusion, 1)} | ${num(r.errors.length, 0)} |`,
      );
    }
    lines.push("");
  }
  lines.push(
    `Metrics as trec_eval (nDCG with the qrels grades as linear gains; means over all ${num(dataset.queries.length, 0)} queries, a failed query counting 0). ` +
      (opts.groupBy === "document"
        ? `edge-rag: \`group_by: "document"\`, top_k=${opts.topK} distinct documents per query, each at the rank of its best chunk; latency`
        : `edge-rag: top_k=${opts.topK} chunks per query mapped to documents by \`source\` (best chunk's rank), so Recall@100 covers the distinct documents of ` +
          `${opts.topK} chunks; latency`) +
      ` = client-side HTTP time of a sequential pass (1 client) over the first ${num(Math.min(opts.latencyQueries, dataset.queries.length), 0)} queries. ` +
      `MiniSearch / Orama: in-process, default options, index of {title, text}; fts5-trigram / fts5-unicode61: in-process node:sqlite FTS5 table (title, text) ` +
      `with that tokenizer, query = OR of the quoted whitespace tokens (edge punctuation trimmed; under 3 characters dropped for trigram), ranked by bm25(); ` +
      `latency = the search call alone over all queries.`,
  );
  lines.push("");
  return printReport(lines, { issues, warnings, file, kept: opts.keep ? `${state.tmp} (logs: ${migrationsLog}, ${devLog})` : undefined, log });
}

lifecycle.run(main);
