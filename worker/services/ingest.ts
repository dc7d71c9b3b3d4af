/**
 * Ingestion: parse → chunk → embed → store. Vectors for the new chunks are written first under
 * fresh ids, then D1 swaps the document and its chunks in one transaction, then the previous
 * version's vectors are deleted. A failure before the swap removes the new vectors again, so a
 * failed ingestion leaves the previous version (or nothing) in place.
 *
 * Several documents (a queue batch) are ingested together by {@link ingestDocuments}: one D1
 * lookup of the existing versions, one embedding call, one vector upsert and one D1 batch (one
 * transaction) for a whole group of documents. When a group fails, its new vectors are removed
 * and its documents are retried one by one, so that one bad document fails alone.
 */
import { database } from "../db/client";
import { ApiError } from "../http/errors";
import type { Providers } from "../config";
import { contentTypeFromName, parsePdf, parseTextContent, type ContentType, type ParsedDocument } from "../rag/parse";
import type { DocumentInput } from "../schemas";
import { chunkEmbeddingText, chunkSections, type TextChunk } from "../rag/chunking";
import { findBySources, replaceDocuments, type DocumentToStore } from "../storage/documents";
import { detectInjection } from "../guardrails/injection";

/** The detector's reasons for a chunk (heading and text), or null when it is not flagged. */
function injectionFlagsOf(heading: string, content: string): string[] | null {
  const found = detectInjection(`${heading}\n${content}`);
  return found.flagged ? found.reasons : null;
}

/** Result of ingesting one document. */
export interface IngestResult {
  id: string;
  chunk_count: number;
  /** True when an earlier version of the same source was replaced. */
  replaced: boolean;
}

/** Raw document to ingest: text content, or PDF bytes. */
export type IngestSource =
  | (DocumentInput & { bytes?: undefined })
  | (Omit<DocumentInput, "content" | "content_type"> & { bytes: Uint8Array<ArrayBuffer>; content_type: "pdf"; content?: undefined });

async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Section names implied by a relative source path, outermost first: "concepts/sampling/index.md"
 * → ["Concepts"] (the last folder of an index page is the page itself). URLs and absolute paths
 * give none.
 */
