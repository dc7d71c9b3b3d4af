/**
 * Upload logic of the knowledge explorer, without any UI: which files are accepted and how they are
 * sent (text files as one bulk-ingestion job each, PDFs as a multipart upload), the client-side
 * size and type checks, messages for the API's 413 / 415 / 422 answers, and job polling.
 * The API calls are passed in (`UploadDeps`), so this module holds no network code of its own.
 */
import { signal } from "@preact/signals";
import type { JobStatus } from "../../../../worker/schemas";
import { ApiRequestError, describeError } from "../../api/client";

/**
 * The Worker's per-document limit in bytes, to reject a file before uploading it (the server checks
 * again): wrangler.toml's default until `GET /health` `limits.max_document_bytes` told the
 * configured value (documentsApi.ts `loadLimits`).
 */
export const maxDocumentBytes = signal(1_500_000);

/** File extensions the explorer accepts (the `accept` attribute of the file input). */
export const ACCEPTED_EXTENSIONS = [".md", ".markdown", ".txt", ".html", ".htm", ".pdf"] as const;

/** How a file is ingested: its content type (text kinds go through a job, "pdf" through a multipart upload). */
export type UploadKind = "markdown" | "html" | "text" | "pdf";

/** The kind of a file from its name's extension, or null when the type is not accepted. */
export function uploadKind(name: string): UploadKind | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name.trim())?.[1]?.toLowerCase();
  switch (ext) {
    case "md":
    case "markdown":
      return "markdown";
    case "html":
    case "htm":
      return "html";
    case "txt":
      return "text";
    case "pdf":
      return "pdf";
    default:
      return null;
  }
}

/** A byte count for people: "820 B", "12.4 KB", "1.5 MB" (decimal units, as the limit is stated). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} KB`;
  return `${(bytes / 1_000_000).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** The limit as a sentence fragment: "1.5 MB (1,500,000 bytes)". */
export function describeLimit(limit = maxDocumentBytes.value): string {
  return `${formatBytes(limit)} (${limit.toLocaleString("en-US")} bytes)`;
}

/** Message for a file whose type is not accepted (the API's 415). */
export function unsupportedTypeMessage(name: string): string {
  return `Unsupported file type: “${name}”. Upload ${ACCEPTED_EXTENSIONS.join(", ")} files.`;
}

/** Message for a file over the limit (the API's 413). */
export function tooLargeMessage(size: number, limit = maxDocumentBytes.value): string {
  return `File too large: ${formatBytes(size)}; the limit is ${describeLimit(limit)} per document.`;
}

/**
 * Checks a file before anything is sent: a message when its type is not accepted, it is larger than
 * the limit or it is empty; null when it may be uploaded.
 */
export function checkFile(file: { name: string; size: number }, limit = maxDocumentBytes.value): string | null {
  if (!uploadKind(file.name)) return unsupportedTypeMessage(file.name);
  if (file.size > limit) return tooLargeMessage(file.size, limit);
  if (file.size === 0) return "The file is empty: there is nothing to index.";
  return null;
}

/** Splits a comma-separated tags field into trimmed, non-empty, unique tags. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

/** Details of a 422 answer (`[{ path, message }]`) as one line, or "" when there are none. */
export function describeDetails(details: unknown): string {
  if (!Array.isArray(details)) return "";
  return details
    .map((d) => {
      if (!d || typeof d !== "object") return String(d);
      const { path, message } = d as { path?: unknown; message?: unknown };
      const text = typeof message === "string" ? message : JSON.stringify(d);
      return typeof path === "string" && path ? `${path}: ${text}` : text;
    })
    .join("; ");
}

/** A message for a failed upload request, worded after its status (413, 415, 422) with the API's own message. */
export function uploadErrorMessage(e: unknown, limit = maxDocumentBytes.value): string {
  if (!(e instanceof ApiRequestError)) return describeError(e);
  switch (e.status) {
    case 413:
      return `File too large (the limit is ${describeLimit(limit)} per document). ${e.message}`;
    case 415:
      return `Unsupported file type. ${e.message}`;
    case 422: {
      const details = describeDetails(e.details);
      return `The server could not process this file: ${e.message}${details ? ` (${details})` : ""}`;
    }
    default:
      return describeError(e);
  }
}

/** Bulk-ingestion job status, as `GET /api/ingest/jobs/:id` answers it (the fields the client reads). */
export type JobSnapshot = Omit<JobStatus, "created_at" | "updated_at">;

