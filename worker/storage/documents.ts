/**
 * D1 persistence of documents and chunks (drizzle-orm). A document and all its chunks are written
 * in one D1 batch, which D1 runs as a single transaction: readers see the old version or the new
 * one, never a mix. FTS5 rows follow the chunks through triggers (migrations/0002_fts.sql).
 */
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { chunks, documents, type DocumentRow } from "../db/schema";
import type { SearchScope } from "../schemas";
import { scopeSql } from "./lexical";

/** D1 allows 100 bound parameters per statement; a chunk row binds 8. */
const CHUNK_ROWS_PER_INSERT = 12;

/** A chunk ready to store; `id` is also its vector id. */
export interface ChunkToStore {
  id: string;
  index: number;
  heading: string;
  content: string;
  /** The prompt-injection detector's reasons when it flags the chunk (worker/guardrails/injection.ts); null or absent when not. */
  injectionFlags?: string[] | null;
}

/** Everything stored for one document. */
export interface DocumentToStore {
  id: string;
  source: string;
  title: string;
  contentType: string;
  domain: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  content: string;
  contentHash: string;
  sizeBytes: number;
  chunks: ChunkToStore[];
}

/**
 * The stored document id and chunk ids of each of `sources` that exists, in one query
 * (source → { id, chunkIds }); sources without a document are absent from the map.
 */
