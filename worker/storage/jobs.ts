/**
 * Bulk ingestion jobs in D1. A job's documents wait in `ingest_job_items`; queue messages carry
 * only item ids. Counters are updated with single UPDATE statements so concurrent consumers
 * never lose an increment.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { ingestJobItems, ingestJobs } from "../db/schema";
import type { DocumentInput } from "../schemas";

/** Public view of a job, as returned by `GET /api/ingest/jobs/:id`. */
export interface JobStatus {
  id: string;
  status: "queued" | "running" | "completed" | "failed";
  total: number;
  done: number;
  failed: number;
  errors: { source: string; message: string }[];
  created_at: string;
  updated_at: string;
}

/** Creates a job and its items in one transaction; returns the job id and item ids in order. */
export async function createJob(db: Database, docs: DocumentInput[]): Promise<{ id: string; itemIds: string[] }> {
  const id = crypto.randomUUID();
  const now = Date.now();
  const itemIds = docs.map(() => crypto.randomUUID());
  await db.batch([
    db.insert(ingestJobs).values({ id, status: "queued", total: docs.length, errors: [], createdAt: now, updatedAt: now }),
    ...docs.map((doc, i) => db.insert(ingestJobItems).values({ id: itemIds[i], jobId: id, position: i, payload: JSON.stringify(doc) })),
  ]);
  return { id, itemIds };
}

/** The job's status, or undefined. */
export async function getJob(db: Database, id: string): Promise<JobStatus | undefined> {
  const row = await db.select().from(ingestJobs).where(eq(ingestJobs.id, id)).get();
  if (!row) return undefined;
  return {
    id: row.id, status: row.status, total: row.total, done: row.done, failed: row.failed, errors: row.errors,
    created_at: new Date(row.createdAt).toISOString(), updated_at: new Date(row.updatedAt).toISOString(),
  };
}

/** A pending item of a job, or undefined when it does not exist or was already processed. */
export async function pendingItem(db: Database, jobId: string, itemId: string) {
  return db
    .select()
    .from(ingestJobItems)
    .where(and(eq(ingestJobItems.id, itemId), eq(ingestJobItems.jobId, jobId), eq(ingestJobItems.status, "pending")))
    .get();
}

const statusAfterUpdate = sql`CASE WHEN done + failed >= total THEN (CASE WHEN failed >= total THEN 'failed' ELSE 'completed' END) ELSE 'running' END`;

/** Marks an item ingested and counts it, atomically; its payload is dropped. */
export async function markItemDone(db: Database, jobId: string, itemId: string): Promise<void> {
  await db.batch([
    db.update(ingestJobItems).set({ status: "done", payload: "" }).where(eq(ingestJobItems.id, itemId)),
    db.update(ingestJobs).set({ done: sql`done + 1`, updatedAt: Date.now() }).where(eq(ingestJobs.id, jobId)),
    db.update(ingestJobs).set({ status: statusAfterUpdate }).where(eq(ingestJobs.id, jobId)),
  ]);
}

/** Marks an item failed with its error and counts it, atomically. */
export async function markItemFailed(db: Database, jobId: string, itemId: string, source: string, message: string): Promise<void> {
  const error = JSON.stringify({ source, message });
  await db.batch([
    db.update(ingestJobItems).set({ status: "failed", error: message, payload: "" }).where(eq(ingestJobItems.id, itemId)),
    db
      .update(ingestJobs)
      .set({ failed: sql`failed + 1`, errors: sql`json_insert(errors, '$[#]', json(${error}))`, updatedAt: Date.now() })
      .where(eq(ingestJobs.id, jobId)),
    db.update(ingestJobs).set({ status: statusAfterUpdate }).where(eq(ingestJobs.id, jobId)),
  ]);
}

/** Deletes finished jobs (and their items) last updated before `beforeMs`; returns how many. */
export async function purgeFinishedJobs(db: Database, beforeMs: number): Promise<number> {
  const rows = await db
    .select({ id: ingestJobs.id })
    .from(ingestJobs)
    .where(and(sql`${ingestJobs.status} IN ('completed', 'failed')`, sql`${ingestJobs.updatedAt} < ${beforeMs}`))
    .orderBy(asc(ingestJobs.updatedAt))
    .limit(500)
    .all();
  if (rows.length === 0) return 0;
  const ids = JSON.stringify(rows.map((r) => r.id));
  await db.batch([
    db.delete(ingestJobItems).where(sql`${ingestJobItems.jobId} IN (SELECT value FROM json_each(${ids}))`),
    db.delete(ingestJobs).where(sql`${ingestJobs.id} IN (SELECT value FROM json_each(${ids}))`),
  ]);
  return rows.length;
}
