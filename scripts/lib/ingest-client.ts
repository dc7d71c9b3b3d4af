/**
 * Client of the bulk ingestion API (`POST /api/ingest/jobs`, `GET /api/ingest/jobs/:id`).
 *
 * Collects the text documents of a folder (or one file), sends them as JSON in batches, each batch
 * becoming one server-side job processed by the queue consumer, and polls the jobs until every
 * document is either ingested or failed; {@link countChunks} reads back what the knowledge base holds
 * (`GET /api/documents`). Plain TypeScript run by Node's type stripping: no enums,
 * namespaces or parameter properties; only global `fetch` and `node:` built-ins.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { JobStatus } from "../../worker/schemas.ts";

/** Content type sent to the API, derived from the file extension. */
export type ContentType = "markdown" | "html" | "text";

/** One document of a `POST /api/ingest/jobs` body. */
export interface IngestDocument {
  content: string;
  /**
   * Path relative to the common root folder of the collected files, with forward slashes (any
   * unique identifier, 1..2048 characters, when the documents do not come from files).
   */
  source: string;
  /** Optional title, 1..300 characters; the server derives one from the content or source otherwise. */
  title?: string;
  content_type: ContentType;
  /** `domain` is the first folder of `source`; absent for files at the root. Optional for documents built in code. */
  metadata?: { domain?: string };
}

/** The result of {@link collectDocuments}. */
export interface CollectedDocuments {
  /** Absolute common root folder that every `source` is relative to. */
  root: string;
  /** Non-empty documents, sorted by source. */
  documents: IngestDocument[];
  /** Sources (relative to `root`) of 0-byte files: not sent, counted as failed. */
  empty: string[];
  /** PDFs found, relative to the given folder (or the file name): not part of the JSON bulk path. */
  skipped: string[];
}

/** Progress sums over every job of a run; `failed` includes the skipped empty files. */
export interface IngestProgress {
  /** Documents of the run (sent documents plus empty files). */
  total: number;
  /** Documents ingested. */
  done: number;
  /** Documents that failed (server-side failures plus empty files). */
  failed: number;
}