export async function findBySources(db: Database, sources: readonly string[]): Promise<Map<string, { id: string; chunkIds: string[] }>> {
  const found = new Map<string, { id: string; chunkIds: string[] }>();
  if (sources.length === 0) return found;
  const rows = await db
    .select({ source: documents.source, id: documents.id, chunkId: chunks.id })
    .from(documents)
    .leftJoin(chunks, eq(chunks.documentId, documents.id))
    .where(inArray(documents.source, sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(sources)])}))`))
    .all();
  for (const r of rows) {
    let doc = found.get(r.source);
    if (!doc) found.set(r.source, (doc = { id: r.id, chunkIds: [] }));
    if (r.chunkId !== null) doc.chunkIds.push(r.chunkId);
  }
  return found;
}

/** The statements that replace (or insert) one document and all its chunks. */
function replaceStatements(db: Database, doc: DocumentToStore, now: number): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [
    db.delete(chunks).where(eq(chunks.documentId, doc.id)),
    db
      .insert(documents)
      .values({
        id: doc.id, source: doc.source, title: doc.title, contentType: doc.contentType, domain: doc.domain,
        tags: doc.tags, metadata: doc.metadata, content: doc.content, contentHash: doc.contentHash,
        sizeBytes: doc.sizeBytes, chunkCount: doc.chunks.length, createdAt: now, updatedAt: now,
      })
      .onConflictDoUpdate({
        target: documents.source,
        set: {
          title: doc.title, contentType: doc.contentType, domain: doc.domain, tags: doc.tags, metadata: doc.metadata,
          content: doc.content, contentHash: doc.contentHash, sizeBytes: doc.sizeBytes, chunkCount: doc.chunks.length, updatedAt: now,
        },
      }),
  ];
  for (let i = 0; i < doc.chunks.length; i += CHUNK_ROWS_PER_INSERT) {
    statements.push(
      db.insert(chunks).values(
        doc.chunks.slice(i, i + CHUNK_ROWS_PER_INSERT).map((c) => ({
          id: c.id, documentId: doc.id, chunkIndex: c.index, title: doc.title, heading: c.heading,
          content: c.content, charCount: c.content.length, injectionFlags: c.injectionFlags?.length ? c.injectionFlags : null,
        })),
      ),
    );
  }
  return statements;
}

/** Replaces the document with `doc.source` (or inserts it) and all its chunks, atomically. */
export async function replaceDocument(db: Database, doc: DocumentToStore): Promise<void> {
  await replaceDocuments(db, [doc]);
}

/**
 * Replaces (or inserts) several documents with distinct sources and all their chunks in one D1
 * batch, i.e. one transaction: either every document is written or none is.
 */
export async function replaceDocuments(db: Database, docs: readonly DocumentToStore[]): Promise<void> {
  if (docs.length === 0) return;
  const now = Date.now();
  const statements = docs.flatMap((doc) => replaceStatements(db, doc, now));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

/** Deletes a document and its chunks atomically; returns the deleted chunk ids, or null if unknown. */
export async function deleteDocument(db: Database, id: string): Promise<string[] | null> {
  const doc = await db.select({ id: documents.id }).from(documents).where(eq(documents.id, id)).get();
  if (!doc) return null;
  const rows = await db.select({ id: chunks.id }).from(chunks).where(eq(chunks.documentId, id)).all();
  await db.batch([db.delete(chunks).where(eq(chunks.documentId, id)), db.delete(documents).where(eq(documents.id, id))]);
  return rows.map((r) => r.id);
}

/** A document row without its content, as listed. */
export type DocumentSummary = Omit<DocumentRow, "content">;

/** One page of documents, newest first, filtered by domain, by tag and by a case-insensitive substring of title or source. */
export async function listDocuments(db: Database, page: number, limit: number, filter: { domain?: string; tag?: string; q?: string } = {}) {
  const conditions = [];
  if (filter.domain) conditions.push(eq(documents.domain, filter.domain));
  if (filter.tag) conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${documents.tags}) WHERE json_each.value = ${filter.tag})`);
  if (filter.q) {
    // instr, not LIKE: D1 rejects LIKE patterns over 50 bytes, and no character is special.
    const needle = filter.q.toLowerCase();
    conditions.push(sql`(instr(lower(${documents.title}), ${needle}) > 0 OR instr(lower(${documents.source}), ${needle}) > 0)`);
  }
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [items, total] = await Promise.all([
    db
      .select({
        id: documents.id, source: documents.source, title: documents.title, contentType: documents.contentType,
        domain: documents.domain, tags: documents.tags, metadata: documents.metadata, contentHash: documents.contentHash,
        sizeBytes: documents.sizeBytes, chunkCount: documents.chunkCount, createdAt: documents.createdAt, updatedAt: documents.updatedAt,
      })
      .from(documents)
      .where(where)
      .orderBy(desc(documents.updatedAt), documents.id)
      .limit(limit)
      .offset((page - 1) * limit)
      .all(),
    db.select({ n: count() }).from(documents).where(where).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

/** Domains and tags of the knowledge base with their document counts, most documents first. */
export async function documentFacets(db: Database): Promise<{ domains: { value: string; count: number }[]; tags: { value: string; count: number }[] }> {
  const [domains, tags] = await Promise.all([
    db.all<{ value: string; count: number }>(sql`SELECT domain AS value, count(*) AS count FROM documents WHERE domain IS NOT NULL GROUP BY domain ORDER BY count DESC, value LIMIT 200`),
    db.all<{ value: string; count: number }>(sql`SELECT json_each.value AS value, count(*) AS count FROM documents, json_each(documents.tags) GROUP BY json_each.value ORDER BY count DESC, value LIMIT 200`),
  ]);
  return { domains, tags };
}

/** A document with its content, or undefined. */
export async function getDocument(db: Database, id: string): Promise<DocumentRow | undefined> {
  return db.select().from(documents).where(eq(documents.id, id)).get();
}

/** A chunk joined with its document, as returned by retrieval. */
export interface ChunkWithDocument {
  id: string;
  documentId: string;
  title: string;
  heading: string;
  content: string;
  source: string;
  domain: string | null;
}

/** A chunk's id and its document's id, without content (see {@link chunkRefs}). */
export interface ChunkRef {
  id: string;
  documentId: string;
}

/**
 * The chunks of `ids` that exist and whose document is inside the scope (domains: any of; tags:
 * any of), as ids and document ids only: enough to rank and group retrieval candidates before
 * loading the content of the few that are returned ({@link loadChunks}). Order is not defined.
 *
 * This and loadChunks, on every query's path, are plain SQL through drizzle's `sql` rather than
 * its query builder, whose building and row mapping took ~1.5 ms of CPU per call (CPU profile of
 * hybrid queries in `wrangler dev`).
 */
export async function chunkRefs(db: Database, ids: readonly string[], scope?: SearchScope): Promise<ChunkRef[]> {
  if (ids.length === 0) return [];
  return db.all<ChunkRef>(sql`
    SELECT c.id AS id, c.document_id AS documentId
    FROM chunks c JOIN documents d ON d.id = c.document_id
    WHERE c.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))${scopeSql(scope)}`);
}

/**
 * Loads chunks by id with their document's source, keeping only documents inside the scope
 * (domains: any of; tags: any of). Order is not defined.
 */
export async function loadChunks(db: Database, ids: readonly string[], scope?: SearchScope): Promise<ChunkWithDocument[]> {
  if (ids.length === 0) return [];
  return db.all<ChunkWithDocument>(sql`
    SELECT c.id AS id, c.document_id AS documentId, c.title AS title, c.heading AS heading, c.content AS content,
           d.source AS source, d.domain AS domain
    FROM chunks c JOIN documents d ON d.id = c.document_id
    WHERE c.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))${scopeSql(scope)}`);
}

/** The first chunk (the page's introduction) of each of `documentIds`. */
export async function introChunks(db: Database, documentIds: readonly string[]): Promise<ChunkWithDocument[]> {
  if (documentIds.length === 0) return [];
  return db
    .select({ id: chunks.id, documentId: chunks.documentId, title: chunks.title, heading: chunks.heading, content: chunks.content, source: documents.source, domain: documents.domain })
    .from(chunks)
    .innerJoin(documents, eq(documents.id, chunks.documentId))
    .where(and(inArray(chunks.documentId, sql`(SELECT value FROM json_each(${JSON.stringify(documentIds)}))`), eq(chunks.chunkIndex, 0)))
    .all();
}

/** One chunk of a document as listed by `GET /api/documents/:id/chunks`. */
export interface DocumentChunk {
  id: string;
  /** 0-based position in the document. */
  index: number;
  heading: string;
  content: string;
  /** The prompt-injection detector's reasons when it flagged the chunk at ingestion, else null (docs/security.md). */
  injection_flags: string[] | null;
}

/** The chunks of one document in reading order (empty when the document has none or does not exist). */
export async function documentChunks(db: Database, documentId: string): Promise<DocumentChunk[]> {
  return db
    .select({ id: chunks.id, index: chunks.chunkIndex, heading: chunks.heading, content: chunks.content, injection_flags: chunks.injectionFlags })
    .from(chunks)
    .where(eq(chunks.documentId, documentId))
    .orderBy(asc(chunks.chunkIndex))
    .all();
}

/** Titles of the documents whose source is one of `sources`, keyed by source. */
export async function titlesBySource(db: Database, sources: readonly string[]): Promise<Map<string, string>> {
  if (sources.length === 0) return new Map();
  const rows = await db.all<{ source: string; title: string }>(sql`
    SELECT source, title FROM documents WHERE source IN (SELECT value FROM json_each(${JSON.stringify(sources)}))`);
  return new Map(rows.map((r) => [r.source, r.title]));
}

/** A chunk that follows another in its document (see {@link nextChunks}). */
export interface NextChunk extends ChunkWithDocument {
  /** Id of the chunk it follows. */
  previousId: string;
}

/** The chunk after each of `ids` in its document (chunk_index + 1), for those that have one. One D1 statement. */
export async function nextChunks(db: Database, ids: readonly string[]): Promise<NextChunk[]> {
  if (ids.length === 0) return [];
  return db.all<NextChunk>(sql`
    SELECT n.id AS id, n.document_id AS documentId, n.title AS title, n.heading AS heading, n.content AS content,
           d.source AS source, d.domain AS domain, c.id AS previousId
    FROM chunks c
    JOIN chunks n ON n.document_id = c.document_id AND n.chunk_index = c.chunk_index + 1
    JOIN documents d ON d.id = n.document_id
    WHERE c.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
}
