/**
 * drizzle-orm schema of the D1 tables created by `migrations/0001_init.sql`. The FTS5 tables of
 * `0002_fts.sql` are queried with raw SQL (see storage/lexical.ts). Timestamps are epoch ms.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { FeedbackReason } from "../schemas";

export const documents = sqliteTable(
  "documents",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull().unique(),
    title: text("title").notNull(),
    contentType: text("content_type").notNull(),
    domain: text("domain"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    content: text("content").notNull(),
    contentHash: text("content_hash").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    chunkCount: integer("chunk_count").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("documents_domain_idx").on(t.domain), index("documents_updated_idx").on(t.updatedAt)],
);

export const chunks = sqliteTable(
  "chunks",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    documentId: text("document_id").notNull().references(() => documents.id, { onDelete: "cascade" }),
    chunkIndex: integer("chunk_index").notNull(),
    title: text("title").notNull(),
    heading: text("heading").notNull(),
    content: text("content").notNull(),
    charCount: integer("char_count").notNull(),
  },
  (t) => [index("chunks_document_idx").on(t.documentId, t.chunkIndex)],
);

export const ingestJobs = sqliteTable("ingest_jobs", {
  id: text("id").primaryKey(),
  status: text("status", { enum: ["queued", "running", "completed", "failed"] }).notNull(),
  total: integer("total").notNull(),
  done: integer("done").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  errors: text("errors", { mode: "json" }).$type<{ source: string; message: string }[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const ingestJobItems = sqliteTable(
  "ingest_job_items",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull().references(() => ingestJobs.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    error: text("error"),
  },
  (t) => [index("ingest_job_items_job_idx").on(t.jobId, t.status)],
);

export type DocumentRow = typeof documents.$inferSelect;
export type ChunkRow = typeof chunks.$inferSelect;

/** Feedback on an assistant message (`migrations/0005_feedback.sql`); one row per (session, message). */
export const feedback = sqliteTable(
  "feedback",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull(),
    messageId: text("message_id").notNull(),
    rating: text("rating", { enum: ["up", "down"] }).notNull(),
    reasons: text("reasons", { mode: "json" }).$type<FeedbackReason[]>().notNull(),
    comment: text("comment"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("feedback_created_idx").on(t.createdAt)],
);
export type FeedbackRow = typeof feedback.$inferSelect;