/** Options of {@link ingestPath} and {@link ingestDocuments}. */
export interface IngestOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:8787` (a trailing slash is ignored). */
  url: string;
  /** Maximum documents per job, 1..100 (the API accepts at most 100). Default 50. */
  batchDocs?: number;
  /**
   * Maximum size of one request body in bytes of UTF-8 JSON. Default 4,000,000. A single document
   * larger than this is sent alone in its own job.
   */
  batchBytes?: number;
  /** Called after each job is created and after each poll round, with the sums over all jobs. */
  onProgress?: (p: IngestProgress) => void;
  /** Delay between poll rounds in milliseconds. Default 300. */
  pollMs?: number;
  /** Overall time limit in milliseconds, from the call until every job finished. Default 30 minutes. */
  timeoutMs?: number;
}

/** The outcome of a run. */
export interface IngestResult {
  /** Files collected (documents sent plus empty files; PDFs are not counted). */
  files: number;
  /** Documents ingested. */
  done: number;
  /** Documents failed (including empty files). */
  failed: number;
  /** One entry per failed document: empty files first, then server-side errors in job order. */
  errors: { source: string; message: string }[];
  /** Wall-clock duration of the call in seconds. */
  seconds: number;
}

const EXTENSIONS: Record<string, ContentType> = {
  ".md": "markdown",
  ".mdx": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".html": "html",
  ".htm": "html",
};

/** The API's per-job limit (`IngestJobRequestSchema`). */
const MAX_JOB_DOCS = 100;
const DEFAULT_BATCH_DOCS = 50;
const DEFAULT_BATCH_BYTES = 4_000_000;
const DEFAULT_POLL_MS = 300;
const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
/** Per-request time limit in milliseconds (bounded further by the overall deadline). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Consecutive failed poll rounds (network errors, 5xx) tolerated before giving up. */
const MAX_POLL_FAILURES = 10;
/** Job status requests in flight at once. */
const POLL_CONCURRENCY = 8;

const BODY_PREFIX = '{"documents":[';
const BODY_SUFFIX = "]}";

/** Content type of a file name, or undefined when its extension is not collected. */
function contentTypeOf(file: string): ContentType | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

function isPdf(file: string): boolean {
  return path.extname(file).toLowerCase() === ".pdf";
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** Plain code-unit order, independent of the locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Recursively lists files under `dir`, skipping `node_modules` and folders whose name starts with a dot. */
async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      await walk(full, out);
    } else if (entry.isFile()) {
      out.push(full);
    } else if (entry.isSymbolicLink()) {
      // Follow links to files only; links to folders could form cycles.
      const target = await stat(full).catch(() => undefined);
      if (target?.isFile()) out.push(full);
    }
  }
}

/** Longest common folder of absolute folder paths (compared segment by segment). */
function commonDir(dirs: string[]): string {
  let common = dirs[0].split(path.sep);
  for (const dir of dirs.slice(1)) {
    const parts = dir.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

/**
 * Collects the documents of a folder (recursively) or of a single file.
 *
 * Collected extensions (case-insensitive): `.md`, `.mdx`, `.markdown` (content_type `markdown`),
 * `.html`, `.htm` (`html`) and `.txt` (`text`). `node_modules` and dot-folders are skipped; other
 * files are ignored, except PDFs, which are listed in `skipped`. Files are read as UTF-8.
 *
 * Each `source` is the file's path relative to the longest common folder of all collected files'
 * folders, with forward slashes (e.g. `concepts/sampling/index.md`); `metadata.domain` is its first
 * segment when it has one (`concepts`). A single file gets its bare name as source and no domain.
 *
 * @param target Folder or file path, absolute or relative to the working directory.
 * @returns Documents and empty files sorted by source; PDFs sorted by path.
 * @throws Error when `target` does not exist, or is a file of an unsupported type (PDF included).
 */
export async function collectDocuments(target: string): Promise<CollectedDocuments> {
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch((e: { code?: string; message: string }) => {
    throw new Error(e.code === "ENOENT" ? `No such file or folder: ${target}` : `Cannot read ${target}: ${e.message}`);
  });
  let files: string[];
  let base: string;
  if (info.isDirectory()) {
    files = [];
    await walk(absolute, files);
    base = absolute;
  } else {
    if (!contentTypeOf(absolute)) {
      const hint = isPdf(absolute) ? "; PDFs are not part of bulk ingestion (upload them with POST /api/documents)" : "";
      throw new Error(`Unsupported file type: ${target} (expected ${Object.keys(EXTENSIONS).join(", ")})${hint}`);
    }
    files = [absolute];
    base = path.dirname(absolute);
  }

  const skipped = files.filter(isPdf).map((f) => toPosix(path.relative(base, f))).sort(byCodeUnits);
  const texts = files.filter((f) => contentTypeOf(f) !== undefined);
  if (texts.length === 0) return { root: base, documents: [], empty: [], skipped };

  const root = commonDir(texts.map((f) => path.dirname(f)));
  const entries = texts
    .map((file) => ({ file, source: toPosix(path.relative(root, file)) }))
    .sort((a, b) => byCodeUnits(a.source, b.source));

  const documents: IngestDocument[] = [];
  const empty: string[] = [];
  for (const { file, source } of entries) {
    const content = await readFile(file, "utf8");
    if (content.length === 0) {
      empty.push(source);
      continue;
    }
    const slash = source.indexOf("/");
    documents.push({
      content,
      source,
      content_type: contentTypeOf(file)!,
      metadata: slash > 0 ? { domain: source.slice(0, slash) } : {},
    });
  }
  return { root, documents, empty, skipped };
}

/** Splits serialized documents into request bodies of at most `maxDocs` documents and `maxBytes` bytes. */
function makeBatches(serialized: string[], maxDocs: number, maxBytes: number): { body: string; count: number }[] {
  const frame = Buffer.byteLength(BODY_PREFIX) + Buffer.byteLength(BODY_SUFFIX);
  const batches: { body: string; count: number }[] = [];
  let current: string[] = [];
  let bytes = frame;
  const flush = () => {
    if (current.length === 0) return;
    batches.push({ body: BODY_PREFIX + current.join(",") + BODY_SUFFIX, count: current.length });
    current = [];
    bytes = frame;
  };
  for (const doc of serialized) {
    const size = Buffer.byteLength(doc);
    // + 1 for the separating comma.
    if (current.length > 0 && (current.length >= maxDocs || bytes + 1 + size > maxBytes)) flush();
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(doc);
  }
  flush();
  return batches;
}

/** `status code: message` of an API error body, or the start of a non-JSON body. */
async function describeErrorResponse(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body?.error?.code || body?.error?.message) {
      let out = `${res.status} ${body.error.code ?? "error"}: ${body.error.message ?? ""}`.trimEnd();
      const details = body.error.details;
      if (Array.isArray(details) && details.length > 0) {
        const shown = details
          .slice(0, 5)
          .map((d: { path?: unknown; message?: unknown }) => (d && typeof d === "object" ? `${d.path ? `${String(d.path)}: ` : ""}${String(d.message ?? JSON.stringify(d))}` : String(d)));
        out += ` (${shown.join("; ")}${details.length > 5 ? `; +${details.length - 5} more` : ""})`;
      }
      return out;
    }
  } catch {
    // not JSON: fall through
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return `${res.status} ${res.statusText || "error"}${snippet ? `: ${snippet}` : ""}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function validateInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

