/**
 * `npm run bench:web [-- --questions N] [--runs N]`: figures of the web client for BENCHMARKS.md.
 *
 *  1. starts an app server (test/browser/support/app-server.ts: its own production build of
 *     web/, `wrangler dev --local` on fresh state, the OpenTelemetry test folders ingested);
 *  2. size: the JavaScript a first visit to `/chat` loads (the entry chunk, its static imports and
 *     the chat route's chunk with its imports, from Vite's manifest), raw and gzipped (zlib level 9),
 *     against the baseline of the whole build's JavaScript;
 *  3. Lighthouse (@lhci/cli 0.14.0 `lhci collect`, Debian's Chromium, `--runs` runs each, default
 *     mobile settings with simulated throttling): performance and accessibility of `/chat` and
 *     `/knowledge`, median run;
 *  4. in the browser (playwright-core): for `--questions` OpenTelemetry questions typed into
 *     `/chat`, the time from the question frame leaving the page to the first `progress` frame and
 *     to the `answer` frame (WebSocket frames seen by Chromium's DevTools protocol), and to the
 *     answer rendered in the page; p50/p95, against the baseline `GET /health` round trip from
 *     the same page.
 * Progress to stderr, Markdown report to stdout, JSON in bench-results/web-<ISO timestamp>.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { latencyStats } from "./lib/bench-load.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { CommandLine, commandAsTyped } from "./lib/cli.ts";
import { machineInfo, num, writeJsonResult } from "./lib/report.ts";
import { startAppServer } from "../test/browser/support/app-server.ts";
import { findChromium } from "../test/browser/support/chromium.ts";

const root = path.resolve(import.meta.dirname, "..");
const CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

const cli: CommandLine = new CommandLine(`usage: npm run bench:web [-- --questions N] [--runs N]
  --questions N  questions asked in the browser (1..${OTEL_QUESTIONS.length}, default 20)
  --runs N       Lighthouse runs per page (1..9, default 3; the median is reported)`);
const values = cli.parse({ questions: { type: "string" }, runs: { type: "string" }, help: { type: "boolean", short: "h", default: false } });
const questions = cli.int("questions", values.questions, 20, 1, OTEL_QUESTIONS.length);
const runs = cli.int("runs", values.runs, 3, 1, 9);
const log = (m: string) => process.stderr.write(`[bench:web] ${m}\n`);

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  src?: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/** Files (JS) a first visit to the chat route loads: entry + static imports + chat chunk + its static imports. */
function initialChatFiles(manifest: Record<string, ManifestChunk>): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const i of chunk.imports ?? []) visit(i);
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  if (!entry) throw new Error("no entry chunk in Vite's manifest");
  visit(entry);
  const chat = Object.keys(manifest).find((k) => k.endsWith("routes/chat/ChatPage.tsx"));
  if (!chat) throw new Error("no chat route chunk in Vite's manifest");
  visit(chat);
  return [...files].filter((f) => f.endsWith(".js"));
}

