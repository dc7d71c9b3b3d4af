/**
 * `npm run eval:answers`: the realistic evaluation set (test/eval/cases.json) through the real
 * chat path. For each corpus (OpenTelemetry, React English, React Korean) a fresh
 * `wrangler dev --local` server ingests that documentation from ../shared/data (source = the
 * file's path relative to ../shared/data, as a user of `POST /api/documents` would send it), then
 * every case of the corpus is asked through `POST /api/chat` in a new session, one at a time,
 * and judged by worker/rag/eval/answers.ts: answered / honest refusal, all keywords in the answer,
 * gold page in the top-5 sources, every `[n]` citation's text found in its source. The same
 * questions then go through `POST /api/rag/query` (top_k 5) so that chat latency is compared with
 * retrieval latency in the same run. With `--provider openai` (or OPENAI_BASE_URL set in the
 * environment) generation and the graph's steps use that OpenAI-compatible endpoint.
 * Plain TypeScript run by Node's type stripping.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { aggregate, ANSWER_CORPORA, chunkContentReader, judgeAnswer, observeTurn, type AnswerCase, type AnswerMetrics, type CaseJudgement, type TurnObservation } from "../worker/rag/eval/answers.ts";
import { latencyStats, type LatencyStats } from "./lib/bench-load.ts";
import { applyMigrations, choosePort } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { collectDocuments, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import { machineInfo, num, packageVersion, printReport, resultHeader, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DATA_ROOT = path.resolve(REPO_ROOT, "..", "shared", "data");
const RESULTS_DIR = path.join(REPO_ROOT, "bench-results");
const CASES_FILE = path.join(REPO_ROOT, "test", "eval", "cases.json");
const DEFAULT_PORT = 8795;
const REQUEST_TIMEOUT_MS = 120_000;

const CORPORA = ANSWER_CORPORA;
type Corpus = keyof typeof CORPORA;

const log = (message: string) => process.stderr.write(`[eval:answers] ${message}\n`);

const cli: CommandLine = new CommandLine(`Usage: npm run eval:answers -- [options]

  --split dev|test|all      cases to run (default all; tune on dev, report test)
  --corpus LIST             comma-separated: otel, react-en, react-ko (default all three)
  --limit N                 at most N cases per corpus (for a quick look)
  --provider offline|openai generation provider (default openai when OPENAI_BASE_URL is set, else offline);
                            openai reads OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_CHAT_MODEL from the environment
  --var NAME:VALUE          a Worker variable for the servers (repeatable)
  --server CORPUS=URL       ask a server that is already running (e.g. a \`wrangler dev\` that reloads on
                            every edit) instead of starting one; it is ingested only when it holds no
                            document (repeatable; corpora without one get a fresh server)
  --out FILE                JSON result file (default bench-results/eval-answers-<time>.json)
  --port N                  first port to try (default ${DEFAULT_PORT})
  --keep                    keep the temporary folder (server state and logs)
  -h, --help                this text`);

interface Options {
  split: "dev" | "test" | "all";
  corpora: Corpus[];
  limit?: number;
  provider: "offline" | "openai";
  vars: Record<string, string>;
  /** Running servers by corpus (base URLs). */
  servers: Partial<Record<Corpus, string>>;
  out?: string;
  port: number;
  portExplicit: boolean;
  keep: boolean;
}

