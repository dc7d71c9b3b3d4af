/**
 * `npm run ingest -- <folder|file> [--url http://127.0.0.1:8787]`: bulk-ingests the .md, .mdx,
 * .markdown, .txt, .html and .htm files of a folder (or one file) through `POST /api/ingest/jobs`
 * and waits for the queue to process them. Exit code 0 when every document was ingested, 1 when
 * any failed, the server is unreachable or an error occurred, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { collectDocuments, ingestDocuments } from "./lib/ingest-client.ts";
import type { IngestProgress } from "./lib/ingest-client.ts";

const DEFAULT_URL = `http://127.0.0.1:${process.env.PORT || "8787"}`;
/** Error lines shown in the summary. */
const MAX_ERROR_LINES = 10;
/** Interval of the plain progress lines when stderr is not a TTY, in ms. */
const PLAIN_PROGRESS_MS = 2000;

const USAGE = `Usage: npm run ingest -- <folder|file> [options]

Bulk-ingests the .md, .mdx, .markdown, .txt, .html and .htm files of a folder (recursively,
skipping node_modules and dot-folders) or a single file, through POST /api/ingest/jobs, and
waits until every document is ingested or failed. PDFs are listed as skipped (upload them one
by one with POST /api/documents).

Options:
  --url <url>           API base URL (default ${DEFAULT_URL}; http://127.0.0.1:$PORT when PORT is set)
  --batch-docs <n>      documents per job, 1..100 (default 50)
  --batch-bytes <n>     maximum JSON bytes per request (default 4000000)
  -h, --help            show this help

Exit code: 0 when every document was ingested, 1 when any failed or on error.`;

function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

function parseCli() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        url: { type: "string", default: DEFAULT_URL },
        "batch-docs": { type: "string" },
        "batch-bytes": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (positionals.length !== 1) fail(`expected exactly one folder or file, got ${positionals.length}\n\n${USAGE}`, 2);
  const int = (name: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      fail(`--${name} must be an integer in 1..${max}, got '${raw}'`, 2);
    }
    return n;
  };
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    fail(`--url is not a valid URL: '${values.url}'`, 2);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`--url must be http(s), got '${values.url}'`, 2);
  return {
    target: positionals[0],
    url: values.url.replace(/\/+$/, ""),
    batchDocs: int("batch-docs", values["batch-docs"], 100),
    batchBytes: int("batch-bytes", values["batch-bytes"]),
  };
}

/** Checks `GET {url}/health`; exits 1 with a hint when the API is not reachable. */
async function checkHealth(url: string): Promise<void> {
  const hint = "is `npm start` running? (or pass --url)";
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === "TimeoutError" ? "no answer within 5 s" : (err.cause?.code ?? err.cause?.message ?? err.message);
    fail(`cannot reach the edge-rag API at ${url} (${reason}); ${hint}`);
  }
  const body = (await res.json().catch(() => undefined)) as
    | { status?: string; version?: string; providers?: Record<string, string> }
    | undefined;
  if (!res.ok || body?.status !== "ok") {
    fail(`${url}/health answered ${res.status}${body?.status ? ` (status ${body.status})` : ""}; is this the edge-rag API? ${hint}`);
  }
  const providers = body.providers ? Object.entries(body.providers).map(([k, v]) => `${k}: ${v}`).join(", ") : "";
  process.stderr.write(`Connected to edge-rag ${body.version ?? ""} at ${url}${providers ? ` (${providers})` : ""}\n`);
}

/** Progress display: a cli-progress bar on a TTY, plain lines every few seconds otherwise. */
function createProgress(total: number) {
  const started = performance.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: "Ingesting [{bar}] {percentage}% | {value}/{total} docs | failed: {failed} | {duration_formatted}",
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0 });
    return {
      update: (p: IngestProgress) => bar.update(p.done + p.failed, { failed: p.failed }),
      stop: () => bar.stop(),
    };
  }
  let last: IngestProgress = { total, done: 0, failed: 0 };
  let printed = "";
  const line = () => {
    const text = `progress: ${last.done + last.failed}/${last.total} documents (ingested ${last.done}, failed ${last.failed})`;
    if (text === printed) return;
    printed = text;
    process.stderr.write(`${text} [${((performance.now() - started) / 1000).toFixed(1)} s]\n`);
  };
  line();
  const timer = setInterval(line, PLAIN_PROGRESS_MS);
  return {
    update: (p: IngestProgress) => {
      last = p;
    },
    stop: () => {
      clearInterval(timer);
      line();
    },
  };
}

async function main(): Promise<void> {
  const args = parseCli();
  await checkHealth(args.url);

  let collected;
  try {
    collected = await collectDocuments(args.target);
  } catch (e) {
    fail((e as Error).message);
  }
  const { documents, empty, skipped, root } = collected;
  const files = documents.length + empty.length;
  if (files === 0) {
    if (skipped.length > 0) printSkipped(skipped);
    fail(`no .md, .mdx, .markdown, .txt, .html or .htm files found in ${args.target}`);
  }
  process.stderr.write(`Found ${files} file(s) under ${root}${skipped.length ? `, ${skipped.length} PDF(s) skipped` : ""}\n`);

  const progress = createProgress(files);
  process.once("SIGINT", () => {
    progress.stop();
    process.stderr.write("\nInterrupted; jobs already queued keep processing on the server.\n");
    process.exit(130);
  });
  let result;
  try {
    result = await ingestDocuments(collected, {
      url: args.url,
      batchDocs: args.batchDocs,
      batchBytes: args.batchBytes,
      onProgress: progress.update,
    });
  } catch (e) {
    progress.stop();
    fail((e as Error).message);
  }
  progress.stop();

  const pagesPerSecond = result.seconds > 0 ? result.done / result.seconds : 0;
  const lines = [
    "",
    "Summary",
    `  files:     ${result.files}`,
    `  ingested:  ${result.done}`,
    `  failed:    ${result.failed}`,
    `  seconds:   ${result.seconds.toFixed(1)}`,
    `  pages/s:   ${pagesPerSecond.toFixed(1)}`,
  ];
  if (result.errors.length > 0) {
    const shown = result.errors.slice(0, MAX_ERROR_LINES);
    lines.push("", `Errors (${shown.length} of ${result.errors.length}):`, ...shown.map((e) => `  ${e.source}: ${e.message}`));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  if (skipped.length > 0) printSkipped(skipped);
  process.exit(result.failed > 0 ? 1 : 0);
}

function printSkipped(skipped: string[]): void {
  process.stdout.write(
    `\nSkipped ${skipped.length} PDF(s) (bulk ingestion takes JSON only; upload PDFs with POST /api/documents):\n` +
      skipped.map((s) => `  ${s}\n`).join(""),
  );
}

main().catch((e) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