function sizeOf(assets: string, files: string[]) {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(path.join(assets, f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: files.length, raw_kb: raw / 1024, gzip_kb: gzip / 1024 };
}

function lighthouse(url: string): { performance: number; accessibility: number; runs: { performance: number; accessibility: number }[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "edge-rag-lhci-"));
  try {
    const r = spawnSync(path.join(root, "node_modules", ".bin", "lhci"), [
      "collect", `--url=${url}`, `--numberOfRuns=${runs}`, `--settings.chromeFlags=${CHROMIUM_FLAGS.join(" ")}`,
    ], { cwd: dir, env: { ...process.env, CHROME_PATH: findChromium() }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`lhci collect failed for ${url}: ${r.stderr || r.stdout}`);
    const reports = readdirSync(path.join(dir, ".lighthouseci")).filter((f) => f.endsWith(".json"));
    const scores = reports.map((f) => {
      const lhr = JSON.parse(readFileSync(path.join(dir, ".lighthouseci", f), "utf8"));
      return { performance: lhr.categories.performance.score as number, accessibility: lhr.categories.accessibility.score as number };
    });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { performance: median(scores.map((s) => s.performance)), accessibility: median(scores.map((s) => s.accessibility)), runs: scores };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const startedAt = new Date();
log("starting the app server (build, wrangler dev, OpenTelemetry docs)…");
const app = await startAppServer();
try {
  const manifest = JSON.parse(readFileSync(path.join(app.assets, ".vite", "manifest.json"), "utf8")) as Record<string, ManifestChunk>;
  const chatRoute = sizeOf(app.assets, initialChatFiles(manifest));
  const allJs = sizeOf(app.assets, Object.values(manifest).map((c) => c.file).filter((f) => f.endsWith(".js")));
  log(`initial /chat JS: ${num(chatRoute.gzip_kb)} KB gzipped`);

  const pages: Record<string, ReturnType<typeof lighthouse>> = {};
  for (const p of ["/chat", "/knowledge"]) {
    log(`Lighthouse ${p} (${runs} run(s))…`);
    pages[p] = lighthouse(`${app.url}${p}`);
  }

  log(`asking ${questions} question(s) in the browser…`);
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_FLAGS.filter((f) => !f.startsWith("--headless")) });
  const timing = { health_ms: [] as number[], first_progress_ms: [] as number[], answer_frame_ms: [] as number[], answer_rendered_ms: [] as number[] };
  try {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    let sentAt = 0;
    let firstProgress = 0;
    let answerAt = 0;
    cdp.on("Network.webSocketFrameSent", (e) => {
      if (String(e.response.payloadData).includes('"question"')) {
        sentAt = e.timestamp * 1000;
        firstProgress = 0;
        answerAt = 0;
      }
    });
    cdp.on("Network.webSocketFrameReceived", (e) => {
      const data = String(e.response.payloadData);
      if (!firstProgress && data.startsWith('{"type":"progress"')) firstProgress = e.timestamp * 1000;
      if (data.startsWith('{"type":"answer"') || data.startsWith('{"type":"clarification"')) answerAt = e.timestamp * 1000;
    });
    await page.goto(`${app.url}/chat`);
    const composer = page.locator("#chat-input");
    await composer.waitFor();
    for (const q of OTEL_QUESTIONS.slice(0, questions)) {
      timing.health_ms.push(await page.evaluate(async () => {
        const t = performance.now();
        await (await fetch("/health", { cache: "no-store" })).json();
        return performance.now() - t;
      }));
      const before = await page.locator(".messages > .msg.answer, .messages > .msg.clarification").count();
      const started = Date.now();
      await composer.fill(q);
      await composer.press("Enter");
      await page.waitForFunction((n) => document.querySelectorAll(".messages > .msg.answer, .messages > .msg.clarification").length > n, before, { timeout: 60_000 });
      const rendered = Date.now() - started;
      await page.waitForTimeout(50);
      timing.first_progress_ms.push(firstProgress - sentAt);
      timing.answer_frame_ms.push(answerAt - sentAt);
      timing.answer_rendered_ms.push(rendered);
    }
  } finally {
    await browser.close();
  }

  const stats = Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, latencyStats(v)]));
  const result = { started_at: startedAt.toISOString(), command: commandAsTyped({ npmScript: "bench:web" }), machine: machineInfo(), size: { chat_route: chatRoute, all_js: allJs }, lighthouse: pages, timing: stats, questions };
  const file = path.join(root, "bench-results", `web-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  await writeJsonResult(file, result);

  const out = [
    `Command: \`${result.command}\` (${startedAt.toISOString().slice(0, 10)}, ${result.machine.cpus} × ${result.machine.cpuModel}, Node ${process.version})`,
    "",
    "| JavaScript | files | raw KB | gzipped KB |",
    "|---|---:|---:|---:|",
    `| first visit to /chat (entry + chat route) | ${chatRoute.files} | ${num(chatRoute.raw_kb)} | **${num(chatRoute.gzip_kb)}** |`,
    `| baseline: every JS file of the build | ${allJs.files} | ${num(allJs.raw_kb)} | ${num(allJs.gzip_kb)} |`,
    "",
    `| Lighthouse (mobile, median of ${runs}) | performance | accessibility |`,
    "|---|---:|---:|",
    ...Object.entries(pages).map(([p, s]) => `| ${p} | ${s.performance.toFixed(2)} | ${s.accessibility.toFixed(2)} |`),
    "",
    `| In the browser, ${questions} questions (ms) | p50 | p95 |`,
    "|---|---:|---:|",
    `| baseline: GET /health from the page | ${num(stats.health_ms!.p50)} | ${num(stats.health_ms!.p95)} |`,
    `| question sent → first progress frame | ${num(stats.first_progress_ms!.p50)} | ${num(stats.first_progress_ms!.p95)} |`,
    `| question sent → answer frame | ${num(stats.answer_frame_ms!.p50)} | ${num(stats.answer_frame_ms!.p95)} |`,
    `| Enter pressed → answer rendered | ${num(stats.answer_rendered_ms!.p50)} | ${num(stats.answer_rendered_ms!.p95)} |`,
    "",
    `JSON: ${path.relative(root, file)}`,
  ];
  process.stdout.write(out.join("\n") + "\n");
} finally {
  await app.stop();
}
