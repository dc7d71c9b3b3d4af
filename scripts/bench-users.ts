/**
 * `npm run bench:load [-- options]`: concurrent users and WebSocket sessions against one dev server,
 * for BENCHMARKS.md (issue 14, "Load and faults"). (scripts/lib/bench-load.ts is the autocannon
 * helper of the other benchmarks, hence this file's name.)
 *
 *  1. starts `wrangler dev --local` on a frozen copy of the sources and fresh temporary state (AUTH_MODE=open: no rate limits, see
 *     docs/access.md), ingests the OpenTelemetry documentation (`--docs`) through the bulk queue path;
 *  2. for `--duration` seconds, all at once:
 *     - `--users` concurrent chat users (autocannon, one keep-alive connection each) asking the
 *       OpenTelemetry questions of test/eval/cases.json with `POST /api/chat`, each user in its own
 *       session, a new session every TURNS_PER_SESSION turns (below the 100 messages a session keeps);
 *     - `--ws` WebSocket sessions, started evenly over the duration (at most WS_CONCURRENCY open at
 *       once), each asking an ambiguous question, answering the clarification with its first option
 *       and waiting for the answer;
 *     - `GET /health` as the baseline (one connection, 10 requests/s);
 *  3. checks that nothing was lost: every WebSocket session ended with an answer, and every chat
 *     session's history (`GET /api/chat/:id`) holds exactly the turns its user got a 200 for;
 *  4. samples the RSS of the dev server's process tree (wrangler, workerd) every 10 s throughout.
 *
 * Markdown to stdout, JSON to bench-results/load-<ISO timestamp>.json. Exit code 1 when a request
 * failed or a message was lost, 2 on bad usage, 130 on SIGINT.
 */
import { cp, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { EventEmitter } from "node:events";
import { latencyStats, type LatencyStats } from "./lib/bench-load.ts";
import { choosePort } from "./lib/bench-server.ts";
import { CommandLine, commandAsTyped, SERVER_SCRIPT_OPTIONS } from "./lib/cli.ts";
import { ingestPath, throttledProgressLog } from "./lib/ingest-client.ts";
import { machineInfo, num, printReport, round, writeJsonResult } from "./lib/report.ts";
import { ScriptRun } from "./lib/script-run.ts";
import { snapshotSources } from "./lib/sources.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_DOCS = path.resolve(ROOT, "..", "shared", "data", "docs-opentelemetry");
const DEFAULT_PORT = 8796;
/** Turns of one chat session before its user starts a new one (a session keeps 100 messages). */
const TURNS_PER_SESSION = 20;
/** WebSocket sessions open at once, at most. */
const WS_CONCURRENCY = 10;
/** Time allowed for one WebSocket frame awaited (clarification, answer). */
const WS_FRAME_TIMEOUT_MS = 60_000;
const MEMORY_SAMPLE_MS = 10_000;
/** An ambiguous question of the OpenTelemetry docs (README: it gets a clarification). */
const AMBIGUOUS = "How do I configure exporters?";

const cli: CommandLine = new CommandLine(`usage: npm run bench:load [-- options]
  --duration <s>   seconds of load (default 300)
  --users <n>      concurrent chat users (default 50)
  --ws <n>         WebSocket sessions with a clarification (default 100)
  --docs <dir>     documentation to ingest (default ../shared/data/docs-opentelemetry)
  --port <n>       dev server port (default ${DEFAULT_PORT}, or the next free one)
  --keep           keep the temporary folder (state, logs)
  -h, --help       this text`);
const values = cli.parse({ ...SERVER_SCRIPT_OPTIONS, duration: { type: "string" }, users: { type: "string" }, ws: { type: "string" }, docs: { type: "string" } });
const duration = cli.int("duration", values.duration, 300, 5, 3600);
const users = cli.int("users", values.users, 50, 1, 500);
const wsSessions = cli.int("ws", values.ws, 100, 0, 10_000);
const docs = path.resolve(values.docs ?? DEFAULT_DOCS);
const port = cli.int("port", values.port, DEFAULT_PORT, 1, 65535);
const log = (m: string) => process.stderr.write(`[bench:load] ${m}\n`);

interface AutocannonInstance extends EventEmitter { stop(): void }
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: { errors: number; timeouts: number; non2xx: number }) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
const active: AutocannonInstance[] = [];

