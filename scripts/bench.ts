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
import { stat } from "node:fs/promises";
import path from "node:path";
import { collectDocuments, countChunks, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import type { IngestResult } from "./lib/ingest-client.ts";
import { runLoad, stopActiveLoad } from "./lib/bench-load.ts";
import type { EndpointSpec, LoadResult } from "./lib/bench-load.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { choosePort } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, LOAD_TEST_OPTIONS, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { machineInfo, memoryRow, num, packageVersion, printReport, resultHeader, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";

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

function parseCli(): BenchOptions {
  const cli: CommandLine = new CommandLine(USAGE);
  const values = cli.parse({
    ...SERVER_SCRIPT_OPTIONS,
    ...LOAD_TEST_OPTIONS,
    connections: { type: "string" },
    corpus: { type: "string" },
  });
  return {
    requests: cli.int("requests", values.requests, 300, 1, 1_000_000),
    connections: cli.int("connections", values.connections, 10, 1, 1000),
    warmup: cli.int("warmup", values.warmup, 20, 0, 100_000),
    timeoutS: cli.int("timeout", values.timeout, 30, 1, 3600),
    port: cli.int("port", values.port, DEFAULT_PORT, 1, 65535),
    portExplicit: values.port !== undefined,
    corpus: values.corpus !== undefined ? path.resolve(values.corpus) : DEFAULT_CORPUS,
    keep: values.keep,
  };
}

function mib(kib: number): number {
  return kib / 1024;
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

/**
 * Samples the memory of the server's process tree from its spawn. Cleanup (idempotent): stops the
 * sampler, then the server's process group (also reporting group members that await reaping),
 * removes the temporary folder (unless --keep). A signal also stops the load test in progress.
 */
const lifecycle = new ScriptRun({
  log,
  memorySampleMs: SAMPLE_MS,
  onInterrupt: stopActiveLoad,
  reportZombies: true,
});
const { state } = lifecycle;

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const command = commandAsTyped({ npmScript: "bench" });

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

  const port = await choosePort(opts.port, opts.portExplicit, log);
  const { persistTo, migrationsLog, devLog } = await lifecycle.createTemp("edge-rag-bench-");

  const { server, startupSeconds, health } = await lifecycle.startServer({ root: REPO_ROOT, persistTo, port, logFile: devLog }, migrationsLog);
  const sampler = lifecycle.sampler;

  // Ingestion through the bulk queue path.
  sampler.setPhase("ingestion");
  log(`ingesting ${collected.documents.length} documents through POST /api/ingest/jobs…`);
  const ingest: IngestResult = await ingestDocuments(collected, { url: server.url, pollMs: 200, onProgress: throttledProgressLog(log, 2000) });
  lifecycle.checkInterrupted();
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
    lifecycle.checkInterrupted();
    let warm = { responses: 0, non200: 0, errors: 0 };
    if (opts.warmup > 0) {
      log(`${spec.name}: ${opts.warmup} warm-up requests…`);
      const w = await runLoad(spec, { url: server.url, requests: opts.warmup, connections: opts.connections, timeoutS: opts.timeoutS });
      warm = { responses: w.responses, non200: w.non200, errors: w.errors };
      lifecycle.checkInterrupted();
    }
    log(`${spec.name}: ${opts.requests} requests, ${opts.connections} connections…`);
    const r = await runLoad(spec, { url: server.url, requests: opts.requests, connections: opts.connections, timeoutS: opts.timeoutS });
    lifecycle.checkInterrupted();
    log(
      `  ${r.responses} responses, ${r.non200} non-200, ${r.errors} errors; p50 ${num(r.latencyMs.p50, 1)} ms, p95 ${num(r.latencyMs.p95, 1)} ms, ` +
        `p99 ${num(r.latencyMs.p99, 1)} ms, ${num(r.throughputRps, 1)} req/s`,
    );
    for (const s of r.errorSamples) log(`  ${s}`);
    latency.push({ ...r, warmup: warm });
  }

  // Teardown before reporting, so the report states whether anything was left behind.
  await lifecycle.cleanup();

  const machine = machineInfo();
  const versions = { wrangler: await packageVersion(REPO_ROOT, "wrangler"), autocannon: await packageVersion(REPO_ROOT, "autocannon") };
  const memory = {
    sampleIntervalMs: SAMPLE_MS,
    method: "sum of VmRSS from /proc/<pid>/status over the wrangler process and all its descendants (parent links of /proc/*/stat); workerd = processes named workerd",
    ...memoryRow(sampler.peak(), { maxProcesses: true }),
    phases: Object.fromEntries(sampler.phases().map((p) => [p, memoryRow(sampler.peak(p), { maxProcesses: true })])),
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
    ...resultHeader({ startedAt, command, machine, versions }),
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

  const file = path.join(RESULTS_DIR, `bench-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeJsonResult(file, result);

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
  return printReport(lines, { issues, warnings, file, kept: opts.keep ? `${state.tmp} (logs: ${migrationsLog}, ${devLog})` : undefined, log });
}

lifecycle.run(main);
