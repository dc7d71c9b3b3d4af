/**
 * `npm run bench:latency [-- options]`: latency of hybrid `POST /api/rag/query` with unique
 * queries, at 1 and 10 concurrent clients, against the baseline `GET /health` on the same server
 * in the same run; optionally against another git revision of the Worker on a copy of the same
 * data, measured in alternation.
 *
 *  1. loads the queries and the corpus before starting anything: a BEIR folder (`--dataset`,
 *     default SciFact: every query of queries.jsonl, the whole corpus.jsonl) or a documentation
 *     folder (`--docs`: the documents, and as queries the benchmark's OpenTelemetry questions plus
 *     each page's title);
 *  2. copies the Worker's sources of the working tree (scripts/lib/sources.ts) and starts
 *     `wrangler dev --local` on fresh temporary state, ingests the corpus through the bulk queue
 *     path, stops it; with `--compare <ref>` also exports that revision's sources;
 *  3. starts one server per version and dev-server flag set (`--dev-flags`), each on its own copy
 *     of the ingested state, and warms each up (vector index loaded, code compiled);
 *  4. for each round, each client count, each version in turn (in alternating order from round to
 *     round): GET /health, then POST /api/rag/query `{query, top_k}` with autocannon, each request a
 *     query not sent to that server before (no result is ever served twice, so no cache could
 *     help); records exact latency percentiles, throughput, the server-side stage timings, the
 *     load average and the CPU time per request of every process of the dev server (wrangler, its
 *     proxy workerd, the Worker's workerd) and of the load generator; pools the rounds;
 *  5. stops the servers, writes the figures to bench-results/latency-<ISO timestamp>.json and
 *     prints Markdown tables for BENCHMARKS.md.
 *
 * Progress goes to stderr, the report to stdout. Exit code 0 when every request answered 200 with
 * results, 1 when the run finished with errors (reported, JSON written) or failed, 2 on bad usage,
 * 130 on SIGINT.
 */