export function breadcrumbs(source: string, title: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith("/")) return [];
  const parts = source.split(/[\\/]/).filter((p) => p && p !== "." && p !== "..");
  const file = parts.pop() ?? "";
  if (/^_?index\.[a-z]+$/i.test(file)) parts.pop();
  const human = (s: string) => {
    const words = s.replace(/[-_]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
  return parts.map(human).filter((p) => p && p.toLowerCase() !== title.toLowerCase());
}

function titleFromSource(source: string): string {
  const base = source.split(/[\\/]/).filter(Boolean).pop() ?? source;
  const stem = base.replace(/\.[a-z0-9]+$/i, "");
  if (stem === "_index" || stem === "index") {
    const parts = source.split(/[\\/]/).filter(Boolean);
    return parts.length > 1 ? parts[parts.length - 2] : stem;
  }
  return stem;
}

/** A parsed and chunked document, not stored yet. */
type PreparedDocument = Omit<DocumentToStore, "id" | "contentType" | "chunks"> & {
  contentType: ContentType;
  textChunks: TextChunk[];
};

/**
 * Parses and chunks one document. Throws ApiError 413 when it is larger than MAX_DOCUMENT_BYTES,
 * 422 when it has no text.
 */
async function prepareDocument(p: Providers, input: IngestSource): Promise<PreparedDocument> {
  const sizeBytes = input.bytes ? input.bytes.byteLength : new TextEncoder().encode(input.content).byteLength;
  if (sizeBytes > p.config.MAX_DOCUMENT_BYTES) {
    throw new ApiError(413, "payload_too_large", `Document is ${sizeBytes} bytes; the limit is ${p.config.MAX_DOCUMENT_BYTES}`);
  }

  let parsed: ParsedDocument;
  let contentType: ContentType;
  let content: string;
  if (input.bytes) {
    contentType = "pdf";
    try {
      parsed = await parsePdf(input.bytes);
    } catch (e) {
      throw new ApiError(422, "unprocessable_document", `Could not read the PDF: ${e instanceof Error ? e.message : String(e)}`);
    }
    content = parsed.sections.map((s) => s.text).join("\n\n");
  } else {
    const detected = contentTypeFromName(input.source);
    contentType = input.content_type ?? (detected && detected !== "pdf" ? detected : "text");
    content = input.content;
    parsed = parseTextContent(content, contentType as Exclude<ContentType, "pdf">);
  }

  const title = input.title ?? parsed.title ?? titleFromSource(input.source);
  let sections = parsed.sections;
  if (sections.length === 0) {
    // A page with only front matter (a section landing page, a redirect) is still findable by
    // its own title and description.
    const description = typeof parsed.metadata.description === "string" ? parsed.metadata.description.trim() : "";
    const summary = [input.title ?? parsed.title, description].filter(Boolean).join(". ");
    if (summary) sections = [{ headings: [], text: summary }];
  }
  const textChunks = await chunkSections([...breadcrumbs(input.source, title), title].join(" > "), sections, { chunkSize: p.config.CHUNK_SIZE, chunkOverlap: p.config.CHUNK_OVERLAP });
  if (textChunks.length === 0) throw new ApiError(422, "unprocessable_document", "The document has no text to index");

  return {
    source: input.source, title, contentType,
    domain: input.metadata?.domain ?? null,
    tags: input.metadata?.tags ?? [],
    metadata: { ...parsed.metadata, ...(input.metadata ?? {}) },
    content, contentHash: await sha256Hex(input.bytes ?? content), sizeBytes, textChunks,
  };
}

/** The outcome of one document of {@link ingestDocuments}. */
export type IngestOutcome = { ok: true; result: IngestResult } | { ok: false; error: unknown };

/** Largest group stored together: chunks (vectors of one upsert) and bytes of content (one D1 batch). */
const GROUP_MAX_CHUNKS = 1000;
const GROUP_MAX_BYTES = 4_000_000;

/**
 * Splits prepared documents, in order, into groups stored together: a group never holds the same
 * source twice (a later version is stored after the earlier one), and stays under the size caps
 * (a single larger document forms a group of its own).
 */
function groupDocuments(docs: readonly { index: number; doc: PreparedDocument }[]) {
  const groups: { index: number; doc: PreparedDocument }[][] = [];
  let current: { index: number; doc: PreparedDocument }[] = [];
  let sources = new Set<string>();
  let chunks = 0;
  let bytes = 0;
  for (const item of docs) {
    const n = item.doc.textChunks.length;
    const full = current.length > 0 && (chunks + n > GROUP_MAX_CHUNKS || bytes + item.doc.sizeBytes > GROUP_MAX_BYTES);
    if (full || sources.has(item.doc.source)) {
      groups.push(current);
      current = [];
      sources = new Set();
      chunks = 0;
      bytes = 0;
    }
    current.push(item);
    sources.add(item.doc.source);
    chunks += n;
    bytes += item.doc.sizeBytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Embeds and stores a group of documents with distinct sources, all or nothing: one lookup of the
 * existing versions, one embedding call, one vector upsert, one D1 transaction, then one deletion
 * of the replaced versions' vectors. On failure the new vectors are removed and the error thrown.
 */
async function storeGroup(env: Env, p: Providers, docs: readonly PreparedDocument[]): Promise<IngestResult[]> {
  const db = database(env.DB);
  const existing = await findBySources(db, docs.map((d) => d.source));
  const planned = docs.map((d) => {
    const previous = existing.get(d.source) ?? null;
    const id = previous?.id ?? crypto.randomUUID();
    const generation = crypto.randomUUID().slice(0, 8);
    const chunks = d.textChunks.map((c) => ({ ...c, id: `${id}:${generation}:${c.index}` }));
    return { doc: d, id, previous, chunks };
  });
  const all = planned.flatMap((x) => x.chunks.map((c) => ({ chunk: c, id: x.id, domain: x.doc.domain })));

  const vectors = await p.embedder.embed(all.map(({ chunk }) => chunkEmbeddingText(chunk)), "document");
  try {
    await p.vectorIndex.upsert(all.map(({ chunk, id, domain }, i) => ({ id: chunk.id, values: vectors[i], metadata: { document_id: id, ...(domain ? { domain } : {}) } })));
    const rows: DocumentToStore[] = planned.map(({ doc, id, chunks }) => ({
      id, source: doc.source, title: doc.title, contentType: doc.contentType, domain: doc.domain, tags: doc.tags,
      metadata: doc.metadata, content: doc.content, contentHash: doc.contentHash, sizeBytes: doc.sizeBytes,
      chunks: chunks.map((c) => ({ id: c.id, index: c.index, heading: c.heading, content: c.content, injectionFlags: injectionFlagsOf(c.heading, c.content) })),
    }));
    await replaceDocuments(db, rows);
  } catch (e) {
    await p.vectorIndex.deleteByIds(all.map(({ chunk }) => chunk.id)).catch(() => undefined);
    throw e;
  }
  const stale = planned.flatMap((x) => x.previous?.chunkIds ?? []);
  if (stale.length > 0) {
    await p.vectorIndex.deleteByIds(stale).catch((e) =>
      console.error(JSON.stringify({ level: "warn", message: "stale vectors not deleted", error: String(e) })),
    );
  }
  return planned.map((x) => ({ id: x.id, chunk_count: x.chunks.length, replaced: x.previous !== null }));
}

/**
 * Ingests several documents together (a queue batch), in order: a source given twice ends with
 * its last version. Returns one outcome per input, in input order; never throws for a document's
 * own failure: invalid documents (ApiError 413/422) and provider or storage errors are returned
 * as that document's error. A group whose storage fails is retried document by document, so a
 * failure is confined to the documents that cause it, and never leaves a half-written document or
 * new vectors behind.
 */
export async function ingestDocuments(env: Env, p: Providers, inputs: readonly IngestSource[]): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = new Array(inputs.length);
  const prepared: { index: number; doc: PreparedDocument }[] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      prepared.push({ index, doc: await prepareDocument(p, input) });
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  for (const group of groupDocuments(prepared)) {
    try {
      const results = await storeGroup(env, p, group.map((g) => g.doc));
      group.forEach((g, i) => (outcomes[g.index] = { ok: true, result: results[i] }));
    } catch (groupError) {
      if (group.length === 1) {
        outcomes[group[0].index] = { ok: false, error: groupError };
        continue;
      }
      console.error(JSON.stringify({ level: "warn", message: "group ingestion failed; retrying its documents one by one", documents: group.length, error: String(groupError) }));
      for (const g of group) {
        try {
          outcomes[g.index] = { ok: true, result: (await storeGroup(env, p, [g.doc]))[0] };
        } catch (error) {
          outcomes[g.index] = { ok: false, error };
        }
      }
    }
  }
  return outcomes;
}

/**
 * Ingests one document. Throws ApiError 413 when it is larger than MAX_DOCUMENT_BYTES, 422 when it
 * has no text; provider and storage errors propagate after cleanup.
 */
export async function ingestDocument(env: Env, p: Providers, input: IngestSource): Promise<IngestResult> {
  const [outcome] = await ingestDocuments(env, p, [input]);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
