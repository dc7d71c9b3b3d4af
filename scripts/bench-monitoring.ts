/**
 * `npm run bench:monitoring [-- --requests N] [--loads N] [--skip-eval]`: figures of the quality
 * loop for BENCHMARKS.md.
 *
 *  1. starts an app server (test/browser/support/app-server.ts: its own production build of web/,
 *     `wrangler dev --local` on fresh state with an ADMIN_TOKEN) and ingests the three corpora of
 *     the evaluation set from ../shared/data (sources relative to ../shared/data);
 *  2. an evaluation run over the whole `test` split (every corpus) through the `edge-rag-eval`
 *     queue, as `POST /api/meta-monitoring/control/evaluate` starts it: wall time from the POST to
 *     the run's completion, cases per second, batches, and the run's metrics;
 *  3. seeds the dashboard's history (scripts/lib/seed-monitoring.ts, through the API);
 *  4. the dashboard's API at 1 client: `--requests` sequential requests (default 200) to each
 *     endpoint the dashboard pages read, as the admin, against the baseline `GET /health` in the
 *     same run; p50/p95;
 *  5. page loads in Chromium (playwright-core, signed in as the admin): each dashboard page loaded
 *     `--loads` times (default 10), from navigation start to its data on screen (the "Updated …"
 *     of the refresh bar), against the baseline `/chat` (to its composer) in the same run.
 * Progress to stderr, Markdown report to stdout, JSON in bench-results/monitoring-<ISO timestamp>.json.
 */
import path from "node:path";
import { chromium } from "playwright-core";
import { ANSWER_CORPORA } from "../worker/rag/eval/answers.ts";
import { latencyStats, runLoad, type LatencyStats } from "./lib/bench-load.ts";
import { CommandLine, commandAsTyped } from "./lib/cli.ts";
import { collectDocuments, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import { machineInfo, num, round, writeJsonResult } from "./lib/report.ts";
import { seedMonitoring } from "./lib/seed-monitoring.ts";
import { BROWSER_ADMIN_TOKEN, startAppServer } from "../test/browser/support/app-server.ts";
import { findChromium } from "../test/browser/support/chromium.ts";

const root = path.resolve(import.meta.dirname, "..");
const DATA_ROOT = path.resolve(root, "..", "shared", "data");
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];
const ADMIN = { authorization: `Bearer ${BROWSER_ADMIN_TOKEN}` };

const cli: CommandLine = new CommandLine(`usage: npm run bench:monitoring [-- --requests N] [--loads N] [--skip-eval]
  --requests N   sequential requests per dashboard endpoint (10..5000, default 200)
  --loads N      loads of each dashboard page in Chromium (1..50, default 10)
  --skip-eval    do not run the whole test split (ingests only the OpenTelemetry docs)`);
const values = cli.parse({
  requests: { type: "string" }, loads: { type: "string" }, "skip-eval": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
});
const requests = cli.int("requests", values.requests, 200, 10, 5000);
const loads = cli.int("loads", values.loads, 10, 1, 50);
const skipEval = values["skip-eval"] === true;
const log = (m: string) => process.stderr.write(`[bench:monitoring] ${m}\n`);