import { cp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { latencyStats, runLoad, stopActiveLoad } from "./lib/bench-load.ts";
import type { EndpointSpec, LatencyStats, LoadResult } from "./lib/bench-load.ts";
import { processCpu } from "./lib/bench-proc.ts";
import type { ProcessCpu } from "./lib/bench-proc.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { choosePort, ephemeralPort, startDevServer } from "./lib/bench-server.ts";
import type { DevServer } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, LOAD_TEST_OPTIONS, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { loadBeir } from "./lib/eval-datasets.ts";
import { collectDocuments, countChunks, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import type { IngestDocument } from "./lib/ingest-client.ts";
import { machineInfo, num, packageVersion, printReport, resultHeader, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";
import { exportRevision, snapshotSources, workingTreeRevision } from "./lib/sources.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_DATASET = path.resolve(REPO_ROOT, "..", "shared", "data", "beir-scifact");
const RESULTS_DIR = path.join(REPO_ROOT, "bench-results");
const DEFAULT_PORT = 8795;
/** Longest title accepted by the API. */
const MAX_TITLE = 300;

/**
 * Dev-server settings. `fast`: wrangler's local trace capture off (`X_LOCAL_OBSERVABILITY=false`,
 * the documented opt-out of the Local Explorer's per-request traces, on by default since wrangler
 * 4.118) and `--log-level warn` (no "[wrangler:info] GET / 200" line, which the proxy posts to
 * wrangler's Node process for every request). The Worker runs the same code either way.
 */
const DEV_FLAGS = {
  default: { args: [] as string[], env: {} as Record<string, string> },
  fast: { args: ["--log-level", "warn"], env: { X_LOCAL_OBSERVABILITY: "false" } },
} as const;
type DevFlags = keyof typeof DEV_FLAGS;

const USAGE = `Usage: npm run bench:latency [-- options]   (or: node scripts/bench-latency.ts [options])

Ingests a corpus into a fresh wrangler dev --local server, then measures GET /health (baseline)
and hybrid POST /api/rag/query with unique queries at each client count, optionally next to the
Worker of another git revision on a copy of the same data. Prints Markdown tables and writes the
figures to bench-results/latency-<ISO timestamp>.json.

Options:
  --dataset <dir>     BEIR folder: corpus.jsonl and every query of queries.jsonl
                      (default ../shared/data/beir-scifact)
  --docs <dir>        documentation folder instead: its pages, and as queries the OpenTelemetry
                      questions of the benchmark plus every page title
  --requests <n>      measured requests per endpoint and client count (default 300)
  --warmup <n>        unmeasured requests per endpoint and client count before each (default 20)
  --clients <list>    client counts, comma-separated (default 1,10)
  --top-k <n>         top_k of the queries (default 5)
  --rounds <n>        measure every version and client count n times, the versions in alternating
                      order (A B, then B A, ...); the summary pools the rounds (default 1)
  --compare <ref>     also measure the Worker of git revision <ref> (e.g. main) on a copy of the data
  --dev-flags <list>  dev-server flag sets, comma-separated; each version runs with each:
                      fast (default): X_LOCAL_OBSERVABILITY=false and --log-level warn;
                      default: wrangler dev's defaults
  --timeout <s>       per-request timeout in seconds; a timeout counts as an error (default 30)
  --port <n>          first dev server port (default ${DEFAULT_PORT}; the next ones follow)
  --keep              keep the temporary folder (state, sources, logs) and print its path
  -h, --help          show this help`;

interface Options {
  dataset?: string;
  docs?: string;
  requests: number;
  warmup: number;
  clients: number[];
  topK: number;
  rounds: number;
  compare?: string;
  devFlags: DevFlags[];
  timeoutS: number;
  port: number;
  portExplicit: boolean;
  keep: boolean;
}

function log(message: string): void {
  process.stderr.write(`[bench:latency] ${message}\n`);
}

function parseCli(): Options {
  const cli: CommandLine = new CommandLine(USAGE);
  const v = cli.parse({
    ...SERVER_SCRIPT_OPTIONS,
    ...LOAD_TEST_OPTIONS,
    dataset: { type: "string" },
    docs: { type: "string" },
    clients: { type: "string" },
    "top-k": { type: "string" },
    rounds: { type: "string" },
    compare: { type: "string" },
    "dev-flags": { type: "string" },
  });
  if (v.dataset !== undefined && v.docs !== undefined) cli.usageError("give --dataset or --docs, not both");
  const clients = (v.clients ?? "1,10").split(",").map((c) => cli.int("clients", c.trim(), 1, 1, 256));
  const devFlags = [...new Set((v["dev-flags"] ?? "fast").split(",").map((f) => f.trim()))];
  for (const f of devFlags) if (!(f in DEV_FLAGS)) cli.usageError(`--dev-flags takes fast and/or default, got '${f}'`);
  return {
    dataset: v.docs === undefined ? path.resolve(v.dataset ?? DEFAULT_DATASET) : undefined,
    docs: v.docs !== undefined ? path.resolve(v.docs) : undefined,
    requests: cli.int("requests", v.requests, 300, 1, 100_000),
    warmup: cli.int("warmup", v.warmup, 20, 0, 10_000),
    clients,
    topK: cli.int("top-k", v["top-k"], 5, 1, 50),
    rounds: cli.int("rounds", v.rounds, 1, 1, 20),
    compare: v.compare,
    devFlags: devFlags as DevFlags[],
    timeoutS: cli.int("timeout", v.timeout, 30, 1, 3600),
    port: cli.int("port", v.port, DEFAULT_PORT, 1, 65535),
    portExplicit: v.port !== undefined,
    keep: v.keep,
  };
}

/** The corpus to ingest and the queries to send, without duplicates, in a fixed order. */
interface Workload {
  name: string;
  documents: IngestDocument[];
  queries: string[];
}

/** The title of a Markdown/HTML page: front matter `title:`, else its first `# ` heading or `<title>`. */
function pageTitle(content: string): string | undefined {
  const t = content.match(/^title:\s*["']?(.+?)["']?\s*$/m)?.[1] ?? content.match(/^#\s+(.+)$/m)?.[1] ?? content.match(/<title>([^<]+)<\/title>/i)?.[1];
  return t?.trim() || undefined;
}

async function loadWorkload(opts: Options): Promise<Workload> {
  if (opts.docs) {
    const collected = await collectDocuments(opts.docs);
    const titles = collected.documents.map((d) => pageTitle(d.content)).filter((t): t is string => t !== undefined);
    return { name: path.basename(opts.docs), documents: collected.documents, queries: [...new Set([...OTEL_QUESTIONS, ...titles])] };
  }
  const dataset = await loadBeir(opts.dataset!, "test");
  // Every query of queries.jsonl (all splits), not only the judged test queries.
  const queries: string[] = [];
  for (const line of (await readFile(path.join(opts.dataset!, "queries.jsonl"), "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const text = (JSON.parse(line) as { text?: unknown }).text;
    if (typeof text === "string" && text.trim()) queries.push(text.trim());
  }
  const documents: IngestDocument[] = [];
  for (const d of dataset.corpus) {
    const title = d.title.trim().slice(0, MAX_TITLE).trimEnd();
    const content = d.text.trim() ? d.text : title;
    if (!content) continue;
    documents.push({ source: d.id, ...(title ? { title } : {}), content, content_type: "text" });
  }
  return { name: dataset.name, documents, queries: [...new Set(queries)] };
}

/** One version of the Worker under test, with one set of dev-server flags. */
interface Version {
  /** `current` (the working tree) or the `--compare` ref, with the flag set when several are measured. */
  label: string;
  flags: DevFlags;
  commit: string | null;
  dirty: boolean;
  sha256: string;
  root: string;
  server?: DevServer;
}

/** CPU milliseconds per request by role, over one load run. */
type CpuPerRequest = Record<ProcessCpu["role"] | "loadgen", number>;

/** One load run: one version, one endpoint, one client count. */
interface Run extends LoadResult {
  version: string;
  clients: number;
  /** 1-based round of the measurement. */
  round: number;
  loadAverage: [number, number, number];
  cpuMsPerRequest: CpuPerRequest;
  /** Server-side stage timings of the rag/query answers (`timings_ms`), ms. */
  serverTimingsMs?: Record<string, LatencyStats>;
}

/** One row of the summary: a version, client count and endpoint, pooled over the rounds. */
interface Summary {
  version: string;
  clients: number;
  name: string;
  rounds: number;
  responses: number;
  /** Percentiles over every HTTP 200 answer of the rounds. */
  latencyMs: LatencyStats;
  /** Mean of the rounds' throughputs. */
  throughputRps: number;
  /** Mean of the rounds' 1-minute load averages (taken before each). */
  loadAverage: number;
  /** Mean over the answers of the rounds. */
  cpuMsPerRequest: CpuPerRequest;
}

const round2 = (x: number) => round(x, 2);

function cpuDelta(before: ProcessCpu[], after: ProcessCpu[], loadgenMs: number, requests: number): CpuPerRequest {
  const out: CpuPerRequest = { wrangler: 0, "workerd-proxy": 0, "workerd-user": 0, esbuild: 0, other: 0, loadgen: loadgenMs / requests };
  const start = new Map(before.map((p) => [p.pid, p.cpuMs]));
  for (const p of after) out[p.role] += (p.cpuMs - (start.get(p.pid) ?? 0)) / requests;
  for (const k of Object.keys(out) as (keyof CpuPerRequest)[]) out[k] = round(out[k], 3);
  return out;
}

const lifecycle = new ScriptRun({
  log,
  // state.server is the ingestion server; the measured servers are stopped here.
  beforeCleanup: async () => {
    for (const v of versions) await v.server?.stop().catch((e) => log(`error while stopping ${v.label}: ${e instanceof Error ? e.message : String(e)}`));
  },
  onInterrupt: stopActiveLoad,
  logStopErrors: true,
});
const { state } = lifecycle;
const versions: Version[] = [];

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((l) => round2(l));
  const command = commandAsTyped({ npmScript: "bench:latency" });

  const source = opts.docs ?? opts.dataset!;
  if (!(await stat(source).catch(() => undefined))?.isDirectory()) throw new Error(`folder not found: ${source}`);
  const workload = await loadWorkload(opts);
  const perServer = opts.rounds * opts.clients.reduce((n, c) => n + opts.requests + opts.warmup + c, 0);
  log(`${workload.name}: ${workload.documents.length} documents, ${workload.queries.length} distinct queries (${perServer} needed per server)`);
  if (workload.queries.length < perServer) {
    throw new Error(`not enough distinct queries: ${workload.queries.length} < ${perServer}; lower --requests, --warmup, --rounds or the client counts`);
  }

  const { tmp, persistTo, migrationsLog, devLog } = await lifecycle.createTemp("edge-rag-latency-");
  const current = await workingTreeRevision(REPO_ROOT);
  const snap = await snapshotSources(REPO_ROOT, path.join(tmp, "src-current"));
  const sources = [{ label: "current", ...current, sha256: snap.sha256, root: path.join(tmp, "src-current") }];
  if (opts.compare) {
    const exported = await exportRevision(REPO_ROOT, opts.compare, path.join(tmp, "src-compare"));
    sources.push({ label: opts.compare, commit: exported.commit, dirty: false, sha256: exported.sha256, root: path.join(tmp, "src-compare") });
  }
  for (const flags of opts.devFlags) {
    for (const src of sources) versions.push({ ...src, label: opts.devFlags.length > 1 ? `${src.label}, ${flags} flags` : src.label, flags });
  }
  log(`versions: ${versions.map((v) => `${v.label} (${v.commit?.slice(0, 10) ?? "?"}${v.dirty ? ", uncommitted changes" : ""})`).join(", ")}`);

  // Ingest once with the current code (first flag set), then copy the state for every version.
  let port = await choosePort(opts.port, opts.portExplicit, log);
  const ingestFlags = DEV_FLAGS[opts.devFlags[0]];
  const ingestServer = await lifecycle.startServer({ root: versions[0].root, persistTo, port, logFile: devLog, extraArgs: ingestFlags.args, env: ingestFlags.env }, migrationsLog);
  log(`ingesting ${workload.documents.length} documents…`);
  const ingest = await ingestDocuments({ documents: workload.documents, empty: [] }, { url: ingestServer.server.url, pollMs: 200, onProgress: throttledProgressLog(log, 5000) });
  const counted = await countChunks(ingestServer.server.url);
  log(`ingested ${ingest.done} documents (${ingest.failed} failed), ${counted.chunks} chunks in ${num(ingest.seconds, 1)} s`);
  await lifecycle.stopServer();
  lifecycle.checkInterrupted();

  for (const [i, v] of versions.entries()) {
    const copy = path.join(tmp, `state-${i}`);
    await cp(persistTo, copy, { recursive: true });
    port = await choosePort(port + 1, false, log);
    const flags = DEV_FLAGS[v.flags];
    log(`starting ${v.label} on port ${port} (${v.flags} flags)…`);
    v.server = await startDevServer({
      root: v.root, persistTo: copy, port, inspectorPort: await ephemeralPort(), logFile: path.join(tmp, `wrangler-dev-${i}.log`),
      extraArgs: flags.args, env: flags.env,
    });
    lifecycle.checkInterrupted();
  }

  // Query positions: each (round, client count) takes its own slice, the same for every version, so
  // that every version answers the same queries and no server sees a query twice.
  let cursor = 0;
  const slices = new Map<string, number>();
  for (let round = 1; round <= opts.rounds; round++) {
    for (const c of opts.clients) {
      slices.set(`${round}/${c}`, cursor);
      cursor += opts.requests + opts.warmup + c;
    }
  }
  const issues: string[] = [];
  const warnings: string[] = [];
  const runs: Run[] = [];

  for (let round = 1; round <= opts.rounds; round++) {
    for (const clients of opts.clients) {
      for (const v of round % 2 === 1 ? versions : [...versions].reverse()) {
        const url = v.server!.url;
        const offset = slices.get(`${round}/${clients}`)!;
        const timings: Record<string, number[]> = {};
        let next = offset;
        const health: EndpointSpec = { name: "baseline GET /health", method: "GET", path: "/health" };
        const query = (record: boolean): EndpointSpec => ({
          name: `POST /api/rag/query {query, top_k: ${opts.topK}}`,
          method: "POST",
          path: "/api/rag/query",
          body: () => ({ query: workload.queries[next++], top_k: opts.topK }),
          inspect: (b) => {
            const body = b as { results?: unknown[]; timings_ms?: Record<string, number> };
            if (record) for (const [k, ms] of Object.entries(body.timings_ms ?? {})) (timings[k] ??= []).push(ms);
            return body.results?.length ? undefined : "no results";
          },
        });
        for (const { spec, warm } of [{ spec: health, warm: health }, { spec: query(true), warm: query(false) }]) {
          lifecycle.checkInterrupted();
          if (opts.warmup > 0) await runLoad(warm, { url, requests: opts.warmup, connections: clients, timeoutS: opts.timeoutS });
          const loadAverage = os.loadavg().map((l) => round2(l)) as [number, number, number];
          const before = await processCpu(v.server!.pid);
          const cpu0 = process.cpuUsage();
          const r = await runLoad(spec, { url, requests: opts.requests, connections: clients, timeoutS: opts.timeoutS, keepSamples: true });
          const cpu1 = process.cpuUsage(cpu0);
          const after = await processCpu(v.server!.pid);
          const run: Run = {
            ...r, version: v.label, clients, round, loadAverage,
            cpuMsPerRequest: cpuDelta(before, after, (cpu1.user + cpu1.system) / 1000, Math.max(1, r.responses)),
          };
          if (spec.path === "/api/rag/query") run.serverTimingsMs = Object.fromEntries(Object.entries(timings).map(([k, a]) => [k, roundStats(latencyStats(a))]));
          log(
            `round ${round}, ${v.label}, ${clients} client(s), ${spec.name}: p50 ${num(r.latencyMs.p50, 1)} / p95 ${num(r.latencyMs.p95, 1)} ms, ${num(r.throughputRps, 1)} req/s` +
              ` (load ${loadAverage[0]}; CPU ms/request: workerd ${num(run.cpuMsPerRequest["workerd-user"], 2)}, proxy ${num(run.cpuMsPerRequest["workerd-proxy"], 2)}, wrangler ${num(run.cpuMsPerRequest.wrangler, 2)})`,
          );
          if (r.non200 > 0 || r.errors > 0 || r.responses < r.requested) {
            issues.push(`${v.label}, ${clients} client(s), ${spec.name}: ${r.non200} non-200, ${r.errors} errors, ${r.responses}/${r.requested} responses; ${r.errorSamples.join(" | ")}`);
          }
          if (r.emptyAnswers > 0) warnings.push(`${v.label}, ${clients} client(s), ${spec.name}: ${r.emptyAnswers} answer(s) without results`);
          runs.push(run);
        }
        if (next - offset > opts.requests + opts.warmup + clients) warnings.push(`${v.label}, ${clients} client(s): ${next - offset} queries drawn for ${opts.requests + opts.warmup} requests`);
      }
    }
  }

  // Pooled over the rounds: latency percentiles of all answers, throughput and CPU per request as means.
  const summary: Summary[] = [];
  for (const clients of opts.clients) {
    for (const v of versions) {
      for (const name of [...new Set(runs.map((r) => r.name))]) {
        const group = runs.filter((r) => r.version === v.label && r.clients === clients && r.name === name);
        if (group.length === 0) continue;
        const responses = group.reduce((n, r) => n + r.responses, 0);
        const cpu = Object.fromEntries(
          (Object.keys(group[0].cpuMsPerRequest) as (keyof CpuPerRequest)[]).map((k) => [k, round(group.reduce((n, r) => n + r.cpuMsPerRequest[k] * r.responses, 0) / Math.max(1, responses), 3)]),
        ) as CpuPerRequest;
        summary.push({
          version: v.label, clients, name, rounds: group.length, responses,
          latencyMs: roundStats(latencyStats(group.flatMap((r) => r.samplesMs ?? []))),
          throughputRps: round(group.reduce((n, r) => n + r.throughputRps, 0) / group.length, 2),
          loadAverage: round2(group.reduce((n, r) => n + r.loadAverage[0], 0) / group.length),
          cpuMsPerRequest: cpu,
        });
      }
    }
  }

  await lifecycle.cleanup();

  const machine = machineInfo();
  const versionsInfo = { wrangler: await packageVersion(REPO_ROOT, "wrangler"), autocannon: await packageVersion(REPO_ROOT, "autocannon") };
  const result = {
    ...resultHeader({ startedAt, command, machine, versions: versionsInfo }),
    options: { ...opts, devFlagsApplied: Object.fromEntries(opts.devFlags.map((f) => [f, DEV_FLAGS[f]])) },
    loadAverageAtStart: loadAtStart,
    workload: { name: workload.name, documents: workload.documents.length, chunks: counted.chunks, queries: workload.queries.length, ingestSeconds: round(ingest.seconds) },
    code: versions.map(({ label, flags, commit, dirty, sha256 }) => ({ label, flags, commit, dirty, sha256 })),
    summary,
    runs: runs.map(({ samplesMs, ...r }) => ({ ...r, samplesMs: samplesMs?.map((x) => round(x, 2)), latencyMs: roundStats(r.latencyMs), seconds: round(r.seconds), throughputRps: round(r.throughputRps, 2) })),
    ok: issues.length === 0,
    issues,
    warnings,
  };
  const file = path.join(RESULTS_DIR, `latency-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeJsonResult(file, result);

  const lines: string[] = [];
  lines.push(`## edge-rag latency, ${startedAt.toISOString()}`, "");
  lines.push(`- Command: \`${command}\` (in the repository root)`);
  lines.push(`- Machine: ${machine.os}; ${machine.cpus} CPUs (${machine.cpuModel}); ${num(machine.totalMemGiB, 1)} GiB RAM; Node ${machine.node}; load average at the start ${loadAtStart.join(" / ")} (1/5/15 min), before each row in the table`);
  lines.push(
    `- Server: wrangler ${versionsInfo.wrangler}, one \`wrangler dev --local\` per row label on a copy of the same state; ` +
      opts.devFlags.map((f) => `${f} flags: \`${[...Object.entries(DEV_FLAGS[f].env).map(([k, val]) => `${k}=${val}`), "wrangler dev --local", ...DEV_FLAGS[f].args].join(" ")}\``).join("; ") +
      `; code: ${sources.map((v) => `${v.label} = ${v.commit?.slice(0, 10) ?? "?"}${v.dirty ? " + uncommitted changes" : ""}`).join(", ")}`,
  );
  lines.push(
    `- Workload: ${workload.name}, ${num(workload.documents.length, 0)} documents → ${num(counted.chunks, 0)} chunks; ${opts.requests} measured requests per row after ${opts.warmup} warm-up requests, ` +
      `every rag/query with a query its server has not seen (autocannon ${versionsInfo.autocannon}, on the same machine); exact nearest-rank percentiles over the HTTP 200 answers`,
  );
  lines.push("");
  lines.push(`Pooled over ${opts.rounds} round(s) (versions in alternating order); latency percentiles over all answers, the other columns means of the rounds:`, "");
  lines.push("| Version | Clients | Endpoint | p50 ms | p95 ms | p99 ms | Req/s | Load | CPU ms/req: Worker workerd | proxy workerd | wrangler | load generator |");
  lines.push("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of summary) {
    const c = r.cpuMsPerRequest;
    lines.push(
      `| ${r.version} | ${r.clients} | ${r.name} | ${num(r.latencyMs.p50, 1)} | ${num(r.latencyMs.p95, 1)} | ${num(r.latencyMs.p99, 1)} | ${num(r.throughputRps, 1)} | ${num(r.loadAverage, 2)} | ` +
        `${num(c["workerd-user"], 2)} | ${num(c["workerd-proxy"], 2)} | ${num(c.wrangler, 2)} | ${num(c.loadgen, 2)} |`,
    );
  }
  lines.push("");
  if (opts.rounds > 1) {
    lines.push("Each round (p50 / p95 ms):", "");
    lines.push("| Version | Clients | Endpoint | " + Array.from({ length: opts.rounds }, (_, i) => `round ${i + 1}`).join(" | ") + " |");
    lines.push("|---|---:|---|" + "---:|".repeat(opts.rounds));
    for (const r of summary) {
      const per = runs.filter((x) => x.version === r.version && x.clients === r.clients && x.name === r.name).sort((a, b) => a.round - b.round);
      lines.push(`| ${r.version} | ${r.clients} | ${r.name} | ${per.map((x) => `${num(x.latencyMs.p50, 1)} / ${num(x.latencyMs.p95, 1)}`).join(" | ")} |`);
    }
    lines.push("");
  }
  const withTimings = runs.filter((r) => r.serverTimingsMs);
  if (withTimings.length > 0) {
    lines.push("| Version | Clients | Round | Server-side stage (timings_ms) p50 / p95 ms |");
    lines.push("|---|---:|---:|---|");
    for (const r of withTimings) {
      lines.push(`| ${r.version} | ${r.clients} | ${r.round} | ${Object.entries(r.serverTimingsMs!).map(([k, s]) => `${k} ${num(s.p50, 0)} / ${num(s.p95, 0)}`).join("; ")} |`);
    }
    lines.push("");
  }
  return printReport(lines, { issues, warnings, file, kept: opts.keep ? state.tmp : undefined, log });
}

function roundStats(s: LatencyStats): LatencyStats {
  return { p50: round(s.p50, 2), p95: round(s.p95, 2), p99: round(s.p99, 2), mean: round(s.mean, 2), min: round(s.min, 2), max: round(s.max, 2) };
}

lifecycle.run(main);