/**
 * An `onProgress` callback for {@link ingestDocuments} that logs
 * `  <finished>/<total> finished (<done> ingested, <failed> failed)` at most once every `everyMs`
 * milliseconds, and always when every document is finished.
 *
 * @param log Line logger.
 * @param everyMs Minimum time between two lines, in milliseconds.
 */
export function throttledProgressLog(log: (message: string) => void, everyMs: number): (progress: IngestProgress) => void {
  let lastProgress = 0;
  return (p) => {
    const now = performance.now();
    if (now - lastProgress < everyMs && p.done + p.failed < p.total) return;
    lastProgress = now;
    log(`  ${p.done + p.failed}/${p.total} finished (${p.done} ingested, ${p.failed} failed)`);
  };
}

/**
 * Sends already collected documents to the bulk ingestion API and waits until every job finished.
 * See {@link ingestPath} for the protocol, the result and the errors thrown; `seconds` here covers
 * only the sending and polling. Empty files of `collected` are counted as failed without being sent.
 */
export async function ingestDocuments(collected: Pick<CollectedDocuments, "documents" | "empty">, options: IngestOptions): Promise<IngestResult> {
  const started = performance.now();
  const base = options.url.replace(/\/+$/, "");
  const batchDocs = validateInt("batchDocs", options.batchDocs ?? DEFAULT_BATCH_DOCS, 1, MAX_JOB_DOCS);
  const batchBytes = validateInt("batchBytes", options.batchBytes ?? DEFAULT_BATCH_BYTES, 1, Number.MAX_SAFE_INTEGER);
  const pollMs = validateInt("pollMs", options.pollMs ?? DEFAULT_POLL_MS, 0, Number.MAX_SAFE_INTEGER);
  const timeoutMs = validateInt("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, Number.MAX_SAFE_INTEGER);
  const deadline = started + timeoutMs;

  const emptyErrors = collected.empty.map((source) => ({ source, message: "File is empty (0 bytes); skipped" }));
  const total = collected.documents.length + emptyErrors.length;
  const jobs: JobStatus[] = [];

  const sums = (): IngestProgress => {
    let done = 0;
    let failed = emptyErrors.length;
    for (const j of jobs) {
      done += j.done;
      failed += j.failed;
    }
    return { total, done, failed };
  };
  const report = () => options.onProgress?.(sums());
  const remaining = () => deadline - performance.now();
  const timeoutError = () => {
    const p = sums();
    const minutes = timeoutMs / 60_000;
    const limit = Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${timeoutMs} ms`;
    return new Error(
      `Ingestion timed out after ${limit}: ${p.done + p.failed} of ${p.total} documents finished ` +
        `(${p.done} ingested, ${p.failed} failed); ${jobs.length} job(s) created, unfinished: ` +
        (jobs.filter((j) => j.done + j.failed < j.total).map((j) => j.id).join(", ") || "none"),
    );
  };
  /** fetch with a per-request limit that never outlives the overall deadline. */
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const left = remaining();
    if (left <= 0) throw timeoutError();
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(Math.ceil(Math.min(REQUEST_TIMEOUT_MS, left))) });
    } catch (e) {
      if (remaining() <= 0) throw timeoutError();
      throw e;
    }
  };

  report();
  const batches = makeBatches(collected.documents.map((d) => JSON.stringify(d)), batchDocs, batchBytes);
  for (const [index, batch] of batches.entries()) {
    const where = () => {
      const queued = jobs.reduce((n, j) => n + j.total, 0);
      return `batch ${index + 1} of ${batches.length}` + (jobs.length > 0 ? `; ${queued} document(s) already queued in ${jobs.length} job(s) keep processing on the server` : "");
    };
    let res: Response;
    try {
      res = await request(`${base}/api/ingest/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: batch.body,
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new Error(`POST ${base}/api/ingest/jobs failed (${where()}): ${message}`, { cause: e });
    }
    if (!res.ok) throw new Error(`POST ${base}/api/ingest/jobs failed with ${await describeErrorResponse(res)} (${where()})`);
    const job = (await res.json()) as JobStatus;
    if (typeof job?.id !== "string" || typeof job.total !== "number") {
      throw new Error(`POST ${base}/api/ingest/jobs returned ${res.status} without a job id (${where()})`);
    }
    jobs.push({ ...job, errors: job.errors ?? [] });
    report();
  }

  // Poll unfinished jobs until done + failed === total for all of them.
  let failures = 0;
  let lastError = "";
  while (jobs.some((j) => j.done + j.failed < j.total)) {
    if (remaining() <= 0) throw timeoutError();
    await sleep(Math.max(0, Math.min(pollMs, remaining())));
    if (remaining() <= 0) throw timeoutError();

    const pending = jobs.map((job, i) => ({ job, i })).filter(({ job }) => job.done + job.failed < job.total);
    let roundFailed = false;
    for (let k = 0; k < pending.length; k += POLL_CONCURRENCY) {
      await Promise.all(
        pending.slice(k, k + POLL_CONCURRENCY).map(async ({ job, i }) => {
          const url = `${base}/api/ingest/jobs/${encodeURIComponent(job.id)}`;
          let res: Response;
          try {
            res = await request(url);
          } catch (e) {
            if (remaining() <= 0) throw e;
            roundFailed = true;
            lastError = `GET ${url}: ${e instanceof Error ? e.message : String(e)}`;
            return;
          }
          if (res.status >= 500) {
            roundFailed = true;
            lastError = `GET ${url} failed with ${await describeErrorResponse(res)}`;
            return;
          }
          if (!res.ok) throw new Error(`GET ${url} failed with ${await describeErrorResponse(res)}`);
          const status = (await res.json()) as JobStatus;
          jobs[i] = { ...status, errors: status.errors ?? [] };
        }),
      );
    }
    failures = roundFailed ? failures + 1 : 0;
    if (failures >= MAX_POLL_FAILURES) {
      throw new Error(`Polling ingestion jobs failed ${failures} times in a row; last error: ${lastError}`);
    }
    report();
  }

  const { done, failed } = sums();
  return {
    files: total,
    done,
    failed,
    errors: [...emptyErrors, ...jobs.flatMap((j) => j.errors)],
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Ingests a folder (recursively) or a single file through the bulk ingestion API.
 *
 * Documents are collected by {@link collectDocuments} and sent with `POST {url}/api/ingest/jobs`,
 * body `{ "documents": [...] }`, in batches of at most `batchDocs` documents and `batchBytes` bytes
 * of JSON; each answer is 202 with the job status `{ id, status, total, done, failed, errors, ... }`.
 * The unfinished jobs are then polled with `GET {url}/api/ingest/jobs/:id` every `pollMs` ms until
 * `done + failed === total` for every job (status `completed` or `failed`), calling `onProgress`
 * with the sums. 0-byte files are not sent; each counts as failed with a message. PDFs are ignored
 * (use {@link collectDocuments} to list them).
 *
 * @param target Folder or file path.
 * @param options API base URL, batching, polling and progress callback; see {@link IngestOptions}.
 * @returns Counts, per-document errors (`source` and `message`) and the duration in seconds.
 * @throws Error when the path does not exist or is an unsupported file; when a job creation
 *   answers non-2xx (the message holds the HTTP status, the API error code and message, e.g.
 *   `POST …/api/ingest/jobs failed with 422 invalid_request: Invalid request body (…)`) or the
 *   request fails; when a job status request answers 4xx (e.g. 404 `not_found`) or polling fails
 *   10 rounds in a row; and when everything has not finished within 30 minutes (`timeoutMs`).
 *   Jobs created before an error keep processing on the server.
 * @throws RangeError when `batchDocs` is not in 1..100, or `batchBytes`, `pollMs` or `timeoutMs`
 *   is not a non-negative (positive for sizes and timeout) integer.
 */
export async function ingestPath(target: string, options: IngestOptions): Promise<IngestResult> {
  const started = performance.now();
  const collected = await collectDocuments(target);
  const result = await ingestDocuments(collected, {
    ...options,
    timeoutMs: Math.max(1, Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) - (performance.now() - started))),
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/**
 * Documents and chunk total of the knowledge base, paging through `GET /api/documents?limit=100`.
 *
 * @param url Base URL of the API, e.g. `http://127.0.0.1:8787`.
 * @param describeError Text of a non-2xx answer from its status and body, for the error message;
 *   default `<status>: <first 200 characters of the body>`.
 * @returns Documents listed, the sum of their `chunk_count`, and the `total` the API reports.
 * @throws Error when a page does not answer 2xx (after 30 s at most per page).
 */
export async function countChunks(
  url: string,
  describeError: (status: number, body: string) => string = (status, body) => `${status}: ${body.slice(0, 200)}`,
): Promise<{ documents: number; chunks: number; total: number }> {
  let page = 1;
  let documents = 0;
  let chunks = 0;
  let total = Number.POSITIVE_INFINITY;
  while (documents < total) {
    const res = await fetch(`${url}/api/documents?limit=100&page=${page}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`GET /api/documents?limit=100&page=${page} answered ${describeError(res.status, await res.text())}`);
    const body = (await res.json()) as { documents: { chunk_count: number }[]; total: number };
    total = body.total;
    if (body.documents.length === 0) break;
    for (const d of body.documents) chunks += d.chunk_count;
    documents += body.documents.length;
    page++;
  }
  return { documents, chunks, total: Number.isFinite(total) ? total : documents };
}
