/**
 * `/api/documents`: ingest (JSON or multipart upload), list (filtered by domain, tag and a title or
 * source substring), the domains and tags with their counts (`/facets`), read, a document's chunks,
 * delete.
 */
import { Hono, type Context } from "hono";
import { providers } from "../config";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError, validationError } from "../http/errors";
import { validate } from "../http/validate";
import { contentTypeFromName } from "../rag/parse";
import { DocumentInputSchema, DocumentMetadataSchema, ListDocumentsQuerySchema } from "../schemas";
import { ingestDocument, type IngestSource } from "../services/ingest";
import { deleteDocument, documentChunks, documentFacets, getDocument, listDocuments } from "../storage/documents";

async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "Malformed JSON in request body");
  }
}

async function readUpload(c: Context<AppEnv>): Promise<IngestSource> {
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw new ApiError(400, "invalid_request", "Malformed multipart/form-data body");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") throw new ApiError(422, "invalid_request", "A file field named 'file' is required");
  const type = contentTypeFromName(file.name);
  if (!type) throw new ApiError(415, "unsupported_media_type", `Unsupported file type '${file.name}'; upload .md, .txt, .html or .pdf`);
  const text = (key: string) => {
    const v = form.get(key);
    return typeof v === "string" && v.trim() ? v.trim() : undefined;
  };
  const tags = text("tags")?.split(",").map((t) => t.trim()).filter(Boolean);
  const metadata = DocumentMetadataSchema.safeParse({ domain: text("domain"), tags });
  if (!metadata.success) throw validationError(metadata.error, "form fields");
  const source = text("source") ?? file.name;
  const title = text("title");
  if (type === "pdf") {
    const names = DocumentInputSchema.pick({ source: true, title: true }).safeParse({ source, title });
    if (!names.success) throw validationError(names.error, "upload");
    return { ...names.data, metadata: metadata.data, content_type: "pdf", bytes: new Uint8Array(await file.arrayBuffer()) };
  }
  const parsed = DocumentInputSchema.safeParse({ source, title, metadata: metadata.data, content_type: type, content: await file.text() });
  if (!parsed.success) throw validationError(parsed.error, "upload");
  return parsed.data;
}

export const documentsRoute = new Hono<AppEnv>()
  .post("/", async (c) => {
    const p = providers(c.env);
    const length = Number(c.req.header("content-length") ?? 0);
    if (length > p.config.MAX_DOCUMENT_BYTES * 1.5 + 65_536) {
      throw new ApiError(413, "payload_too_large", `Request body is ${length} bytes; the document limit is ${p.config.MAX_DOCUMENT_BYTES}`);
    }
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    let input: IngestSource;
    if (type.startsWith("multipart/form-data")) input = await readUpload(c);
    else if (type.startsWith("application/json")) {
      const parsed = DocumentInputSchema.safeParse(await readJsonBody(c));
      if (!parsed.success) throw validationError(parsed.error);
      input = parsed.data;
    } else throw new ApiError(415, "unsupported_media_type", "Send application/json or multipart/form-data");
    const result = await ingestDocument(c.env, p, input);
    return c.json(result, 201);
  })
  .get("/", validate("query", ListDocumentsQuerySchema), async (c) => {
    const { page, limit, ...filter } = c.req.valid("query");
    const { items, total } = await listDocuments(database(c.env.DB), page, limit, filter);
    return c.json({
      documents: items.map((d) => ({
        id: d.id, title: d.title, source: d.source, content_type: d.contentType, domain: d.domain, tags: d.tags,
        chunk_count: d.chunkCount, size_bytes: d.sizeBytes, updated_at: new Date(d.updatedAt).toISOString(),
      })),
      page, limit, total,
    });
  })
  .get("/facets", async (c) => c.json(await documentFacets(database(c.env.DB))))
  .get("/:id", async (c) => {
    const doc = await getDocument(database(c.env.DB), c.req.param("id"));
    if (!doc) throw new ApiError(404, "not_found", "Document not found");
    return c.json({
      id: doc.id, title: doc.title, source: doc.source, content_type: doc.contentType, domain: doc.domain, tags: doc.tags,
      metadata: doc.metadata, content: doc.content, content_hash: doc.contentHash, size_bytes: doc.sizeBytes,
      chunk_count: doc.chunkCount, created_at: new Date(doc.createdAt).toISOString(), updated_at: new Date(doc.updatedAt).toISOString(),
    });
  })
  .get("/:id/chunks", async (c) => {
    const db = database(c.env.DB);
    const id = c.req.param("id");
    const doc = await getDocument(db, id);
    if (!doc) throw new ApiError(404, "not_found", "Document not found");
    return c.json({ document_id: id, title: doc.title, source: doc.source, chunks: await documentChunks(db, id) });
  })
  .delete("/:id", async (c) => {
    const chunkIds = await deleteDocument(database(c.env.DB), c.req.param("id"));
    if (chunkIds === null) throw new ApiError(404, "not_found", "Document not found");
    await providers(c.env).vectorIndex.deleteByIds(chunkIds);
    return c.json({ id: c.req.param("id"), deleted: true, chunk_count: chunkIds.length });
  });