function parseCli(): Options {
  const values = cli.parse({
    ...SERVER_SCRIPT_OPTIONS,
    split: { type: "string", default: "all" },
    corpus: { type: "string" },
    limit: { type: "string" },
    provider: { type: "string" },
    var: { type: "string", multiple: true },
    server: { type: "string", multiple: true },
    out: { type: "string" },
  });
  const split = values.split as Options["split"];
  if (!["dev", "test", "all"].includes(split)) cli.usageError(`--split must be dev, test or all, got '${split}'`);
  const corpora = (values.corpus ?? Object.keys(CORPORA).join(",")).split(",").map((s) => s.trim()) as Corpus[];
  for (const c of corpora) if (!(c in CORPORA)) cli.usageError(`unknown corpus '${c}'`);
  const provider = (values.provider ?? (process.env.OPENAI_BASE_URL ? "openai" : "offline")) as Options["provider"];
  if (!["offline", "openai"].includes(provider)) cli.usageError(`--provider must be offline or openai, got '${provider}'`);
  const vars: Record<string, string> = {};
  for (const v of values.var ?? []) {
    const i = v.indexOf(":");
    if (i <= 0) cli.usageError(`--var takes NAME:VALUE, got '${v}'`);
    vars[v.slice(0, i)] = v.slice(i + 1);
  }
  const servers: Options["servers"] = {};
  for (const v of values.server ?? []) {
    const m = /^([a-z-]+)=(https?:\/\/.+)$/.exec(v);
    if (!m || !(m[1] in CORPORA)) cli.usageError(`--server takes CORPUS=URL with a corpus of ${Object.keys(CORPORA).join(", ")}, got '${v}'`);
    servers[m[1] as Corpus] = m[2].replace(/\/+$/, "");
  }
  if (provider === "openai") {
    const base = process.env.OPENAI_BASE_URL;
    if (!base) cli.usageError("--provider openai needs OPENAI_BASE_URL in the environment");
    Object.assign(vars, {
      GENERATION_PROVIDER: "openai",
      OPENAI_BASE_URL: base,
      OPENAI_API_KEY: process.env.OPENAI_API_KEY ?? "local",
      ...(process.env.OPENAI_CHAT_MODEL ? { OPENAI_CHAT_MODEL: process.env.OPENAI_CHAT_MODEL } : {}),
      ...vars,
    });
  }
  return {
    split, corpora, provider, vars, servers, out: values.out, keep: values.keep,
    limit: values.limit === undefined ? undefined : cli.int("limit", values.limit, 0, 1, 10_000),
    port: cli.int("port", values.port, DEFAULT_PORT, 1, 65_535),
    portExplicit: values.port !== undefined,
  };
}

async function postJson(url: string, body: unknown): Promise<{ ms: number; status: number; json: any }> {
  const started = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const json = await res.json().catch(() => null);
  return { ms: performance.now() - started, status: res.status, json };
}

/** Chunk texts of documents, fetched once per document through `GET /api/documents/:id/chunks`. */
function chunkReader(base: string) {
  return chunkContentReader(async (documentId) => {
    const body = (await (await fetch(`${base}/api/documents/${documentId}/chunks`)).json()) as { chunks?: { id: string; content: string }[] };
    return body.chunks ?? [];
  });
}

/** One case's result row. */
interface CaseRun {
  c: AnswerCase;
  judgement: CaseJudgement;
  chatMs: number;
  queryMs: number;
  response: string;
  sources: string[];
  trace: unknown;
}

async function askCase(base: string, c: AnswerCase, chunkContent: ReturnType<typeof chunkReader>): Promise<{ turn: TurnObservation; ms: number; trace: unknown }> {
  const { ms, status, json } = await postJson(`${base}/api/chat`, { query: c.query, session_id: `eval-${c.id}-${Date.now()}` });
  if (status !== 200 || !json) throw new Error(`POST /api/chat answered ${status}: ${JSON.stringify(json).slice(0, 200)}`);
  const turn = await observeTurn(json, chunkContent);
  return { ms, trace: json.clarification_needed ? { clarification: json } : json.trace, turn };
}

const lifecycle = new ScriptRun({ log, logStopErrors: true });
const { state } = lifecycle;

function fmt(x: number): string {
  return Number.isNaN(x) ? "–" : num(x, 3);
}

function metricsRow(label: string, m: AnswerMetrics): string {
  return `| ${label} | ${m.answerable} + ${m.unanswerable} | ${fmt(m.goldAt5)} | ${fmt(m.answeredWhenFound)} | ${fmt(m.honestRefusal)} | ${fmt(m.allKeywords)} | ${fmt(m.keywordRecall)} | ${fmt(m.citationValidity)} | ${fmt(m.citationPrecision)} |`;
}