/** Endpoints the dashboard pages read, in page order. */
const DASHBOARD_ENDPOINTS = [
  "/api/meta-monitoring/health",
  "/api/meta-monitoring/metrics/latest",
  "/api/meta-monitoring/alerts?limit=20",
  "/api/meta-monitoring/alerts/stats",
  "/api/meta-monitoring/alert-rules",
  "/api/meta-monitoring/proposals?limit=20",
  "/api/meta-monitoring/proposals/stats",
  "/api/meta-monitoring/metrics/trends?metric=gold_at_5&timeframe=7d",
  "/api/meta-monitoring/runs?limit=20",
  "/api/config/production",
  "/api/config/versions",
];
const DASHBOARD_PAGES = ["/dashboard", "/dashboard/alerts", "/dashboard/proposals", "/dashboard/metrics", "/dashboard/controls"];

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, { ...init, headers: { ...ADMIN, "content-type": "application/json", ...(init?.headers ?? {}) } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const startedAt = new Date();
log("starting the app server (build, wrangler dev)…");
const app = await startAppServer({ corpus: false });
const result: Record<string, unknown> = {};
try {
  const ingestion: Record<string, { documents: number; failed: number; seconds: number }> = {};
  for (const [corpus, folder] of Object.entries(ANSWER_CORPORA)) {
    if (skipEval && corpus !== "otel") continue;
    const collected = await collectDocuments(path.join(DATA_ROOT, folder));
    for (const d of collected.documents) d.source = `${folder}/${d.source}`;
    log(`${corpus}: ingesting ${collected.documents.length} pages…`);
    const r = await ingestDocuments(collected, { url: app.url, pollMs: 200, onProgress: throttledProgressLog(log, 10_000) });
    ingestion[corpus] = { documents: r.done, failed: r.failed, seconds: round(r.seconds, 1) };
  }
  result.ingestion = ingestion;

  if (!skipEval) {
    log("evaluation run over the whole test split through the queue…");
    const t0 = performance.now();
    const started = await json(`${app.url}/api/meta-monitoring/control/evaluate`, { method: "POST", body: JSON.stringify({ dataset: "test" }) });
    let run = started;
    while (run.status !== "completed" && run.status !== "failed") {
      await new Promise((r) => setTimeout(r, 250));
      run = await json(`${app.url}/api/meta-monitoring/runs/${started.id}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    log(`run ${run.status}: ${run.total} cases in ${num(seconds)} s`);
    result.evaluation_run = { status: run.status, cases: run.total, done: run.done, failed: run.failed, batches: run.batch_count, batch_size: run.batch_size, seconds: round(seconds, 1), cases_per_s: round(run.total / seconds, 2), metrics: run.metrics };
  }

  log("seeding the dashboard's history…");
  const seedStart = performance.now();
  const seed = await seedMonitoring({ url: app.url, adminToken: BROWSER_ADMIN_TOKEN, log: (l) => log(`seed: ${l}`) });
  result.seed = { seconds: round((performance.now() - seedStart) / 1000, 1), runs: seed.runs.length, alerts: seed.alerts.length, proposals: seed.proposals.length };

  log(`dashboard API: ${requests} sequential requests per endpoint…`);
  const api: { path: string; latency_ms: LatencyStats; non200: number }[] = [];
  for (const p of ["/health", ...DASHBOARD_ENDPOINTS]) {
    const r = await runLoad({ name: p, method: "GET", path: p, headers: p === "/health" ? {} : ADMIN }, { url: app.url, requests, connections: 1, timeoutS: 30 });
    api.push({ path: p, latency_ms: r.latencyMs, non200: r.non200 + r.errors });
  }
  result.api = api;

  log(`page loads: ${loads} per page…`);
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_FLAGS });
  const pages: { path: string; ready_ms: LatencyStats }[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = await context.request.post(`${app.url}/api/admin/session`, { data: { token: BROWSER_ADMIN_TOKEN } });
    if (!signIn.ok()) throw new Error(`admin sign-in failed: ${signIn.status()}`);
    const page = await context.newPage();
    for (const p of ["/chat", ...DASHBOARD_PAGES]) {
      const times: number[] = [];
      for (let i = 0; i < loads; i++) {
        await page.goto(`${app.url}${p}`);
        if (p === "/chat") await page.locator("#chat-input").waitFor();
        else await page.waitForFunction(() => /Updated/.test(document.querySelector(".refresh-bar")?.textContent ?? ""), undefined, { timeout: 30_000 });
        times.push(await page.evaluate(() => performance.now()));
      }
      pages.push({ path: p, ready_ms: latencyStats(times) });
      log(`${p}: p50 ${num(pages.at(-1)!.ready_ms.p50)} ms`);
    }
  } finally {
    await browser.close();
  }
  result.pages = pages;

  const lines = [
    `### Run of ${startedAt.toISOString()}`,
    "",
    `Command: \`${commandAsTyped({ npmScript: "bench:monitoring" })}\``,
    "",
  ];
  if (result.evaluation_run) {
    const e = result.evaluation_run as any;
    lines.push(
      "**Evaluation run, whole `test` split through the queue** (three corpora in one knowledge base):",
      "",
      "| cases | batches × size | status | wall time | cases/s | gold@5 | answered when found | honest refusal | keyword recall | citation validity | latency p50 / p95 |",
      "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      `| ${e.cases} | ${e.batches} × ${e.batch_size} | ${e.status} | ${num(e.seconds)} s | ${num(e.cases_per_s, 2)} | ${num(e.metrics?.gold_at_5 ?? NaN, 3)} | ${num(e.metrics?.answered_when_found ?? NaN, 3)} | ${num(e.metrics?.honest_refusal_rate ?? NaN, 3)} | ${num(e.metrics?.answer_keyword_recall ?? NaN, 3)} | ${num(e.metrics?.citation_validity ?? NaN, 3)} | ${num(e.metrics?.latency_p50_ms ?? NaN, 0)} / ${num(e.metrics?.latency_p95_ms ?? NaN, 0)} ms |`,
      "",
    );
  }
  lines.push(
    `**Dashboard API at 1 client** (${requests} sequential requests each, as the admin; baseline \`GET /health\` in the same run):`,
    "",
    "| endpoint | p50 ms | p95 ms | p99 ms | non-200 |",
    "|---|---:|---:|---:|---:|",
    ...api.map((a) => `| ${a.path === "/health" ? "baseline `GET /health`" : `\`GET ${a.path}\``} | ${num(a.latency_ms.p50)} | ${num(a.latency_ms.p95)} | ${num(a.latency_ms.p99)} | ${a.non200} |`),
    "",
    `**Page loads** (${loads} loads each in Chromium, warm cache, signed in; navigation start → data on screen; baseline \`/chat\` → composer shown):`,
    "",
    "| page | p50 ms | p95 ms | max ms |",
    "|---|---:|---:|---:|",
    ...pages.map((p) => `| ${p.path === "/chat" ? "baseline `/chat`" : `\`${p.path}\``} | ${num(p.ready_ms.p50)} | ${num(p.ready_ms.p95)} | ${num(p.ready_ms.max)} |`),
    "",
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  const file = path.join(root, "bench-results", `monitoring-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  await writeJsonResult(file, { started_at: startedAt.toISOString(), machine: machineInfo(), requests, loads, ...result });
  log(`results written to ${path.relative(process.cwd(), file)}`);
} finally {
  await app.stop();
}
