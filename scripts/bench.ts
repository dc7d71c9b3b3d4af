/**
 * `npm run bench [-- options]`: end-to-end benchmark of edge-rag on a fresh, isolated local server.
 *
 *  1. applies the D1 migrations to a temporary state folder and starts `wrangler dev --local` on it
 *     (its own process group, output to a log file in the temporary folder), waits for GET /health;
 *  2. samples every 200 ms the summed RSS of the wrangler process and all its descendants, and of
 *     its workerd processes alone, for the whole run;
 *  3. ingests the OpenTelemetry documentation through the bulk queue path (`ingestDocuments`) and
 *     counts the chunks through GET /api/documents;
 *  4. measures latency and throughput with autocannon (warm-up first) of the baseline GET /health,
 *     POST /api/rag/query and POST /api/chat, cycling through OpenTelemetry questions;
 *  5. kills the server's whole process group (also on error and SIGINT), writes the figures as JSON
 *     to bench-results/bench-<ISO timestamp>.json and prints Markdown tables for BENCHMARKS.md.
 *
 * Progress goes to stderr, the report to stdout. Exit code 0 when every request answered 200 and
 * every document was ingested, 1 when the run finished with errors (they are reported, and the
 * JSON written) or failed, 2 on bad usage, 130 on SIGINT.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { collectDocuments, ingestDocuments } from "./lib/ingest-client.ts";
import type { IngestResult } from "./lib/ingest-client.ts";
import { runLoad, stopActiveLoad } from "./lib/bench-load.ts";
import type { EndpointSpec, LoadResult } from "./lib/bench-load.ts";
import { groupAlive, listProcesses, TreeMemorySampler } from "./lib/bench-proc.ts";
import type { MemoryPeak } from "./lib/bench-proc.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { applyMigrations, ephemeralPort, isPortFree, killAllGroupsSync, startDevServer } from "./lib/bench-server.ts";
import type { DevServer } from "./lib/bench-server.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_CORPUS = path.resolve(REPO_ROOT, "..", "shared", "data", "docs-opentelemetry");
const RESULTS_DIR = path.join(REPO_ROOT, "bench-results");
const DEFAULT_PORT = 8790;
const SAMPLE_MS = 200;

const USAGE = `Usage: npm run bench [-- options]   (or: node scripts/bench.ts [options])

Starts a fresh wrangler dev --local server on temporary state, ingests the OpenTelemetry docs
through the bulk queue, load-tests GET /health (baseline), POST /api/rag/query and POST /api/chat
with autocannon, samples the server's peak memory, then stops the server. Prints Markdown tables
and writes the figures to bench-results/bench-<ISO timestamp>.json.

Options:
  --requests <n>      measured requests per endpoint (default 300)
  --connections <n>   concurrent connections (default 10)
  --warmup <n>        unmeasured warm-up requests per endpoint (default 20; 0 to skip)
  --timeout <s>       per-request timeout in seconds; a timeout counts as an error (default 30)
  --port <n>          dev server port (default ${DEFAULT_PORT}; when the default is busy the next free
                      port is used, an explicit busy port is an error)
  --corpus <path>     folder to ingest (default ../shared/data/docs-opentelemetry from the repository)
  --keep              keep the temporary folder (state and wrangler logs) and print its path
  -h, --help          show this help`;

/** Parsed command line. */
interface BenchOptions {
  requests: number;
  connections: number;
  warmup: number;
  timeoutS: number;
  port: number;
  portExplicit: boolean;
  corpus: string;
  keep: boolean;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseCli(): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        requests: { type: "string" },
        connections: { type: "string" },
        warmup: { type: "string" },
        timeout: { type: "string" },
        port: { type: "string" },
        corpus: { type: "string" },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    usageError((e as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) usageError(`--${name} must be an integer in ${min}..${max}, got '${raw}'`);
    return n;
  };
  return {
    requests: int("requests", values.requests, 300, 1, 1_000_000),
    connections: int("connections", values.connections, 10, 1, 1000),
    warmup: int("warmup", values.warmup, 20, 0, 100_000),
    timeoutS: int("timeout", values.timeout, 30, 1, 3600),
    port: int("port", values.port, DEFAULT_PORT, 1, 65535),
    portExplicit: values.port !== undefined,
    corpus: values.corpus !== undefined ? path.resolve(values.corpus) : DEFAULT_CORPUS,
    keep: values.keep,
  };
}