async function main(): Promise<number> {
  const opts = parseCli();
  state.keep = opts.keep;
  const startedAt = new Date();
  const command = commandAsTyped({ npmScript: (event) => event.startsWith("eval"), program: "node" });
  const allCases = JSON.parse(await readFile(CASES_FILE, "utf8")) as AnswerCase[];
  const chosen = allCases.filter((c) => (opts.split === "all" || c.split === opts.split) && opts.corpora.includes(c.corpus));
  log(`${chosen.length} of ${allCases.length} cases (split ${opts.split}, corpora ${opts.corpora.join(", ")}, provider ${opts.provider})`);

  const port = await choosePort(opts.port, opts.portExplicit, log);
  const { tmp, migrationsLog, devLog } = await lifecycle.createTemp("edge-rag-eval-answers-");
  const runs: CaseRun[] = [];
  const issues: string[] = [];
  const ingestion: Record<string, { documents: number; failed: number; seconds: number }> = {};
  let providers: unknown;
  let first = true;

  for (const corpus of opts.corpora) {
    let cases = chosen.filter((c) => c.corpus === corpus);
    if (opts.limit !== undefined) cases = cases.slice(0, opts.limit);
    if (cases.length === 0) continue;
    lifecycle.checkInterrupted();
    const running = opts.servers[corpus];
    let base: string;
    if (running) {
      const health = await fetch(`${running}/health`).then((r) => r.json() as Promise<{ providers?: unknown }>);
      providers = health.providers;
      base = running;
    } else {
      const persistTo = path.join(tmp, `state-${corpus}`);
      const serverOptions = { root: REPO_ROOT, persistTo, port, logFile: devLog, vars: opts.vars };
      let started;
      if (first) started = await lifecycle.startServer(serverOptions, migrationsLog);
      else {
        await applyMigrations({ root: REPO_ROOT, persistTo }, migrationsLog);
        started = await lifecycle.restartServer(serverOptions);
      }
      first = false;
      providers = started.health.providers;
      base = started.server.url;
    }

    // Ingest the corpus with sources relative to ../shared/data (a running server only when empty).
    const held = running ? ((await fetch(`${base}/api/documents?limit=1`).then((r) => r.json())) as { total?: number }).total ?? 0 : 0;
    if (held === 0) {
      const folder = CORPORA[corpus];
      const collected = await collectDocuments(path.join(DATA_ROOT, folder));
      for (const d of collected.documents) d.source = `${folder}/${d.source}`;
      log(`${corpus}: ingesting ${collected.documents.length} pages…`);
      const ingest = await ingestDocuments(collected, { url: base, pollMs: 200, onProgress: throttledProgressLog(log, 5000) });
      ingestion[corpus] = { documents: ingest.done, failed: ingest.failed, seconds: round(ingest.seconds, 1) };
      if (ingest.failed) issues.push(`${corpus}: ${ingest.failed} page(s) failed to ingest`);
    } else log(`${corpus}: ${base} already holds ${held} documents`);

    // Chat turns, one at a time, then the same questions through retrieval alone.
    const chunks = chunkReader(base);
    await postJson(`${base}/api/chat`, { query: "warm-up question about the documentation" });
    log(`${corpus}: ${cases.length} chat turns…`);
    const corpusRuns: CaseRun[] = [];
    for (const c of cases) {
      lifecycle.checkInterrupted();
      try {
        const { turn, ms, trace } = await askCase(base, c, chunks);
        corpusRuns.push({ c, judgement: judgeAnswer(c, turn), chatMs: ms, queryMs: Number.NaN, response: turn.response, sources: turn.sources, trace });
      } catch (e) {
        issues.push(`${c.id}: ${(e as Error).message}`);
      }
    }
    for (const r of corpusRuns) {
      const q = await postJson(`${base}/api/rag/query`, { query: r.c.query, top_k: 5 });
      r.queryMs = q.ms;
    }
    runs.push(...corpusRuns);
  }
  await lifecycle.stopServer();

  // Report: per split × group, the headline metrics.
  const groups: [string, (c: AnswerCase) => boolean][] = [
    ["English, OpenTelemetry", (c) => c.corpus === "otel"],
    ["English, React", (c) => c.corpus === "react-en"],
    ["Korean, React", (c) => c.corpus === "react-ko"],
    ["English (all)", (c) => c.language === "en"],
    ["all", () => true],
  ];
  const splits = opts.split === "all" ? (["dev", "test"] as const) : ([opts.split] as const);
  const judgements = runs.map((r) => r.judgement);
  const table: Record<string, Record<string, AnswerMetrics>> = {};
  const lines: string[] = [];
  lines.push(`## Answer evaluation, ${startedAt.toISOString()}`, "");
  lines.push(`- Command: \`${command}\``);
  lines.push(`- Providers: ${JSON.stringify(providers)}; ingestion: ${Object.entries(ingestion).map(([k, v]) => `${k} ${v.documents} pages in ${v.seconds} s`).join(", ")}`);
  lines.push(`- Machine: ${machineInfo().cpus} CPUs, Node ${process.version}, wrangler ${await packageVersion(REPO_ROOT, "wrangler")}`, "");
  for (const split of splits) {
    table[split] = {};
    lines.push(`### ${split} split`, "");
    lines.push("| group | answerable + unanswerable | gold@5 | answered when gold@5 | honest refusal | all keywords | keyword recall | citation validity | citation precision |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const [label, f] of groups) {
      const cs = runs.map((r) => r.c).filter((c) => c.split === split && f(c));
      if (cs.length === 0) continue;
      const m = aggregate(cs, judgements);
      table[split][label] = m;
      lines.push(metricsRow(label, m));
    }
    lines.push("");
  }
  const chat = latencyStats(runs.map((r) => r.chatMs).sort((a, b) => a - b));
  const query = latencyStats(runs.map((r) => r.queryMs).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b));
  lines.push(`Latency at 1 client over ${runs.length} questions: \`POST /api/chat\` p50 / p95 ${num(chat.p50, 1)} / ${num(chat.p95, 1)} ms; ` +
    `\`POST /api/rag/query\` (top_k 5) p50 / p95 ${num(query.p50, 1)} / ${num(query.p95, 1)} ms; ratio of p95 ${num(chat.p95 / query.p95, 2)}.`, "");
  const failing = runs.filter((r) => r.judgement.problems.length);
  lines.push(`<details><summary>${failing.length} case(s) with problems</summary>`, "");
  for (const r of failing) lines.push(`- ${r.c.id} (${r.c.split}): ${r.judgement.problems.join("; ")}`);
  lines.push("", "</details>", "");

  const file = opts.out ?? path.join(RESULTS_DIR, `eval-answers-${startedAt.toISOString().replace(/:/g, "-")}.json`);
  await writeJsonResult(file, {
    ...resultHeader({ startedAt, command, machine: machineInfo(), versions: { wrangler: await packageVersion(REPO_ROOT, "wrangler") } }),
    options: opts,
    providers,
    ingestion,
    metrics: table,
    latencyMs: { chat: roundStats(chat), query: roundStats(query) },
    cases: runs.map((r) => ({ id: r.c.id, split: r.c.split, corpus: r.c.corpus, query: r.c.query, judgement: r.judgement, chatMs: round(r.chatMs, 1), queryMs: round(r.queryMs, 1), response: r.response, sources: r.sources, trace: r.trace })),
    issues,
  });
  return printReport(lines, { issues, warnings: [], file, kept: opts.keep ? `${state.tmp} (logs: ${migrationsLog}, ${devLog})` : undefined, log });
}

function roundStats(s: LatencyStats): LatencyStats {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? round(v, 1) : v])) as unknown as LatencyStats;
}

lifecycle.run(main);
