/**
 * Bulk ingestion jobs in D1. A job's documents wait in `ingest_job_items`; queue messages carry
 * only item ids. Counters are updated with single UPDATE statements so concurrent consumers
 * never lose an increment.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { ingestJobItems, ingestJobs } from "../db/schema";
import type { DocumentInput, JobStatus } from "../schemas";

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

/**
 * Payloads up to this many characters are read with the batch's item query; larger ones (up to
 * MAX_DOCUMENT_BYTES) are read and ingested one at a time, to bound the consumer's memory.
 */
export const INLINE_PAYLOAD_CHARS = 256 * 1024;

/** How one job item ended. */
export type ItemOutcome =
  | { jobId: string; itemId: string; status: "done" }
  | { jobId: string; itemId: string; status: "failed"; source: string; message: string };

/** Pending items among `ids`, with their payload when it is at most INLINE_PAYLOAD_CHARS long. */
export async function pendingItems(db: Database, ids: string[]) {
  return db
    .select({
      id: ingestJobItems.id,
      jobId: ingestJobItems.jobId,
      payload: sql<string | null>`CASE WHEN length(${ingestJobItems.payload}) <= ${INLINE_PAYLOAD_CHARS} THEN ${ingestJobItems.payload} END`,
    })
    .from(ingestJobItems)
    .where(and(inArray(ingestJobItems.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`), eq(ingestJobItems.status, "pending")))
    .all();
}

const statusAfterRecount = sql`CASE WHEN done + failed >= total THEN (CASE WHEN failed >= total THEN 'failed' ELSE 'completed' END) ELSE 'running' END`;

/**
 * Records the outcome of finished items in one D1 batch (one transaction): item statuses (payloads
 * dropped), job errors, then each job's counters recounted from its items (exact even when a
 * redelivered message was processed twice) and its status.
 */
export async function recordItemOutcomes(db: Database, finished: readonly ItemOutcome[]): Promise<void> {
  if (finished.length === 0) return;
  const now = Date.now();
  const statements: BatchItem<"sqlite">[] = [];
  const done = finished.filter((f) => f.status === "done").map((f) => f.itemId);
  if (done.length > 0) {
    statements.push(
      db
        .update(ingestJobItems)
        .set({ status: "done", payload: "" })
        .where(and(inArray(ingestJobItems.id, sql`(SELECT value FROM json_each(${JSON.stringify(done)}))`), eq(ingestJobItems.status, "pending"))),
    );
  }
  for (const f of finished) {
    if (f.status !== "failed") continue;
    const error = JSON.stringify({ source: f.source, message: f.message });
    statements.push(
      db.update(ingestJobItems).set({ status: "failed", error: f.message, payload: "" }).where(eq(ingestJobItems.id, f.itemId)),
      db.update(ingestJobs).set({ errors: sql`json_insert(errors, '$[#]', json(${error}))` }).where(eq(ingestJobs.id, f.jobId)),
    );
  }
  for (const jobId of new Set(finished.map((f) => f.jobId))) {
    const counted = (status: "done" | "failed") =>
      sql`(SELECT count(*) FROM ${ingestJobItems} WHERE ${ingestJobItems.jobId} = ${jobId} AND ${ingestJobItems.status} = ${status})`;
    statements.push(
      db.update(ingestJobs).set({ done: counted("done"), failed: counted("failed"), updatedAt: now }).where(eq(ingestJobs.id, jobId)),
      db.update(ingestJobs).set({ status: statusAfterRecount }).where(eq(ingestJobs.id, jobId)),
    );
  }
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
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