/** Quotes an argument for a POSIX shell when needed. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line as typed: `npm run bench -- …` under npm, else `node scripts/bench.ts …`. */
function commandLine(): string {
  const args = process.argv.slice(2).map(shellQuote);
  if (process.env.npm_lifecycle_event === "bench") return ["npm run bench", ...(args.length ? ["--", ...args] : [])].join(" ");
  const script = path.relative(process.cwd(), process.argv[1]) || process.argv[1];
  return [shellQuote(process.argv0 || "node"), shellQuote(script), ...args].join(" ");
}

async function packageVersion(name: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Picks the dev server port: the requested one, or for the default the next free one. */
async function choosePort(opts: BenchOptions): Promise<number> {
  if (await isPortFree(opts.port)) return opts.port;
  if (opts.portExplicit) throw new Error(`port ${opts.port} is already in use on 127.0.0.1; choose another with --port`);
  for (let p = opts.port + 1; p < Math.min(65536, opts.port + 50); p++) {
    if (await isPortFree(p)) {
      log(`port ${opts.port} is in use; using ${p}`);
      return p;
    }
  }
  const p = await ephemeralPort();
  log(`ports ${opts.port}..${opts.port + 49} are in use; using ${p}`);
  return p;
}

/** Documents and chunk total of the knowledge base, paging through GET /api/documents?limit=100. */
async function countChunks(url: string): Promise<{ documents: number; chunks: number; total: number }> {
  let page = 1;
  let documents = 0;
  let chunks = 0;
  let total = Number.POSITIVE_INFINITY;
  while (documents < total) {
    const res = await fetch(`${url}/api/documents?limit=100&page=${page}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`GET /api/documents?limit=100&page=${page} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = (await res.json()) as { documents: { chunk_count: number }[]; total: number };
    total = body.total;
    if (body.documents.length === 0) break;
    for (const d of body.documents) chunks += d.chunk_count;
    documents += body.documents.length;
    page++;
  }
  return { documents, chunks, total: Number.isFinite(total) ? total : documents };
}

/** Fixed-point number with thousands separators; `–` for NaN. */
function num(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function mib(kib: number): number {
  return kib / 1024;
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * f) / f : value;
}

/** Endpoints of the latency runs, in order; the first is the baseline. */
function endpoints(): EndpointSpec[] {
  const q = (i: number) => OTEL_QUESTIONS[i % OTEL_QUESTIONS.length];
  return [
    { name: "baseline GET /health", method: "GET", path: "/health" },
    {
      name: "POST /api/rag/query",
      method: "POST",
      path: "/api/rag/query",
      body: (i) => ({ query: q(i), top_k: 5 }),
      inspect: (b) => ((b as { results?: unknown[] }).results?.length ? undefined : "no results"),
    },
    {
      name: "POST /api/chat",
      method: "POST",
      path: "/api/chat",
      body: (i) => ({ query: q(i) }),
      inspect: (b) => ((b as { sources?: unknown[] }).sources?.length ? undefined : "no sources"),
    },
  ];
}

/** Short description of an endpoint's request for the table. */
const ENDPOINT_NOTES: Record<string, string> = {
  "baseline GET /health": "dev server's own request overhead",
  "POST /api/rag/query": "`{query, top_k: 5}`, hybrid retrieval only",
  "POST /api/chat": "`{query}`, retrieval + extractive answer, new session per request",
};

// ---------------------------------------------------------------------------------------------
// Run state shared with the interrupt handler.

const state: {
  keep: boolean;
  tmp?: string;
  server?: DevServer;
  sampler?: TreeMemorySampler;
  forcedKills: number[];
  leftovers: boolean;
} = { keep: false, forcedKills: [], leftovers: false };

let cleaning: Promise<void> | undefined;

/** Stops the sampler and the server's process group, removes the temporary folder (unless --keep). Idempotent. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await state.sampler?.stop().catch(() => undefined);
    if (state.server) {
      const pid = state.server.pid;
      log(`stopping the dev server (process group ${pid})…`);
      state.forcedKills = await state.server.stop();
      state.leftovers = await groupAlive(pid).catch(() => false);
      const zombies = (await listProcesses().catch(() => [])).filter((p) => p.pgrp === pid).length;
      if (zombies > 0 && !state.leftovers) log(`${zombies} exited process(es) of the group still await reaping by init`);
      if (state.forcedKills.length) log(`SIGKILL was needed for pid(s) ${state.forcedKills.join(", ")}`);
      log(state.leftovers ? `WARNING: processes of group ${pid} are still alive` : "dev server stopped; no process of its group is left");
    }
    killAllGroupsSync();
    if (state.tmp && !state.keep) await rm(state.tmp, { recursive: true, force: true }).catch(() => undefined);
  })();
  return cleaning;
}

let interrupted = false;

/** Ends the main flow once a signal arrived (the signal handler cleans up and exits). */
function checkInterrupted(): void {
  if (interrupted) throw new Error("interrupted");
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killAllGroupsSync();
      process.exit(130);
    }
    interrupted = true;
    log(`${signal} received: stopping…`);
    stopActiveLoad();
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}
process.on("exit", () => killAllGroupsSync());

// ---------------------------------------------------------------------------------------------

/** Memory figures of one phase in MiB. */
function memoryRow(peak: MemoryPeak) {
  return { peakTotalMiB: round(mib(peak.totalKiB), 1), peakWorkerdMiB: round(mib(peak.workerdKiB), 1), maxProcesses: peak.processes, samples: peak.samples };
}

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const command = commandLine();

  // Corpus first: fail before starting anything.
  const corpusInfo = await stat(opts.corpus).catch(() => undefined);
  if (!corpusInfo?.isDirectory()) {
    throw new Error(
      `corpus folder not found: ${opts.corpus}\n` +
        (opts.corpus === DEFAULT_CORPUS ? "The benchmark expects the OpenTelemetry docs at ../shared/data/docs-opentelemetry relative to the repository; pass another folder with --corpus <path>." : "Pass an existing folder with --corpus <path>."),
    );
  }
  const collected = await collectDocuments(opts.corpus);
  if (collected.documents.length === 0) throw new Error(`no .md, .mdx, .markdown, .html, .htm or .txt file under ${opts.corpus}`);
  const corpusBytes = collected.documents.reduce((n, d) => n + Buffer.byteLength(d.content), 0);
  log(`corpus ${opts.corpus}: ${collected.documents.length} documents (${num(corpusBytes / 2 ** 20, 1)} MiB), ${collected.empty.length} empty, ${collected.skipped.length} PDF skipped`);

  const port = await choosePort(opts);
  state.tmp = await mkdtemp(path.join(os.tmpdir(), "edge-rag-bench-"));
  const persistTo = path.join(state.tmp, "state");
  const migrationsLog = path.join(state.tmp, "migrations.log");
  const devLog = path.join(state.tmp, "wrangler-dev.log");
  log(`temporary folder ${state.tmp}${opts.keep ? " (kept)" : ""}`);

  log("applying D1 migrations…");
  await applyMigrations({ root: REPO_ROOT, persistTo }, migrationsLog);
  checkInterrupted();

  const inspectorPort = await ephemeralPort();
  log(`starting wrangler dev --local on 127.0.0.1:${port}…`);
  const bootStart = performance.now();
  state.server = await startDevServer({
    root: REPO_ROOT,
    persistTo,
    port,
    inspectorPort,
    logFile: devLog,
    onSpawn: (pid) => {
      state.sampler = new TreeMemorySampler(pid, SAMPLE_MS);
      state.sampler.start();
    },
  });
  checkInterrupted();
  const server = state.server;
  const sampler = state.sampler!;
  const startupSeconds = (performance.now() - bootStart) / 1000;
  const health = server.health as { version?: string; providers?: { embedding?: string; generation?: string; vector_index?: string } };
  log(`ready in ${num(startupSeconds, 1)} s (pid ${server.pid}); providers: ${JSON.stringify(health.providers ?? {})}`);

  // Ingestion through the bulk queue path.
  sampler.setPhase("ingestion");
  log(`ingesting ${collected.documents.length} documents through POST /api/ingest/jobs…`);
  let lastProgress = 0;
  const ingest: IngestResult = await ingestDocuments(collected, {
    url: server.url,
    pollMs: 200,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastProgress < 2000 && p.done + p.failed < p.total) return;
      lastProgress = now;
      log(`  ${p.done + p.failed}/${p.total} finished (${p.done} ingested, ${p.failed} failed)`);
    },
  });
  checkInterrupted();
  const counted = await countChunks(server.url);
  const ingestion = {
    corpus: opts.corpus,
    files: ingest.files,
    bytes: corpusBytes,
    pages: ingest.done,
    failed: ingest.failed,
    documentsListed: counted.total,
    chunks: counted.chunks,
    seconds: round(ingest.seconds),
    pagesPerSecond: round(ingest.done / ingest.seconds, 2),
    chunksPerSecond: round(counted.chunks / ingest.seconds, 2),
    errors: ingest.errors.slice(0, 20),
  };
  log(`ingested ${ingestion.pages} pages (${ingestion.failed} failed), ${ingestion.chunks} chunks in ${num(ingest.seconds, 1)} s`);
  for (const e of ingest.errors.slice(0, 5)) log(`  failed: ${e.source}: ${e.message}`);

  // Latency runs.
  sampler.setPhase("latency");
  const latency: (LoadResult & { warmup: { responses: number; non200: number; errors: number } })[] = [];
  for (const spec of endpoints()) {
    checkInterrupted();
    let warm = { responses: 0, non200: 0, errors: 0 };
    if (opts.warmup > 0) {
      log(`${spec.name}: ${opts.warmup} warm-up requests…`);
      const w = await runLoad(spec, { url: server.url, requests: opts.warmup, connections: opts.connections, timeoutS: opts.timeoutS });
      warm = { responses: w.responses, non200: w.non200, errors: w.errors };
      checkInterrupted();
    }
    log(`${spec.name}: ${opts.requests} requests, ${opts.connections} connections…`);
    const r = await runLoad(spec, { url: server.url, requests: opts.requests, connections: opts.connections, timeoutS: opts.timeoutS });
    checkInterrupted();
    log(
      `  ${r.responses} responses, ${r.non200} non-200, ${r.errors} errors; p50 ${num(r.latencyMs.p50, 1)} ms, p95 ${num(r.latencyMs.p95, 1)} ms, ` +
        `p99 ${num(r.latencyMs.p99, 1)} ms, ${num(r.throughputRps, 1)} req/s`,
    );
    for (const s of r.errorSamples) log(`  ${s}`);
    latency.push({ ...r, warmup: warm });
  }

  // Teardown before reporting, so the report states whether anything was left behind.
  await cleanup();

  const cpus = os.cpus();
  const machine = {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
  };
  const versions = { wrangler: await packageVersion("wrangler"), autocannon: await packageVersion("autocannon") };
  const memory = {
    sampleIntervalMs: SAMPLE_MS,
    method: "sum of VmRSS from /proc/<pid>/status over the wrangler process and all its descendants (parent links of /proc/*/stat); workerd = processes named workerd",
    ...memoryRow(sampler.peak()),
    phases: Object.fromEntries(sampler.phases().map((p) => [p, memoryRow(sampler.peak(p))])),
    /** Processes of the tree at the sample with the highest total. */
    atPeak: sampler.peakProcesses().map((p) => ({ ...p, rssMiB: round(mib(p.rssKiB), 1) })),
    /** [seconds, total KiB, workerd KiB, processes] */
    samples: sampler.samples.map((s) => [round(s.t, 2), s.totalKiB, s.workerdKiB, s.processes]),
  };

  /** Errors: failed documents or requests, leftover processes (exit code 1). */
  const issues: string[] = [];
  /** Worth a look but not failures. */
  const warnings: string[] = [];
  if (ingestion.failed > 0) issues.push(`ingestion: ${ingestion.failed} document(s) failed`);
  if (ingestion.documentsListed !== ingestion.pages) issues.push(`ingestion: the API lists ${ingestion.documentsListed} documents for ${ingestion.pages} ingested`);
  for (const r of latency) {
    if (r.non200 > 0 || r.errors > 0 || r.responses < r.requested) {
      issues.push(`${r.name}: ${r.non200} non-200 (${JSON.stringify(r.statusCodes)}), ${r.errors} errors (${r.timeouts} timeouts), ${r.responses}/${r.requested} responses`);
    }
    if (r.warmup.non200 > 0 || r.warmup.errors > 0) issues.push(`${r.name} warm-up: ${r.warmup.non200} non-200, ${r.warmup.errors} errors`);
    if (r.emptyAnswers > 0) warnings.push(`${r.name}: ${r.emptyAnswers} answer(s) without retrieved sources`);
  }
  if (state.leftovers) issues.push("teardown: processes of the dev server's group were still alive");

  const result = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    cwd: process.cwd(),
    machine,
    versions,
    options: { requests: opts.requests, connections: opts.connections, warmup: opts.warmup, timeoutS: opts.timeoutS, port, corpus: opts.corpus, keep: opts.keep },
    server: {
      command: `wrangler dev --local --port ${port} --ip 127.0.0.1 --persist-to <tmp>/state`,
      startupSeconds: round(startupSeconds),
      version: health.version,
      providers: health.providers,
      tmp: opts.keep ? state.tmp : undefined,
      teardown: { forcedKills: state.forcedKills, leftovers: state.leftovers },
    },
    questions: OTEL_QUESTIONS,
    ingestion,
    latency: latency.map((r) => ({
      ...r,
      latencyMs: Object.fromEntries(Object.entries(r.latencyMs).map(([k, v]) => [k, round(v)])),
      seconds: round(r.seconds),
      throughputRps: round(r.throughputRps, 2),
    })),
    memory,
    ok: issues.length === 0,
    issues,
    warnings,
  };

  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bench-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);

  // Markdown report.
  const p = health.providers ?? {};
  const lines: string[] = [];
  lines.push(`## edge-rag benchmark, ${startedAt.toISOString()}`, "");
  lines.push(`- Command: \`${command}\` (in the repository root)`);
  lines.push(`- Machine: ${machine.os}; ${machine.cpus} CPUs (${machine.cpuModel}); ${num(machine.totalMemGiB, 1)} GiB RAM; Node ${machine.node}`);
  lines.push(
    `- Server: \`wrangler dev --local\` (wrangler ${versions.wrangler}) on fresh temporary state, ready in ${num(startupSeconds, 1)} s; ` +
      `providers: embedding ${p.embedding ?? "?"}, generation ${p.generation ?? "?"}, vector index ${p.vector_index ?? "?"}`,
  );
  lines.push(
    `- Load: autocannon ${versions.autocannon}, ${opts.requests} measured requests per endpoint after ${opts.warmup} warm-up requests, ` +
      `${opts.connections} connections, ${OTEL_QUESTIONS.length} OpenTelemetry questions cycled; latency percentiles are exact (nearest rank) over the HTTP 200 responses`,
  );
  lines.push("");
  lines.push("| Ingestion (bulk queue) | Pages | Failed | Chunks | Seconds | Pages/s | Chunks/s |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|");
  lines.push(
    `| ${path.basename(opts.corpus)} (${num(corpusBytes / 2 ** 20, 1)} MiB) | ${num(ingestion.pages, 0)} | ${num(ingestion.failed, 0)} | ${num(ingestion.chunks, 0)} | ` +
      `${num(ingest.seconds, 1)} | ${num(ingestion.pagesPerSecond, 1)} | ${num(ingestion.chunksPerSecond, 1)} |`,
  );
  lines.push("");
  lines.push("| Endpoint | Requests | Non-200 | Errors | p50 ms | p95 ms | p99 ms | Mean ms | Req/s | Notes |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of latency) {
    lines.push(
      `| ${r.name} | ${num(r.responses, 0)} | ${num(r.non200, 0)} | ${num(r.errors, 0)} | ${num(r.latencyMs.p50, 1)} | ${num(r.latencyMs.p95, 1)} | ` +
        `${num(r.latencyMs.p99, 1)} | ${num(r.latencyMs.mean, 1)} | ${num(r.throughputRps, 1)} | ${ENDPOINT_NOTES[r.name] ?? ""} |`,
    );
  }
  lines.push("");
  lines.push(`| Peak memory (RSS, sampled every ${SAMPLE_MS} ms) | wrangler + descendants MiB | workerd alone MiB | Processes |`);
  lines.push("|---|---:|---:|---:|");
  lines.push(`| whole run | ${num(memory.peakTotalMiB, 1)} | ${num(memory.peakWorkerdMiB, 1)} | ${memory.maxProcesses} |`);
  for (const [phase, m] of Object.entries(memory.phases)) {
    lines.push(`| ${phase} | ${num(m.peakTotalMiB, 1)} | ${num(m.peakWorkerdMiB, 1)} | ${m.maxProcesses} |`);
  }
  lines.push("");
  lines.push(
    "At the peak: " +
      memory.atPeak.map((p) => `${p.command.split(" ").slice(0, 3).join(" ") || p.comm} ${num(p.rssMiB, 1)} MiB`).join("; ") +
      ". Each RSS includes the pages the process shares, so the sum can count shared pages more than once.",
  );
  lines.push("");
  if (issues.length > 0) {
    lines.push("**Errors in this run:**", "");
    for (const i of issues) lines.push(`- ${i}`);
    lines.push("");
  }
  if (warnings.length > 0) {
    lines.push("**Warnings:**", "");
    for (const w of warnings) lines.push(`- ${w}`);
    lines.push("");
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  log(`results written to ${path.relative(process.cwd(), file) || file}`);
  if (opts.keep) log(`temporary folder kept: ${state.tmp} (logs: ${migrationsLog}, ${devLog})`);
  if (issues.length > 0) log(`the run finished with ${issues.length} error(s); see above`);
  return issues.length > 0 ? 1 : 0;
}

main().then(
  async (code) => {
    await cleanup();
    process.exitCode = code;
  },
  async (e) => {
    if (interrupted) return;
    log(`error: ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    if (state.tmp && state.keep) log(`temporary folder kept: ${state.tmp}`);
    process.exitCode = 1;
  },
);