/** Options of `pollJob`. */
export interface PollOptions {
  /** First delay between two reads (ms); it grows by half up to `maxIntervalMs`. Default 400. */
  intervalMs?: number;
  /** Longest delay between two reads (ms). Default 2000. */
  maxIntervalMs?: number;
  /** Gives up after this long (ms) with an error. Default 180 000. */
  timeoutMs?: number;
  /** Stops polling (with an AbortError) when aborted. */
  signal?: AbortSignal;
  /** Waits `ms` (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads a job until it is completed or failed, calling `onUpdate` with each status read (including
 * the first), and returns the final status. Throws when `timeoutMs` passes or `signal` aborts.
 */
export async function pollJob(
  first: JobSnapshot,
  read: (id: string) => Promise<JobSnapshot>,
  onUpdate: (job: JobSnapshot) => void,
  options: PollOptions = {},
): Promise<JobSnapshot> {
  const { intervalMs = 400, maxIntervalMs = 2000, timeoutMs = 180_000, signal, sleep = defaultSleep } = options;
  const started = Date.now();
  let job = first;
  let delay = intervalMs;
  onUpdate(job);
  while (job.status === "queued" || job.status === "running") {
    if (signal?.aborted) throw new DOMException("Polling stopped", "AbortError");
    if (Date.now() - started > timeoutMs) throw new Error(`Still ${job.status} after ${Math.round(timeoutMs / 1000)} s; check the list later.`);
    await sleep(delay);
    delay = Math.min(maxIntervalMs, Math.round(delay * 1.5));
    job = await read(job.id);
    onUpdate(job);
  }
  return job;
}

/** Progress of one file, as the upload panel shows it. */
export type UploadPhase = "invalid" | "reading" | "sending" | "queued" | "running" | "done" | "failed";

/** One file's row in the upload panel. */
export interface UploadState {
  /** Stable key of the row. */
  key: string;
  name: string;
  size: number;
  kind: UploadKind | null;
  phase: UploadPhase;
  /** Error message when invalid or failed. */
  message?: string;
}

/** A text document for `POST /api/ingest/jobs`. */
export interface JobDocument {
  content: string;
  source: string;
  content_type: "markdown" | "html" | "text";
  metadata?: { domain?: string; tags?: string[] };
}

/** The API calls an upload needs (bound to the typed client by the panel, replaced in tests). */
export interface UploadDeps {
  /** `POST /api/ingest/jobs` with one document; the job's first status. */
  startJob(document: JobDocument): Promise<JobSnapshot>;
  /** `GET /api/ingest/jobs/:id`. */
  readJob(id: string): Promise<JobSnapshot>;
  /** `POST /api/documents` multipart (field `file`, optional `domain` and `tags`). */
  uploadPdf(file: File, domain: string | undefined, tags: string[]): Promise<unknown>;
}

/** Metadata given to every file of a batch. */
export interface BatchMetadata {
  domain?: string;
  tags: string[];
}

/**
 * Uploads one file (already checked with `checkFile`) and reports each phase through `onPhase`:
 * reading → sending → queued → running → done for text files, sending → done for PDFs, or failed
 * with a message. Never throws.
 */
export async function uploadFile(
  file: File,
  meta: BatchMetadata,
  deps: UploadDeps,
  onPhase: (phase: UploadPhase, message?: string) => void,
  poll: PollOptions = {},
): Promise<UploadPhase> {
  const kind = uploadKind(file.name);
  const problem = checkFile(file);
  if (!kind || problem) {
    onPhase("invalid", problem ?? unsupportedTypeMessage(file.name));
    return "invalid";
  }
  try {
    if (kind === "pdf") {
      onPhase("sending");
      await deps.uploadPdf(file, meta.domain, meta.tags);
      onPhase("done");
      return "done";
    }
    onPhase("reading");
    const content = await file.text();
    if (!content.trim()) {
      onPhase("invalid", "The file has no text to index.");
      return "invalid";
    }
    const metadata = meta.domain || meta.tags.length > 0 ? { ...(meta.domain ? { domain: meta.domain } : {}), ...(meta.tags.length ? { tags: meta.tags } : {}) } : undefined;
    onPhase("sending");
    const first = await deps.startJob({ content, source: file.name, content_type: kind, ...(metadata ? { metadata } : {}) });
    const last = await pollJob(first, deps.readJob, (job) => {
      if (job.status === "queued" || job.status === "running") onPhase(job.status);
    }, poll);
    if (last.status === "completed" && last.failed === 0) {
      onPhase("done");
      return "done";
    }
    const message = last.errors.map((e) => e.message).join("; ") || "The server could not ingest this file.";
    onPhase("failed", `Ingestion failed: ${message}`);
    return "failed";
  } catch (e) {
    onPhase("failed", uploadErrorMessage(e));
    return "failed";
  }
}