const run = new ScriptRun({ log, memorySampleMs: MEMORY_SAMPLE_MS, onInterrupt: () => active.forEach((a) => a.stop()) });
run.state.keep = Boolean(values.keep);

/** Runs autocannon for `seconds`, recording each response's status and latency. */
function timedLoad(opts: Record<string, unknown>, seconds: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const samples: string[] = [];
  return new Promise<{ latencies: number[]; statuses: Record<string, number>; errors: number; timeouts: number; samples: string[] }>((resolve, reject) => {
    const instance = autocannon({ ...opts, duration: seconds, timeout: 120 }, (err, result) => {
      if (err) return reject(err);
      resolve({ latencies, statuses, errors: result.errors, timeouts: result.timeouts, samples });
    });
    active.push(instance);
    instance.on("response", (_c: unknown, status: number, _b: number, ms: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) latencies.push(ms);
    });
    instance.on("reqError", (e: Error) => samples.length < 5 && samples.push(`request error: ${e.message}`));
  });
}

/** One WebSocket session: question → clarification → first option → answer. */
async function wsSession(url: string, id: string): Promise<{ ok: boolean; clarified: boolean; firstMs: number; totalMs: number; problem?: string }> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/chat/${id}`);
  const frames: any[] = [];
  const waiters: { types: string[]; resolve: (f: any) => void }[] = [];
  ws.addEventListener("message", (e) => {
    const f = JSON.parse(String(e.data));
    const w = waiters.findIndex((x) => x.types.includes(f.type));
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(f);
    else frames.push(f);
  });
  const next = (types: string[]) => new Promise<any>((resolve, reject) => {
    const i = frames.findIndex((f) => types.includes(f.type));
    if (i >= 0) return resolve(frames.splice(i, 1)[0]);
    const timer = setTimeout(() => reject(new Error(`no ${types.join("/")} frame within ${WS_FRAME_TIMEOUT_MS} ms`)), WS_FRAME_TIMEOUT_MS);
    waiters.push({ types, resolve: (f) => (clearTimeout(timer), resolve(f)) });
  });
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error("WebSocket could not connect")), { once: true });
    });
    ws.send(JSON.stringify({ type: "question", query: AMBIGUOUS, turn_id: "q" }));
    let frame = await next(["clarification", "answer", "error"]);
    const firstMs = performance.now() - started;
    if (frame.type === "error") return { ok: false, clarified: false, firstMs, totalMs: NaN, problem: `${frame.code}: ${frame.message}` };
    const clarified = frame.type === "clarification";
    if (clarified) {
      ws.send(JSON.stringify({ type: "response", selected_option: frame.options[0].id, turn_id: "r" }));
      frame = await next(["answer", "error"]);
      if (frame.type === "error") return { ok: false, clarified, firstMs, totalMs: NaN, problem: `${frame.code}: ${frame.message}` };
    }
    return { ok: true, clarified, firstMs, totalMs: performance.now() - started };
  } catch (e) {
    return { ok: false, clarified: false, firstMs: NaN, totalMs: NaN, problem: e instanceof Error ? e.message : String(e) };
  } finally {
    ws.close(1000);
  }
}

const statsOf = (v: number[]) => ({ n: v.length, ...latencyStats(v.filter(Number.isFinite)) });
const mib = (kib: number) => round(kib / 1024, 1);

run.run(async () => {
  const startedAt = new Date();
  const cases = JSON.parse(await readFile(path.join(ROOT, "test", "eval", "cases.json"), "utf8")) as { corpus: string; query: string }[];
  const questions = cases.filter((c) => c.corpus === "otel").map((c) => c.query);
  const tmp = await run.createTemp("edge-rag-bench-load-");
  // The server builds and watches a frozen copy of the sources: an edit of the working tree during
  // the run would otherwise restart the Worker and fail the requests in flight.
  const src = path.join(tmp.tmp, "src");
  await snapshotSources(ROOT, src);
  // Also what the Worker serves from outside those entries: the web client.
  for (const extra of [path.join("web", "dist")]) {
    if (await stat(path.join(ROOT, extra)).catch(() => undefined)) await cp(path.join(ROOT, extra), path.join(src, extra), { recursive: true });
  }
  const serverPort = await choosePort(port, values.port !== undefined, log);
  const { server } = await run.startServer({
    root: src, persistTo: tmp.persistTo, port: serverPort, logFile: tmp.devLog,
    vars: { AUTH_MODE: "open" }, extraArgs: ["--log-level", "warn"], env: { X_LOCAL_OBSERVABILITY: "false" },
  }, tmp.migrationsLog);
  run.sampler.setPhase("ingestion");
  log(`ingesting ${docs}…`);
  const ingested = await ingestPath(docs, { url: server.url, onProgress: throttledProgressLog(log, 5000) });
  log(`ingested ${ingested.done}/${ingested.files} in ${num(ingested.seconds)} s (${ingested.failed} failed)`);
  run.checkInterrupted();

  // Warm-up, unmeasured: the first question loads the vector index and compiles the code paths.
  const warmStart = performance.now();
  for (const query of questions.slice(0, 3)) {
    const res = await fetch(`${server.url}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, session_id: `warmup-${crypto.randomUUID()}` }) });
    await res.body?.cancel();
  }
  await wsSession(server.url, `warmup-ws-${crypto.randomUUID().slice(0, 8)}`);
  log(`warmed up in ${num((performance.now() - warmStart) / 1000)} s`);

  // Idle baseline: /health alone, before the load.
  const idle = await timedLoad({ url: `${server.url}/health`, connections: 1, amount: 200 }, 60);

  run.sampler.setPhase("load");
  const loadStart = performance.now();
  log(`load: ${users} chat users, ${wsSessions} WebSocket sessions and GET /health for ${duration} s…`);
  /** Chat sessions: turns answered 200 to their user, and non-200 answers. */
  const sessions = new Map<string, { ok: number; failed: number }>();
  let questionIndex = 0;
  const chatErrorSamples: string[] = [];
  const turnRequests = Array.from({ length: TURNS_PER_SESSION }, () => ({
    method: "POST",
    path: "/api/chat",
    headers: { "content-type": "application/json" },
    setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
      if (!context.session) {
        context.session = `load-${crypto.randomUUID()}`;
        sessions.set(context.session as string, { ok: 0, failed: 0 });
      }
      return { ...req, body: JSON.stringify({ session_id: context.session, query: questions[questionIndex++ % questions.length] }) };
    },
    onResponse: (status: number, body: string, context: Record<string, unknown>) => {
      const s = sessions.get(context.session as string);
      if (s) status === 200 ? s.ok++ : s.failed++;
      if (status !== 200 && chatErrorSamples.length < 5) chatErrorSamples.push(`${status}: ${String(body).replace(/\s+/g, " ").slice(0, 200)}`);
    },
  }));
  const chat = timedLoad({ url: server.url, connections: users, requests: turnRequests }, duration);
  const health = timedLoad({ url: `${server.url}/health`, connections: 1, overallRate: 10 }, duration);
  const ws = (async () => {
    const results: Awaited<ReturnType<typeof wsSession>>[] = [];
    const spacing = wsSessions > 0 ? (duration * 1000 * 0.9) / wsSessions : 0;
    let open = 0;
    const all: Promise<void>[] = [];
    for (let i = 0; i < wsSessions && !run.interrupted; i++) {
      const due = loadStart + i * spacing;
      while (performance.now() < due || open >= WS_CONCURRENCY) await new Promise((r) => setTimeout(r, 50));
      open++;
      const id = `load-ws-${i}-${crypto.randomUUID().slice(0, 8)}`;
      all.push(wsSession(server.url, id).then((r) => {
        results.push({ ...r, problem: r.problem && `${id}: ${r.problem}` });
      }).finally(() => open--));
    }
    await Promise.all(all);
    return results;
  })();
  const [chatResult, healthResult, wsResults] = await Promise.all([chat, health, ws]);
  const loadSeconds = (performance.now() - loadStart) / 1000;

  run.sampler.setPhase("verify");
  log(`verifying ${sessions.size} chat sessions…`);
  let lostTurns = 0;
  let extraTurns = 0;
  const lossSamples: string[] = [];
  for (const [id, s] of sessions) {
    const res = await fetch(`${server.url}/api/chat/${id}`);
    const stored = res.status === 404 ? 0 : ((await res.json()) as { messages: unknown[] }).messages.length;
    const expected = s.ok * 2;
    if (stored < expected) {
      lostTurns += (expected - stored) / 2;
      if (lossSamples.length < 5) lossSamples.push(`${id}: ${s.ok} turns answered, ${stored} messages stored`);
    } else if (stored > expected) extraTurns += (stored - expected) / 2; // turns whose answer the client did not wait for
  }
  await run.sampler.stop();

  const chatOk = chatResult.statuses["200"] ?? 0;
  const chatTotal = Object.values(chatResult.statuses).reduce((a, b) => a + b, 0) + chatResult.errors;
  const healthOk = healthResult.statuses["200"] ?? 0;
  const healthTotal = Object.values(healthResult.statuses).reduce((a, b) => a + b, 0) + healthResult.errors;
  const wsOk = wsResults.filter((r) => r.ok).length;
  const chatStats = latencyStats(chatResult.latencies);
  const healthStats = latencyStats(healthResult.latencies);
  const idleStats = latencyStats(idle.latencies);
  const wsFirst = statsOf(wsResults.map((r) => r.firstMs));
  const wsTotal = statsOf(wsResults.map((r) => r.totalMs));
  const loadSamples = run.sampler.samples.filter((s) => s.phase === "load");
  const warm = loadSamples.filter((s) => s.t - (loadSamples[0]?.t ?? 0) >= Math.min(60, duration / 3));
  const growthMiB = warm.length >= 2 ? mib(warm.at(-1)!.totalKiB - warm[0]!.totalKiB) : NaN;

  const issues: string[] = [];
  const warnings: string[] = [];
  if (chatOk < chatTotal) issues.push(`chat: ${chatTotal - chatOk} of ${chatTotal} requests failed (${JSON.stringify(chatResult.statuses)}, errors ${chatResult.errors}, timeouts ${chatResult.timeouts}) ${[...chatErrorSamples, ...chatResult.samples].join("; ")}`);
  if (healthOk < healthTotal) issues.push(`/health: ${healthTotal - healthOk} of ${healthTotal} failed`);
  if (wsOk < wsResults.length) issues.push(`WebSocket: ${wsResults.length - wsOk} of ${wsResults.length} sessions ended without an answer: ${wsResults.filter((r) => !r.ok).slice(0, 5).map((r) => r.problem).join("; ")}`);
  if (lostTurns > 0) issues.push(`chat: ${lostTurns} answered turns missing from their session's history: ${lossSamples.join("; ")}`);
  if (extraTurns > 0) warnings.push(`chat: ${extraTurns} stored turns whose request the client counted as failed (timed out or cut off at the end of the run)`);
  if (wsResults.some((r) => r.ok && !r.clarified)) warnings.push(`WebSocket: ${wsResults.filter((r) => r.ok && !r.clarified).length} sessions were answered without a clarification`);
  if (ingested.failed > 0) warnings.push(`ingestion: ${ingested.failed} documents failed`);

  const command = commandAsTyped({ npmScript: "bench:load" });
  const file = path.join(ROOT, "bench-results", `load-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const row = (label: string, ok: number, total: number, s: LatencyStats, base = healthStats) =>
    `| ${label} | ${ok}/${total} (${num((100 * ok) / Math.max(1, total))} %) | ${num(s.p50)} | ${num(s.p95)} | ${num(s.p99)} | ${num(s.p50 / base.p50)} × |`;
  const lines = [
    `Command: \`${command}\` (${startedAt.toISOString().slice(0, 10)}, ${machineInfo().cpus} CPUs, offline providers, AUTH_MODE=open: rate limits off, ${ingested.done} OpenTelemetry pages)`,
    "",
    `Load: ${num(loadSeconds)} s; ${users} chat users (a session per ${TURNS_PER_SESSION} turns, ${sessions.size} sessions); ${wsResults.length} WebSocket sessions (at most ${WS_CONCURRENCY} at once); \`GET /health\` at 10/s.`,
    "",
    "| requests | succeeded | p50 ms | p95 ms | p99 ms | p50 / `/health` p50 |",
    "|---|---:|---:|---:|---:|---:|",
    row("baseline `GET /health` (idle, before the load)", idle.statuses["200"] ?? 0, Object.values(idle.statuses).reduce((a, b) => a + b, 0), idleStats, idleStats),
    row("baseline `GET /health` (during the load)", healthOk, healthTotal, healthStats),
    row("`POST /api/chat` (one turn)", chatOk, chatTotal, chatStats),
    row("WebSocket: question → clarification", wsResults.filter((r) => Number.isFinite(r.firstMs)).length, wsResults.length, wsFirst),
    row("WebSocket: question → clarification → answer", wsOk, wsResults.length, wsTotal),
    "",
    `Chat throughput: ${num(chatOk / loadSeconds)} turns/s. Messages lost: ${lostTurns} chat turns, ${wsResults.length - wsOk} WebSocket sessions without an answer.`,
    "",
    "Dev server memory (RSS of wrangler and workerd processes, MiB), every 10 s of the load:",
    "",
    "| t (s) | total | workerd |",
    "|---:|---:|---:|",
    ...loadSamples.map((s) => `| ${num(s.t - loadSamples[0]!.t, 0)} | ${mib(s.totalKiB)} | ${mib(s.workerdKiB)} |`),
    "",
    `Growth after warm-up (from ${num(warm[0] ? warm[0].t - loadSamples[0]!.t : NaN, 0)} s to the end): ${num(growthMiB)} MiB. Peak: ${mib(run.sampler.peak().totalKiB)} MiB.`,
    "",
    `JSON: ${path.relative(ROOT, file)}`,
    "",
  ];
  await writeJsonResult(file, {
    started_at: startedAt.toISOString(), command, machine: machineInfo(), auth_mode: "open", rate_limits: "off (AUTH_MODE=open)",
    options: { duration, users, ws: wsSessions, docs, turns_per_session: TURNS_PER_SESSION, ws_concurrency: WS_CONCURRENCY },
    ingestion: ingested, load_seconds: round(loadSeconds, 1),
    health_idle: { statuses: idle.statuses, latency_ms: idleStats },
    health: { statuses: healthResult.statuses, errors: healthResult.errors, latency_ms: healthStats },
    chat: { statuses: chatResult.statuses, errors: chatResult.errors, timeouts: chatResult.timeouts, sessions: sessions.size, latency_ms: chatStats, turns_per_s: round(chatOk / loadSeconds, 2) },
    websocket: { sessions: wsResults.length, answered: wsOk, clarified: wsResults.filter((r) => r.clarified).length, first_frame_ms: wsFirst, total_ms: wsTotal, problems: wsResults.filter((r) => !r.ok).map((r) => r.problem) },
    lost: { chat_turns: lostTurns, ws_sessions: wsResults.length - wsOk, extra_chat_turns: extraTurns },
    memory: { samples: run.sampler.samples, peak: run.sampler.peak(), growth_after_warmup_mib: growthMiB },
    issues, warnings,
  });
  return printReport(lines, { issues, warnings, file, kept: run.state.keep ? tmp.tmp : undefined, log });
});
