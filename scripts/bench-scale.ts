/**
 * `npm run bench:scale [-- options]`: the scale benchmark of edge-rag (issue #3): hybrid query
 * latency, the local vector index's memory, and its Recall@10 against exact search, on a
 * synthetic index of 100,000 chunks (`--chunks N` for other sizes).
 *
 *  1. generates a synthetic corpus from real sentences of ../shared/data (SciFact abstracts,
 *     OpenTelemetry and React documentation), deterministic by `--seed`: Markdown documents of 3..7
 *     sections, each section shorter than the chunk size, so each becomes exactly one chunk;
 *  2. starts a fresh isolated `wrangler dev --local --var DEBUG_ROUTES:on` on temporary state and
 *     ingests the corpus through the product's bulk path (POST /api/ingest/jobs → queue consumer →
 *     parse, chunk, embed, D1 + FTS5, VectorStore upsert); checks the chunk count via GET /api/documents;
 *  3. restarts the server on the same state, so the VectorStore Durable Object starts cold: warms
 *     the Worker and D1 with lexical-only queries, samples the workerd RSS, loads the index with
 *     GET /api/debug/vector/stats (the object's own byte count of its in-memory structures),
 *     samples the RSS again: the delta is the index's cost as the OS sees it;
 *  4. measures POST /api/rag/query with autocannon, every request a query never sent before:
 *     hybrid with 1 and 10 clients, vector-only and lexical-only with 1 client, GET /health as the
 *     baseline;
 *  5. measures Recall@10 of the index's query (int8 scan, exact re-rank) and of the int8 scan
 *     alone against exact Float32 brute force (POST /api/debug/vector/recall);
 *  6. stops the server, writes JSON to bench-results/scale-<ISO timestamp>.json and prints Markdown.
 *
 * Progress goes to stderr, the report to stdout. Exit code 0 when every document was ingested into
 * the expected chunks and every request answered 200 (goals not met are reported, not errors), 1
 * when the run finished with errors or failed, 2 on bad usage, 130 on SIGINT.
 */
