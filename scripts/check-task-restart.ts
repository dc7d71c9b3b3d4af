/**
 * `npm run check:task-restart`: a research task survives a restart of `wrangler dev` (docs/tasks.md,
 * "Failures and restarts"). Starts `wrangler dev --local` on a fresh `--persist-to` folder with
 * the OpenAI-compatible generator pointed at the mock server of the tests behind a proxy that
 * delays every chat completion (DELAY_MS, default 1500), so that an answer step takes seconds;
 * ingests 20 pages of concepts/, creates a research task of 3 sub-questions, kills the server's
 * process group once `answer-1` has completed, restarts it on the same folder, follows the task
 * over `GET /ws/tasks/:id`, and checks that it completes with `plan` and `answer-1` not run again.
 *
 * Local Workflows do not resume by themselves after a restart (the instance still reports
 * `running`, its task stays `running` in D1): the Worker's recovery pass (worker/tasks/recovery.ts,
 * run on the first request after the restart) wakes the instance. One wrangler dev at a time;
 * about 40 s. Prints one line per check and `N passed, N failed`; exit 1 on a failed check.
 * KEEP=1 keeps the state folder and its wrangler.log.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ephemeralPort, killAllGroupsSync, logTail, startDevServer, type DevServer } from "./lib/bench-server.ts";
import { ingestDocuments } from "./lib/ingest-client.ts";
import { loadTestCorpus } from "../test/support/corpus-node.ts";
import { startMockOpenAI } from "../test/support/mock-openai.ts";

const root = new URL("..", import.meta.url).pathname;
const log = (m: string) => process.stdout.write(`[task-restart] ${m}\n`);
const DELAY_MS = Number(process.env.DELAY_MS ?? 1500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL = ["completed", "failed", "cancelled"];

/** A proxy to `target` that holds every chat completion for DELAY_MS. */
async function slowProxy(target: string) {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url?.includes("chat/completions")) await sleep(DELAY_MS);
    try {
      const upstream = await fetch(target + req.url, { method: req.method, headers: { "content-type": "application/json" }, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  return { url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function getJson(url: string, init?: RequestInit): Promise<any> {
  const r = await fetch(url, init);
  return r.json();
}

const stepLine = (t: any) => t.steps.map((s: any) => `${s.name}:${s.status}:${s.attempts}`).join(" ");

/** Follows a task over its WebSocket until the server closes it; returns the frames and the close code. */
function follow(url: string, id: string, timeoutMs: number): Promise<{ frames: any[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/tasks/${id}`);
    const frames: any[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no close within ${timeoutMs} ms; frames: ${frames.map((f) => f.type).join(",")}`));
    }, timeoutMs);
    ws.onmessage = (e) => {
      const f = JSON.parse(String(e.data));
      frames.push(f);
      if (f.type === "step") log(`  frame step ${f.step.name} ${f.step.status} attempt ${f.step.attempts}`);
      else if (f.type === "status") log(`  frame status ${f.status}`);
      else log(`  frame ${f.type}${f.task ? ` (${f.task.status}: ${stepLine(f.task)})` : ""}`);
    };
    ws.onclose = (e) => {
      clearTimeout(timer);
      resolve({ frames, code: e.code });
    };
  });
}

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = "") {
  if (ok) passed++;
  else failed++;
  log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

process.on("exit", killAllGroupsSync);
const state = mkdtempSync(join(tmpdir(), "edge-rag-restart-"));
const logFile = join(state, "wrangler.log");
const ctx = { root, persistTo: join(state, "state") };
const mock = await startMockOpenAI();
const proxy = await slowProxy(mock.url);
const port = await ephemeralPort();
const vars = { GENERATION_PROVIDER: "openai", OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: `${proxy.url}/v1`, OPENAI_CHAT_MODEL: "graph-json" };
let server: DevServer | null = null;
const start = async () => (server = await startDevServer({ ...ctx, port, inspectorPort: await ephemeralPort(), logFile, vars }));
try {
  await applyMigrations(ctx, logFile);
  await start();
  log(`wrangler dev on ${server!.url}, state in ${state}`);
  const documents = loadTestCorpus().filter((d) => d.source.startsWith("concepts/")).slice(0, 20).map((d) => ({ ...d, content_type: "markdown" as const }));
  const ingested = await ingestDocuments({ documents, empty: [] }, { url: server!.url, batchDocs: 50, timeoutMs: 120_000 });
  if (ingested.failed > 0) throw new Error(`${ingested.failed} documents failed to ingest`);
  const created = await getJson(`${server!.url}/api/tasks`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "research", description: "What is sampling? What is baggage? What is a span?" }),
  });
  const id: string = created.id;
  log(`task ${id}`);
  let before: any;
  for (const deadline = Date.now() + 60_000; ; await sleep(100)) {
    before = await getJson(`${server!.url}/api/tasks/${id}`);
    if (before.steps.some((s: any) => s.name === "answer-1" && s.status === "completed")) break;
    if (FINAL.includes(before.status) || Date.now() > deadline) throw new Error(`task ${before.status} before answer-1 completed: ${stepLine(before)}`);
  }
  log(`before the kill: ${before.status} ${stepLine(before)}`);
  await server!.stop();
  log("killed wrangler dev's process group; restarting on the same --persist-to folder");
  await start();
  const after = await getJson(`${server!.url}/api/tasks/${id}`);
  log(`after the restart: ${after.status} ${stepLine(after)}`);
  const { frames, code } = await follow(server!.url, id, 90_000);
  const done = await getJson(`${server!.url}/api/tasks/${id}`);
  log(`finally: ${done.status} ${stepLine(done)}`);
  const describe = spawnSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "workflows", "instances", "describe", "edge-rag-tasks", id, "--local", "--port", String(port), "--json"], {
    cwd: root, encoding: "utf8", env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  const instanceStatus = /"status":\s*"(\w+)"/.exec(describe.stdout ?? "")?.[1] ?? "unknown";
  log(`workflow instance: ${instanceStatus}`);

  const attempts = (name: string) => done.steps.find((s: any) => s.name === name)?.attempts;
  check("the task completes after the restart", done.status === "completed", `${done.status} ${done.error ?? ""}`);
  check("plan and answer-1 were not run again", attempts("plan") === 1 && attempts("answer-1") === 1, stepLine(done));
  check("every step completed", done.steps.map((s: any) => s.name).join() === "plan,answer-1,answer-2,answer-3,report" && done.steps.every((s: any) => s.status === "completed"), stepLine(done));
  check("the report cites its sources", /^# Research: /.test(done.result?.report ?? "") && (done.result?.sources.length ?? 0) > 0);
  check("the socket ends with the final frame and code 1000", frames[0]?.type === "snapshot" && frames.at(-1)?.type === "final" && frames.at(-1)?.task.status === "completed" && code === 1000, `${frames.map((f) => f.type).join(",")} close ${code}`);
  check("the workflow instance is complete", instanceStatus === "complete", instanceStatus);
} catch (e) {
  failed++;
  log(`FAIL ${e instanceof Error ? e.message : String(e)}\nend of ${logFile}:\n${logTail(logFile)}`);
} finally {
  await (server as DevServer | null)?.stop();
  await proxy.close();
  await mock.close();
  if (!process.env.KEEP) rmSync(state, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
