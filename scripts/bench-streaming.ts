/**
 * `npm run bench:streaming [-- --questions N]`: what streaming gains, for BENCHMARKS.md.
 *
 * Starts an app server (test/browser/support/app-server.ts: `wrangler dev --local` on fresh state
 * with the OpenTelemetry test folders ingested), then asks `--questions` OpenTelemetry questions
 * (default 20) four ways, one at a time, each in a new session: `POST /api/chat` as JSON (time to
 * the whole body), as Server-Sent Events (`Accept: text/event-stream`: time to the first
 * `progress` event, to the first `token` event, to the `answer` event), and through the
 * OpenAI-compatible `POST /v1/chat/completions` without and with `stream: true` (time to the
 * first content delta and to `[DONE]`). Baseline: `GET /health` in the same run. Times are from
 * the request's start, ms, measured by this client over loopback. Markdown to stdout, JSON in
 * bench-results/streaming-<ISO timestamp>.json.
 */
import path from "node:path";
import { latencyStats } from "./lib/bench-load.ts";
import { OTEL_QUESTIONS } from "./lib/bench-questions.ts";
import { CommandLine, commandAsTyped } from "./lib/cli.ts";
import { machineInfo, num, writeJsonResult } from "./lib/report.ts";
import { startAppServer } from "../test/browser/support/app-server.ts";

const root = path.resolve(import.meta.dirname, "..");
const cli: CommandLine = new CommandLine(`usage: npm run bench:streaming [-- --questions N]
  --questions N  questions asked each way (1..${OTEL_QUESTIONS.length}, default 20)`);
const values = cli.parse({ questions: { type: "string" }, help: { type: "boolean", short: "h", default: false } });
const questions = cli.int("questions", values.questions, 20, 1, OTEL_QUESTIONS.length);
const log = (m: string) => process.stderr.write(`[bench:streaming] ${m}\n`);

/**
 * Reads a `text/event-stream` body, calling `onEvent(name, data, ms since start)` per event
 * (`name` is "message" for events without an `event:` line); resolves when the body ends.
 */
async function readEvents(res: Response, started: number, onEvent: (name: string, data: string, ms: number) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: ?(.*)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? "";
      onEvent(name, data, performance.now() - started);
    }
  }
}

const post = (url: string, body: unknown, accept = "application/json") =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });

const startedAt = new Date();
log("starting the app server (build, wrangler dev, OpenTelemetry docs)…");
const app = await startAppServer();
const t: Record<string, number[]> = {
  health: [], json_answer: [], sse_first_progress: [], sse_first_token: [], sse_answer: [], v1_completion: [], v1_first_delta: [], v1_done: [],
};
const problems: string[] = [];
try {
  for (const [i, q] of OTEL_QUESTIONS.slice(0, questions).entries()) {
    let step = "health";
    try {
      let s = performance.now();
      await (await fetch(`${app.url}/health`)).json();
      t.health.push(performance.now() - s);

      step = "json";
      s = performance.now();
      const json = await post(`${app.url}/api/chat`, { query: q, session_id: `bench-json-${i}` });
      await json.json();
      t.json_answer.push(performance.now() - s);

      step = "sse";
      s = performance.now();
      const sse = await post(`${app.url}/api/chat`, { query: q, session_id: `bench-sse-${i}` }, "text/event-stream");
      const seen: Record<string, number> = {};
      await readEvents(sse, s, (name, _data, ms) => (seen[name] ??= ms));
      if (seen.answer === undefined) problems.push(`SSE ${i}: no answer event (${Object.keys(seen).join(", ")})`);
      t.sse_first_progress.push(seen.progress ?? NaN);
      if (seen.token !== undefined) t.sse_first_token.push(seen.token);
      t.sse_answer.push(seen.answer ?? seen.clarification ?? NaN);

      step = "v1";
      s = performance.now();
      await (await post(`${app.url}/v1/chat/completions`, { model: "edge-rag", messages: [{ role: "user", content: q }] })).json();
      t.v1_completion.push(performance.now() - s);

      step = "v1-stream";
      s = performance.now();
      let firstDelta: number | undefined;
      let done: number | undefined;
      await readEvents(await post(`${app.url}/v1/chat/completions`, { model: "edge-rag", stream: true, messages: [{ role: "user", content: q }] }, "text/event-stream"), s, (_n, data, ms) => {
        if (data === "[DONE]") done = ms;
        else if (firstDelta === undefined && JSON.parse(data).choices?.[0]?.delta?.content) firstDelta = ms;
      });
      if (firstDelta !== undefined) t.v1_first_delta.push(firstDelta);
      t.v1_done.push(done ?? NaN);
      log(`${i + 1}/${questions}: JSON ${num(t.json_answer.at(-1)!)} ms, SSE first token ${num(seen.token ?? NaN)} ms`);
    } catch (e) {
      problems.push(`question ${i + 1}, ${step}: ${e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e)}`);
      log(problems.at(-1)!);
    }
  }
} finally {
  await app.stop();
}

const stats = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { n: v.length, ...latencyStats(v.filter(Number.isFinite)) }]));
const command = commandAsTyped({ npmScript: "bench:streaming" });
const file = path.join(root, "bench-results", `streaming-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await writeJsonResult(file, { started_at: startedAt.toISOString(), command, machine: machineInfo(), questions, stats, problems });
const row = (label: string, k: string) => `| ${label} | ${stats[k]!.n} | ${num(stats[k]!.p50)} | ${num(stats[k]!.p95)} |`;
process.stdout.write([
  `Command: \`${command}\` (${startedAt.toISOString().slice(0, 10)}, offline providers, ${questions} OpenTelemetry questions, one at a time)`,
  "",
  "| from the request's start (ms) | n | p50 | p95 |",
  "|---|---:|---:|---:|",
  row("baseline: `GET /health`", "health"),
  row("`POST /api/chat` JSON: whole answer", "json_answer"),
  row("`POST /api/chat` SSE: first `progress` event", "sse_first_progress"),
  row("`POST /api/chat` SSE: first `token` event", "sse_first_token"),
  row("`POST /api/chat` SSE: `answer` event", "sse_answer"),
  row("`POST /v1/chat/completions`: whole completion", "v1_completion"),
  row("`/v1/chat/completions` `stream: true`: first content delta", "v1_first_delta"),
  row("`/v1/chat/completions` `stream: true`: `[DONE]`", "v1_done"),
  "",
  ...(problems.length ? ["Problems:", ...problems.map((p) => `- ${p}`), ""] : []),
  `JSON: ${path.relative(root, file)}`,
  "",
].join("\n"));
