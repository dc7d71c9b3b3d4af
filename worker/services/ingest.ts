/**
 * Ingestion: parse → chunk → embed → store. Vectors for the new chunks are written first under
 * fresh ids, then D1 swaps the document and its chunks in one transaction, then the previous
 * version's vectors are deleted. A failure before the swap removes the new vectors again, so a
 * failed ingestion leaves the previous version (or nothing) in place.
 */
import { database } from "../db/client";
import { ApiError } from "../http/errors";
import type { Providers } from "../config";
import { chunkSections } from "../rag/chunking";
import { contentTypeFromName, parsePdf, parseTextContent, type ContentType, type ParsedDocument } from "../rag/parse";
import type { DocumentInput } from "../schemas";
import { findBySource, replaceDocument } from "../storage/documents";

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
  | (Omit<DocumentInput, "content" | "content_type"> & { bytes: Uint8Array; content_type: "pdf"; content?: undefined });

async function sha256Hex(data: string | Uint8Array): Promise<string> {
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

/**
 * Ingests one document. Throws ApiError 413 when it is larger than MAX_DOCUMENT_BYTES, 422 when it
 * has no text; provider and storage errors propagate after cleanup.
 */
export async function ingestDocument(env: Env, p: Providers, input: IngestSource): Promise<IngestResult> {
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

  const db = database(env.DB);
  const existing = await findBySource(db, input.source);
  const id = existing?.id ?? crypto.randomUUID();
  const generation = crypto.randomUUID().slice(0, 8);
  const chunks = textChunks.map((c) => ({ ...c, id: `${id}:${generation}:${c.index}` }));
  const domain = input.metadata?.domain ?? null;
  const tags = input.metadata?.tags ?? [];

  const vectors = await p.embedder.embed(chunks.map((c) => `${c.heading}\n${c.content}`), "document");
  const metadata = { document_id: id, ...(domain ? { domain } : {}) };
  try {
    await p.vectorIndex.upsert(chunks.map((c, i) => ({ id: c.id, values: vectors[i], metadata })));
    await replaceDocument(db, {
      id, source: input.source, title, contentType, domain, tags,
      metadata: { ...parsed.metadata, ...(input.metadata ?? {}) },
      content, contentHash: await sha256Hex(input.bytes ?? content), sizeBytes,
      chunks: chunks.map((c) => ({ id: c.id, index: c.index, heading: c.heading, content: c.content })),
    });
  } catch (e) {
    await p.vectorIndex.deleteByIds(chunks.map((c) => c.id)).catch(() => undefined);
    throw e;
  }
  if (existing && existing.chunkIds.length > 0) {
    await p.vectorIndex.deleteByIds(existing.chunkIds).catch((e) =>
      console.error(JSON.stringify({ level: "warn", message: "stale vectors not deleted", error: String(e) })),
    );
  }
  return { id, chunk_count: chunks.length, replaced: existing !== null };
}