import { cp } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import os from "node:os";
import path from "node:path";
import { runLoad, stopActiveLoad, latencyStats } from "./lib/bench-load.ts";
import type { EndpointSpec, LatencyStats, LoadResult } from "./lib/bench-load.ts";
import { sampleTree } from "./lib/bench-proc.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { choosePort } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, LOAD_TEST_OPTIONS, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { countChunks, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import type { IngestResult } from "./lib/ingest-client.ts";
import { machineInfo, memoryRow, num, packageVersion, printReport, resultHeader, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";
import { syntheticDocuments, uniqueQueries } from "./lib/synthetic-corpus.ts";
import { docsPool, scifactPool, scifactQueries } from "./lib/synthetic-sources.ts";
import type { VectorStoreStats } from "../worker/vector/types.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_DATA = path.resolve(REPO_ROOT, "..", "shared", "data");
const RESULTS_DIR = path.join(REPO_ROOT, "bench-results");
const DEFAULT_PORT = 8791;
const SAMPLE_MS = 200;
/** Goals of issue #3. */
const GOALS = { hybridP95Ms: 100, memoryBytes: 128 * 1000 * 1000, recallAt10: 0.99 };
const RECALL_K = 10;
const RECALL_BATCH = 25;

const USAGE = `Usage: npm run bench:scale [-- options]   (or: node scripts/bench-scale.ts [options])

Builds a synthetic index of N chunks (real sentences of ../shared/data, deterministic by seed)
through the bulk ingestion API of a fresh wrangler dev --local server, restarts it, then measures
the vector index's memory (its own byte count and the workerd RSS delta of loading it), hybrid,
vector-only and lexical-only /api/rag/query latency (unique queries), and the index's Recall@10
against exact Float32 search. Prints Markdown tables and writes bench-results/scale-<ISO timestamp>.json.

Options:
  --chunks <n>          chunks of the synthetic index (default 100000)
  --seed <n>            seed of the corpus and the query order (default 1)
  --requests <n>        measured requests per latency run (default 300)
  --warmup <n>          unmeasured warm-up requests per latency run (default 20; 0 to skip)
  --connections <n>     clients of the concurrent hybrid run (default 10)
  --recall-queries <n>  queries of the recall measurement (default 300; 0 to skip)
  --timeout <s>         per-request timeout in seconds (default 60)
  --port <n>            dev server port (default ${DEFAULT_PORT}; the next free one when busy, unless explicit)
  --data <path>         the shared data folder (default ../shared/data from the repository)
  --reuse-state <path>  copy the server state of an earlier run kept with --keep (its <tmp>/state)
                        instead of ingesting; it must hold the corpus of the same --chunks and --seed
                        (checked by the chunk count); for iterating on query-time changes
  --var <NAME:VALUE>    a Worker variable for the server (repeatable), e.g. --var PRF_CHUNKS:0 to
                        measure without pseudo-relevance feedback; DEBUG_ROUTES:on is always set
  --keep                keep the temporary folder (state and logs) and print its path
  -h, --help            show this help`;

interface ScaleOptions {
  chunks: number;
  seed: number;
  requests: number;
  warmup: number;
  connections: number;
  recallQueries: number;
  timeoutS: number;
  port: number;
  portExplicit: boolean;
  data: string;
  reuseState?: string;
  /** Worker variables from --var, passed to wrangler dev as --var NAME:VALUE. */
  vars: Record<string, string>;
  keep: boolean;
}

function log(message: string): void {
  process.stderr.write(`[bench:scale] ${message}\n`);
}

function parseCli(): ScaleOptions {
  const cli: CommandLine = new CommandLine(USAGE);
  const values = cli.parse({
    ...SERVER_SCRIPT_OPTIONS,
    ...LOAD_TEST_OPTIONS,
    chunks: { type: "string" },
    seed: { type: "string" },
    connections: { type: "string" },
    "recall-queries": { type: "string" },
    data: { type: "string" },
    "reuse-state": { type: "string" },
    var: { type: "string", multiple: true },
  });
  const vars: Record<string, string> = {};
  for (const v of values.var ?? []) {
    const m = /^([A-Z][A-Z0-9_]*):(.*)$/.exec(v);
    if (!m) cli.usageError(`--var must be NAME:VALUE with an upper-case NAME, got '${v}'`);
    vars[m[1]] = m[2];
  }
  return {
    chunks: cli.int("chunks", values.chunks, 100_000, 100, 1_000_000),
    seed: cli.int("seed", values.seed, 1, 0, 2 ** 31 - 1),
    requests: cli.int("requests", values.requests, 300, 1, 100_000),
    warmup: cli.int("warmup", values.warmup, 20, 0, 10_000),
    connections: cli.int("connections", values.connections, 10, 1, 1000),
    recallQueries: cli.int("recall-queries", values["recall-queries"], 300, 0, 10_000),
    timeoutS: cli.int("timeout", values.timeout, 60, 1, 3600),
    port: cli.int("port", values.port, DEFAULT_PORT, 1, 65535),
    portExplicit: values.port !== undefined,
    data: values.data !== undefined ? path.resolve(values.data) : DEFAULT_DATA,
    reuseState: values["reuse-state"] !== undefined ? path.resolve(values["reuse-state"]) : undefined,
    vars,
    keep: values.keep,
  };
}

const mib = (bytes: number) => bytes / 2 ** 20;
const loadAverage = () => os.loadavg().map((l) => round(l, 2));


/** One row of POST /api/debug/vector/recall. */
interface RecallRow {
  query: string;
  index: string[];
  int8: string[];
  exact: string[];
  index_ms: number;
}

/** The admin token of the benchmark's server: the debug routes need the admin (docs/access.md). */
const BENCH_ADMIN_TOKEN = `bench-${process.pid}-admin-token`;

async function getJson<T>(url: string, init: RequestInit = {}, timeoutMs = 600_000): Promise<T> {
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Median workerd RSS (KiB) of the server's tree over `n` samples `everyMs` apart. */
async function workerdRss(pid: number, n = 5, everyMs = 200): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    values.push((await sampleTree(pid)).workerdKiB);
    if (i + 1 < n) await sleep(everyMs);
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/** |a ∩ b| / |b|, or 1 when `b` is empty. */
function overlap(a: readonly string[], b: readonly string[]): number {
  if (b.length === 0) return 1;
  const set = new Set(a);
  return b.filter((id) => set.has(id)).length / b.length;
}

function recallSummary(values: number[]) {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  return { mean: round(mean, 4), min: round(Math.min(...values), 4), perfectShare: round(values.filter((v) => v === 1).length / Math.max(1, values.length), 4) };
}

/** Median of server-side stage timings collected from the answers. */
function medianTimings(list: { lexical: number; vector: number; fusion: number }[]) {
  const med = (xs: number[]) => (xs.length ? latencyStats(xs).p50 : Number.NaN);
  return { lexical: med(list.map((t) => t.lexical)), vector: med(list.map((t) => t.vector)), fusion: med(list.map((t) => t.fusion)) };
}

// ---------------------------------------------------------------------------------------------

/** Samples the memory of each server's process tree from its spawn; a signal also stops the load test in progress. */
const lifecycle = new ScriptRun({ log, memorySampleMs: SAMPLE_MS, onInterrupt: stopActiveLoad, reportZombies: true });
const { state } = lifecycle;

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const command = commandAsTyped({ npmScript: "bench:scale" });
  const load = { atStart: loadAverage(), beforeLatency: [] as number[], atEnd: [] as number[] };
  log(`load average at start: ${load.atStart.join(", ")} (${os.cpus().length} CPUs)`);

  // 1. The corpus and the queries, before starting anything.
  const pools = await Promise.all([
    scifactPool(path.join(opts.data, "beir-scifact"), 3),
    docsPool(path.join(opts.data, "docs-opentelemetry"), "observability", 1),
    docsPool(path.join(opts.data, "docs-react-en"), "frontend", 1),
  ]);
  for (const p of pools) log(`pool ${p.name} (${p.domain}, weight ${p.weight}): ${p.sentences.length} sentences, ${p.titles.length} titles`);
  const corpus = syntheticDocuments(pools, { chunks: opts.chunks, seed: opts.seed });
  log(`synthetic corpus: ${corpus.documents.length} documents, ${corpus.sections} sections (= expected chunks), ${num(mib(corpus.bytes), 1)} MiB`);

  // Four /api/rag/query runs, each with its warm-up; spare queries per run (see below).
  const warmQueries = 20;
  const needed = 4 * (opts.warmup + opts.requests + 4 * opts.connections) + opts.recallQueries + warmQueries;
  const queries = uniqueQueries([...(await scifactQueries(path.join(opts.data, "beir-scifact"))), ...OTEL_QUESTIONS], pools, needed, opts.seed);
  let nextQuery = 0;
  const takeQueries = (n: number) => queries.slice(nextQuery, (nextQuery += n));

  // 2. Fresh server, bulk ingestion.
  const port = await choosePort(opts.port, opts.portExplicit, log);
  const { persistTo, migrationsLog, devLog } = await lifecycle.createTemp("edge-rag-scale-");
  const serverOptions = {
    root: REPO_ROOT,
    persistTo,
    port,
    logFile: devLog,
    vars: { ...opts.vars, DEBUG_ROUTES: "on", ADMIN_TOKEN: BENCH_ADMIN_TOKEN },
  };
  if (opts.reuseState) {
    log(`copying the state of an earlier run from ${opts.reuseState}…`);
    await cp(opts.reuseState, persistTo, { recursive: true });
  }
  const first = await lifecycle.startServer(serverOptions, migrationsLog);
  const ingestSampler = lifecycle.sampler;
  ingestSampler.setPhase("ingestion");
  let ingest: IngestResult;
  if (opts.reuseState) {
    ingest = { files: corpus.documents.length, done: corpus.documents.length, failed: 0, errors: [], seconds: Number.NaN };
  } else {
    log(`ingesting ${corpus.documents.length} documents through POST /api/ingest/jobs…`);
    ingest = await ingestDocuments(
      { documents: corpus.documents, empty: [] },
      { url: first.server.url, batchDocs: 100, pollMs: 2000, timeoutMs: 4 * 3600_000, onProgress: throttledProgressLog(log, 15_000) },
    );
  }
  lifecycle.checkInterrupted();
  const counted = await countChunks(first.server.url);
  const ingestion = {
    reusedState: opts.reuseState,
    documents: corpus.documents.length,
    bytes: corpus.bytes,
    expectedChunks: corpus.sections,
    ingested: ingest.done,
    failed: ingest.failed,
    documentsListed: counted.total,
    chunks: counted.chunks,
    seconds: round(ingest.seconds, 1),
    chunksPerSecond: round(counted.chunks / ingest.seconds, 1),
    errors: ingest.errors.slice(0, 20),
    peakMemory: memoryRow(ingestSampler.peak("ingestion")),
  };
  log(
    opts.reuseState
      ? `reused state: ${counted.total} documents, ${counted.chunks} chunks`
      : `ingested ${ingest.done} documents (${ingest.failed} failed) into ${counted.chunks} chunks in ${num(ingest.seconds, 1)} s`,
  );

  // 3. Restart (which stops the ingestion sampler and samples the new server): cold VectorStore;
  // RSS before and after it loads.
  log("restarting the server on the same state (cold Durable Objects)…");
  const second = await lifecycle.restartServer(serverOptions);
  const server = second.server;
  const sampler = lifecycle.sampler;
  sampler.setPhase("warm-up");
  for (const q of takeQueries(warmQueries)) {
    await getJson(`${server.url}/api/rag/query`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: q, mode: "lexical", top_k: 10 }) });
  }
  await sleep(1000);
  const rssBeforeKiB = await workerdRss(server.pid);
  sampler.setPhase("index load");
  const loadStarted = performance.now();
  const stats = await getJson<VectorStoreStats>(`${server.url}/api/debug/vector/stats`);
  const loadRequestMs = performance.now() - loadStarted;
  await sleep(1000);
  const rssAfterLoadKiB = await workerdRss(server.pid);
  log(
    `index: ${stats.rows} vectors × ${stats.dims} dims, ${num(mib(stats.totalBytes), 1)} MiB by its own count, loaded in ${num(stats.loadMs ?? Number.NaN, 0)} ms; ` +
      `workerd RSS ${num(rssBeforeKiB / 1024, 1)} → ${num(rssAfterLoadKiB / 1024, 1)} MiB`,
  );

  // 4. Latency runs, each request a new query.
  load.beforeLatency = loadAverage();
  log(`load average before the latency runs: ${load.beforeLatency.join(", ")}`);
  sampler.setPhase("latency");
  const timings = new Map<string, { lexical: number; vector: number; fusion: number }[]>();
  /** A /api/rag/query load whose i-th request sends the i-th of `n` queries not used before. */
  const ragSpec = (name: string, mode: "hybrid" | "vector" | "lexical", n: number): EndpointSpec => {
    const pool = takeQueries(n);
    const collected: { lexical: number; vector: number; fusion: number }[] = [];
    timings.set(name, collected);
    return {
      name,
      method: "POST",
      path: "/api/rag/query",
      body: (i) => ({ query: pool[i % pool.length], top_k: 10, mode }),
      inspect: (b) => {
        const body = b as { results?: unknown[]; timings_ms?: { lexical: number; vector: number; fusion: number } };
        if (body.timings_ms) collected.push(body.timings_ms);
        return body.results?.length ? undefined : "no results";
      },
    };
  };
  const health: EndpointSpec = { name: "baseline GET /health", method: "GET", path: "/health" };
  const runs: { name: string; mode: "hybrid" | "vector" | "lexical" | "–"; connections: number }[] = [
    { name: health.name, mode: "–", connections: 1 },
    { name: "hybrid, 1 client", mode: "hybrid", connections: 1 },
    { name: `hybrid, ${opts.connections} clients`, mode: "hybrid", connections: opts.connections },
    { name: "vector only, 1 client", mode: "vector", connections: 1 },
    { name: "lexical only, 1 client", mode: "lexical", connections: 1 },
  ];
  const latency: (LoadResult & { mode: string; serverTimingsMs: { lexical: number; vector: number; fusion: number } })[] = [];
  for (const { name, mode, connections } of runs) {
    lifecycle.checkInterrupted();
    const target = { url: server.url, connections, timeoutS: opts.timeoutS };
    // Requests beyond `requests` can be set up when several connections finish at once: spare queries.
    const extra = 2 * connections;
    if (opts.warmup > 0) await runLoad(mode === "–" ? health : ragSpec(`${name} (warm-up)`, mode, opts.warmup + extra), { ...target, requests: opts.warmup });
    lifecycle.checkInterrupted();
    log(`${name}: ${opts.requests} requests…`);
    const r = await runLoad(mode === "–" ? health : ragSpec(name, mode, opts.requests + extra), { ...target, requests: opts.requests });
    log(`  p50 ${num(r.latencyMs.p50, 1)} ms, p95 ${num(r.latencyMs.p95, 1)} ms, ${num(r.throughputRps, 1)} req/s; ${r.non200} non-200, ${r.errors} errors`);
    for (const s of r.errorSamples) log(`  ${s}`);
    latency.push({ ...r, name, mode, serverTimingsMs: medianTimings(timings.get(name) ?? []) });
  }
  const rssAfterQueriesKiB = await workerdRss(server.pid);

  // 5. Recall against exact search.
  sampler.setPhase("recall");
  const recallRows: RecallRow[] = [];
  const recallQueries = takeQueries(opts.recallQueries);
  const recallStarted = performance.now();
  for (let i = 0; i < recallQueries.length; i += RECALL_BATCH) {
    lifecycle.checkInterrupted();
    const batch = recallQueries.slice(i, i + RECALL_BATCH);
    const body = await getJson<{ results: RecallRow[] }>(`${server.url}/api/debug/vector/recall`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ queries: batch, top_k: RECALL_K }),
    });
    recallRows.push(...body.results);
    log(`  recall: ${recallRows.length}/${recallQueries.length} queries`);
  }
  const recall = recallRows.length
    ? {
        queries: recallRows.length,
        k: RECALL_K,
        seconds: round((performance.now() - recallStarted) / 1000, 1),
        index: recallSummary(recallRows.map((r) => overlap(r.index, r.exact))),
        int8Only: recallSummary(recallRows.map((r) => overlap(r.int8, r.exact))),
        indexQueryMs: latencyStats(recallRows.map((r) => r.index_ms)),
        worst: recallRows
          .map((r) => ({ query: r.query, recall: overlap(r.index, r.exact) }))
          .filter((r) => r.recall < 1)
          .slice(0, 10),
      }
    : undefined;
  const statsAfter = await getJson<VectorStoreStats>(`${server.url}/api/debug/vector/stats`);
  load.atEnd = loadAverage();

  await lifecycle.cleanup();

  // Report.
  const machine = machineInfo();
  const versions = { wrangler: await packageVersion(REPO_ROOT, "wrangler"), autocannon: await packageVersion(REPO_ROOT, "autocannon") };
  const issues: string[] = [];
  const warnings: string[] = [];
  if (opts.reuseState && counted.total !== corpus.documents.length) issues.push(`reused state: ${counted.total} documents listed, ${corpus.documents.length} expected`);
  if (ingest.failed > 0) issues.push(`ingestion: ${ingest.failed} document(s) failed`);
  if (counted.chunks !== corpus.sections) issues.push(`ingestion: ${counted.chunks} chunks listed, ${corpus.sections} expected`);
  if (stats.rows !== counted.chunks) issues.push(`vector index holds ${stats.rows} vectors for ${counted.chunks} chunks`);
  for (const r of latency) {
    if (r.non200 > 0 || r.errors > 0 || r.responses < r.requested) issues.push(`${r.name}: ${r.non200} non-200, ${r.errors} errors, ${r.responses}/${r.requested} responses`);
    if (r.emptyAnswers > 0) warnings.push(`${r.name}: ${r.emptyAnswers} answer(s) without results`);
  }
  if (state.leftovers) issues.push("teardown: processes of a dev server's group were still alive");
  const hybrid1 = latency.find((r) => r.name === "hybrid, 1 client")!;
  const goals = [
    { goal: `hybrid /api/rag/query p95, 1 client`, target: `≤ ${GOALS.hybridP95Ms} ms`, measured: `${num(hybrid1.latencyMs.p95, 1)} ms`, met: hybrid1.latencyMs.p95 <= GOALS.hybridP95Ms },
    {
      goal: "VectorStore in-memory index (own count)",
      target: "< 128 MB",
      measured: `${num(stats.totalBytes / 1e6, 1)} MB (${num(mib(stats.totalBytes), 1)} MiB)`,
      met: stats.totalBytes < GOALS.memoryBytes,
    },
    {
      goal: "workerd RSS delta of loading the index",
      target: "< 128 MB",
      measured: `${num(((rssAfterLoadKiB - rssBeforeKiB) * 1024) / 1e6, 1)} MB`,
      met: (rssAfterLoadKiB - rssBeforeKiB) * 1024 < GOALS.memoryBytes,
    },
    ...(recall ? [{ goal: `Recall@${RECALL_K} vs exact Float32 search`, target: `≥ ${GOALS.recallAt10}`, measured: num(recall.index.mean, 4), met: recall.index.mean >= GOALS.recallAt10 }] : []),
  ];

  const result = {
    ...resultHeader({ startedAt, command, machine, versions }),
    loadAverage: load,
    options: { ...opts },
    server: {
      command: `wrangler dev --local --port ${port} --ip 127.0.0.1 --persist-to <tmp>/state ${Object.entries(serverOptions.vars).map(([k, v]) => `--var ${k}:${v}`).join(" ")}`,
      providers: second.health.providers,
      startupSeconds: { ingestion: round(first.startupSeconds, 1), measurement: round(second.startupSeconds, 1) },
      tmp: opts.keep ? state.tmp : undefined,
      teardown: { forcedKills: state.forcedKills, leftovers: state.leftovers },
    },
    corpus: { pools: pools.map((p) => ({ name: p.name, domain: p.domain, weight: p.weight, sentences: p.sentences.length, titles: p.titles.length })), seed: opts.seed },
    ingestion,
    vectorIndex: {
      stats,
      statsAfterQueries: statsAfter,
      loadRequestMs: round(loadRequestMs, 1),
      workerdRssKiB: { beforeLoad: rssBeforeKiB, afterLoad: rssAfterLoadKiB, afterQueries: rssAfterQueriesKiB, loadDelta: rssAfterLoadKiB - rssBeforeKiB },
    },
    latency: latency.map((r) => ({ ...r, latencyMs: Object.fromEntries(Object.entries(r.latencyMs).map(([k, v]) => [k, round(v, 2)])) as unknown as LatencyStats })),
    recall,
    memory: { phases: Object.fromEntries(sampler.phases().map((p) => [p, memoryRow(sampler.peak(p))])) },
    goals,
    ok: issues.length === 0,
    issues,
    warnings,
  };
  const file = path.join(RESULTS_DIR, `scale-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeJsonResult(file, result);

  const p = second.health.providers ?? {};
  const lines: string[] = [];
  lines.push(`## edge-rag scale benchmark, ${num(counted.chunks, 0)} chunks, ${startedAt.toISOString()}`, "");
  lines.push(`- Command: \`${command}\` (in the repository root)`);
  lines.push(`- Machine: ${machine.os}; ${machine.cpus} CPUs (${machine.cpuModel}); ${num(machine.totalMemGiB, 1)} GiB RAM; Node ${machine.node}; wrangler ${versions.wrangler}`);
  lines.push(`- Load average (1, 5, 15 min): ${load.atStart.join(", ")} at start, ${load.beforeLatency.join(", ")} before the latency runs, ${load.atEnd.join(", ")} at the end`);
  if (Object.keys(opts.vars).length > 0) lines.push(`- Worker variables set with --var: ${Object.entries(opts.vars).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  lines.push(`- Providers: embedding ${p.embedding ?? "?"} (${stats.dims} dims), vector index ${p.vector_index ?? "?"}; index layout: ${stats.layout}`);
  lines.push(
    `- Corpus: ${num(corpus.documents.length, 0)} synthetic Markdown documents (${num(mib(corpus.bytes), 1)} MiB, seed ${opts.seed}) of real sentences from ` +
      pools.map((x) => `${x.name} (${num(x.sentences.length, 0)} sentences, weight ${x.weight})`).join(", "),
  );
  lines.push("");
  if (opts.reuseState) lines.push(`State reused from an earlier run (\`--reuse-state\`): ingestion not measured in this run.`, "");
  lines.push("| Ingestion (POST /api/ingest/jobs, queue) | Documents | Failed | Chunks (expected) | Seconds | Chunks/s | Peak RSS workerd |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|");
  lines.push(
    `| synthetic, ${num(mib(corpus.bytes), 1)} MiB | ${num(ingest.done, 0)} | ${num(ingest.failed, 0)} | ${num(counted.chunks, 0)} (${num(corpus.sections, 0)}) | ` +
      `${num(ingest.seconds, 1)} | ${num(ingestion.chunksPerSecond, 1)} | ${num(ingestion.peakMemory.peakWorkerdMiB, 0)} MiB |`,
  );
  lines.push("");
  lines.push(`| Latency (unique queries, top_k 10, ${opts.requests} requests after ${opts.warmup} warm-up) | Clients | p50 ms | p95 ms | p99 ms | Req/s | Server ms (median): lexical end / vector end / hydration + fusion |`);
  lines.push("|---|---:|---:|---:|---:|---:|---|");
  for (const r of latency) {
    const t = r.serverTimingsMs;
    const server = r.mode === "–" ? "–" : `${num(t.lexical, 1)} / ${num(t.vector, 1)} / ${num(t.fusion, 1)}`;
    lines.push(`| ${r.name} | ${r.connections} | ${num(r.latencyMs.p50, 1)} | ${num(r.latencyMs.p95, 1)} | ${num(r.latencyMs.p99, 1)} | ${num(r.throughputRps, 1)} | ${server} |`);
  }
  lines.push("");
  lines.push("| VectorStore memory | Bytes | MiB |");
  lines.push("|---|---:|---:|");
  for (const [k, v] of Object.entries(stats.typedArrayBytes)) lines.push(`| typed array \`${k}\` (exact) | ${num(v, 0)} | ${num(mib(v), 2)} |`);
  for (const [k, v] of Object.entries(stats.estimatedObjectBytes)) lines.push(`| JS objects \`${k}\` (estimate) | ${num(v, 0)} | ${num(mib(v), 2)} |`);
  lines.push(`| **total, own count** | ${num(stats.totalBytes, 0)} | ${num(mib(stats.totalBytes), 2)} |`);
  lines.push(`| workerd RSS: before load → after load (delta) | ${num(rssBeforeKiB * 1024, 0)} → ${num(rssAfterLoadKiB * 1024, 0)} | ${num(rssBeforeKiB / 1024, 1)} → ${num(rssAfterLoadKiB / 1024, 1)} (+${num((rssAfterLoadKiB - rssBeforeKiB) / 1024, 1)}) |`);
  lines.push(`| workerd RSS after the latency runs | ${num(rssAfterQueriesKiB * 1024, 0)} | ${num(rssAfterQueriesKiB / 1024, 1)} |`);
  lines.push("");
  lines.push(`Index load from SQLite on the first request after the restart: ${num(stats.loadMs ?? Number.NaN, 0)} ms inside the object (${num(loadRequestMs, 0)} ms for the request).`);
  lines.push("");
  if (recall) {
    lines.push(`| Recall@${RECALL_K} vs exact Float32 brute force (${recall.queries} queries) | Mean | Min | Queries at 1.0 |`);
    lines.push("|---|---:|---:|---:|");
    lines.push(`| index query (int8 scan → exact re-rank) | ${num(recall.index.mean, 4)} | ${num(recall.index.min, 2)} | ${num(recall.index.perfectShare * 100, 1)} % |`);
    lines.push(`| int8 scan alone (no re-rank) | ${num(recall.int8Only.mean, 4)} | ${num(recall.int8Only.min, 2)} | ${num(recall.int8Only.perfectShare * 100, 1)} % |`);
    lines.push("");
    lines.push(`Index query time inside the Worker (RPC included) during the recall run: p50 ${num(recall.indexQueryMs.p50, 1)} ms, p95 ${num(recall.indexQueryMs.p95, 1)} ms.`);
    lines.push("");
  }
  lines.push("| Goal (issue #3) | Target | Measured | Met |");
  lines.push("|---|---|---:|---|");
  for (const g of goals) lines.push(`| ${g.goal} | ${g.target} | ${g.measured} | ${g.met ? "yes" : "**no**"} |`);
  lines.push("");
  return printReport(lines, { issues, warnings, file, kept: opts.keep ? `${state.tmp} (logs: ${migrationsLog}, ${devLog})` : undefined, log });
}

lifecycle.run(main);
