/**
 * The knowledge explorer's API calls over the typed client, and the answer types inferred from the
 * Worker's routes (no copied types).
 */
import type { InferResponseType } from "hono/client";
import { api, ApiRequestError, call } from "../../api/client";
import { authFetch, authHeaders } from "../../auth";
import { maxDocumentBytes, type JobDocument, type JobSnapshot, type UploadDeps } from "./uploads";

/** Documents per page of the list. */
export const PAGE_SIZE = 20;

/** One page of `GET /api/documents`. */
export type DocumentPage = InferResponseType<typeof api.api.documents.$get, 200>;
/** One row of the list. */
export type DocumentSummary = DocumentPage["documents"][number];
/** `GET /api/documents/facets`: domains and tags with their document counts. */
export type Facets = InferResponseType<typeof api.api.documents.facets.$get, 200>;
/** `GET /api/documents/:id` (metadata and content). */
export type DocumentDetail = InferResponseType<(typeof api.api.documents)[":id"]["$get"], 200>;
/** `GET /api/documents/:id/chunks`. */
export type DocumentChunks = InferResponseType<(typeof api.api.documents)[":id"]["chunks"]["$get"], 200>;
/** One chunk: id, index, heading path (" > "-joined), content. */
export type Chunk = DocumentChunks["chunks"][number];

/** Filters and page of the list, as kept in the URL query string. */
export interface ListQuery {
  page: number;
  q: string;
  domain: string;
  tag: string;
}

/** Reads the list's state from a query-string record (invalid or missing values become defaults). */
export function listQueryFrom(query: Record<string, string | undefined>): ListQuery {
  const page = Number.parseInt(query.page ?? "", 10);
  return {
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    q: (query.q ?? "").slice(0, 200),
    domain: query.domain ?? "",
    tag: query.tag ?? "",
  };
}

/** The `/knowledge` URL of a list state (defaults are left out: page 1, empty filters). */
export function listHref(state: ListQuery): string {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.domain) params.set("domain", state.domain);
  if (state.tag) params.set("tag", state.tag);
  if (state.page > 1) params.set("page", String(state.page));
  const qs = params.toString();
  return qs ? `/knowledge?${qs}` : "/knowledge";
}


/** One page of documents. */
export function fetchDocuments(state: ListQuery): Promise<DocumentPage> {
  const query: { page: string; limit: string; q?: string; domain?: string; tag?: string } = { page: String(state.page), limit: String(PAGE_SIZE) };
  const q = state.q.trim();
  if (q) query.q = q;
  if (state.domain) query.domain = state.domain;
  if (state.tag) query.tag = state.tag;
  return call(api.api.documents.$get({ query }));
}

/** Domains and tags with their counts. */
export function fetchFacets(): Promise<Facets> {
  return call(api.api.documents.facets.$get());
}

/** A document's metadata and content. */
export function fetchDocument(id: string): Promise<DocumentDetail> {
  return call(api.api.documents[":id"].$get({ param: { id } }));
}

/** A document's chunks in order. */
export function fetchChunks(id: string): Promise<DocumentChunks> {
  return call(api.api.documents[":id"].chunks.$get({ param: { id } }));
}

/** Deletes a document (and its chunks and vectors). */
export function deleteDocument(id: string): Promise<unknown> {
  return call(api.api.documents[":id"].$delete({ param: { id } }));
}

/** `POST /api/ingest/jobs` with one document. */
async function startJob(document: JobDocument): Promise<JobSnapshot> {
  const job = await call(api.api.ingest.jobs.$post({ json: { documents: [document] } }));
  if (!job) throw new ApiRequestError(500, "internal_error", "The server did not return the new job");
  return job;
}

/** `GET /api/ingest/jobs/:id`. */
function readJob(id: string): Promise<JobSnapshot> {
  return call(api.api.ingest.jobs[":id"].$get({ param: { id } }));
}

/** `POST /api/documents` as multipart/form-data (the route reads the form itself, so no typed body). */
function uploadPdf(file: File, domain: string | undefined, tags: string[]): Promise<unknown> {
  const form = new FormData();
  form.set("file", file, file.name);
  if (domain) form.set("domain", domain);
  if (tags.length) form.set("tags", tags.join(","));
  return call(authFetch(api.api.documents.$url(), { method: "POST", body: form, credentials: "include", headers: authHeaders() }));
}

/** The upload calls bound to the API. */
export const uploadDeps: UploadDeps = { startJob, readJob, uploadPdf };

/** One formatter for every date (building one per call costs about a millisecond each). */
let dateFormat: Intl.DateTimeFormat | undefined;

/** A date for people ("12 Mar 2025, 14:05"), or the raw value when it is not a date. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  dateFormat ??= new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  return dateFormat.format(d);
}

/** Reads the configured per-document limit from `GET /health` into `maxDocumentBytes` (kept on failure). */
export async function loadLimits(): Promise<void> {
  try {
    const health = await call(api.health.$get());
    maxDocumentBytes.value = health.limits.max_document_bytes;
  } catch {
    // the default stays; the server still answers 413
  }
}
