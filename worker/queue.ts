/**
 * Queue consumer of bulk ingestion: one message per job item, a batch of messages ingested
 * together. Per batch: one D1 query loads the pending items, {@link ingestDocuments} embeds and
 * stores the documents in groups (one lookup, one vector upsert and one D1 transaction per group),
 * and one D1 batch records every item's outcome and the jobs' counters. A document that fails is
 * recorded as failed (or retried, when the error may be transient) without affecting the others.
 */
import { eq } from "drizzle-orm";
import { providers } from "./config";
import { deployedEnv } from "./config-versions/deployed";
import { database } from "./db/client";
import { ingestJobItems } from "./db/schema";
import { ApiError } from "./http/errors";
import { DocumentInputSchema, IngestMessageSchema, type DocumentInput } from "./schemas";
import { ingestDocuments, type IngestOutcome } from "./services/ingest";
import { pendingItems, recordItemOutcomes, type ItemOutcome } from "./storage/jobs";

/** Attempts before a transient failure is recorded as a failed item. */
const MAX_ATTEMPTS = 3;

/** One message's item, once its payload is read. */
interface WorkItem {
  message: Message<unknown>;
  jobId: string;
  itemId: string;
  /** The payload when read with the batch query; null for a large payload read on its own. */
  payload: string | null;
}

/** How an item ended in this batch. */
type Finished = { item: WorkItem; status: "done" } | { item: WorkItem; status: "failed"; source: string; message: string };

const isPermanent = (e: unknown) => e instanceof ApiError || e instanceof SyntaxError || (e as Error)?.name === "ZodError";
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Parses a payload into a document; a malformed payload is a permanent failure. */
function parsePayload(payload: string): { ok: true; doc: DocumentInput } | { ok: false; error: unknown } {
  try {
    return { ok: true, doc: DocumentInputSchema.parse(JSON.parse(payload)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Handles a batch of ingestion messages; malformed and already-processed messages are acknowledged. */
export async function handleIngestBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = database(env.DB);
  const requested: { message: Message<unknown>; jobId: string; itemId: string }[] = [];
  for (const message of batch.messages) {
    const parsed = IngestMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "warn", message: "malformed ingest message dropped", id: message.id }));
      message.ack();
      continue;
    }
    requested.push({ message, jobId: parsed.data.job_id, itemId: parsed.data.item_id });
  }
  if (requested.length === 0) return;

  const rows = new Map((await pendingItems(db, [...new Set(requested.map((r) => r.itemId))])).map((r) => [r.id, r]));
  const work: WorkItem[] = [];
  const taken = new Set<string>();
  for (const r of requested) {
    const row = rows.get(r.itemId);
    // Unknown, already processed (redelivery), purged, or a duplicate within this batch.
    if (!row || row.jobId !== r.jobId || taken.has(r.itemId)) {
      r.message.ack();
      continue;
    }
    taken.add(r.itemId);
    work.push({ ...r, payload: row.payload });
  }
  if (work.length === 0) return;

  // The production config version's tunables (chunking of new ingestions); the vars when D1 fails.
  const p = providers(await deployedEnv(env));
  const finished: Finished[] = [];
  const retry: WorkItem[] = [];
  const settle = (item: WorkItem, source: string, outcome: IngestOutcome) => {
    if (outcome.ok) finished.push({ item, status: "done" });
    else if (!isPermanent(outcome.error) && item.message.attempts < MAX_ATTEMPTS) retry.push(item);
    else finished.push({ item, status: "failed", source, message: messageOf(outcome.error) });
  };

  /** Ingests items whose payloads are in hand, together. */
  const ingest = async (items: { item: WorkItem; payload: string }[]) => {
    const docs: { item: WorkItem; doc: DocumentInput }[] = [];
    for (const { item, payload } of items) {
      const parsed = parsePayload(payload);
      if (parsed.ok) docs.push({ item, doc: parsed.doc });
      else settle(item, "(unknown)", parsed);
    }
    if (docs.length === 0) return;
    const outcomes = await ingestDocuments(env, p, docs.map((d) => d.doc));
    docs.forEach((d, i) => settle(d.item, d.doc.source, outcomes[i]));
  };

  await ingest(work.filter((w) => w.payload !== null).map((item) => ({ item, payload: item.payload! })));
  for (const item of work.filter((w) => w.payload === null)) {
    const row = await db.select({ payload: ingestJobItems.payload }).from(ingestJobItems).where(eq(ingestJobItems.id, item.itemId)).get();
    if (row) await ingest([{ item, payload: row.payload }]);
    else item.message.ack(); // purged meanwhile
  }

  await recordItemOutcomes(db, finished.map((f): ItemOutcome => (f.status === "done"
    ? { jobId: f.item.jobId, itemId: f.item.itemId, status: "done" }
    : { jobId: f.item.jobId, itemId: f.item.itemId, status: "failed", source: f.source, message: f.message })));
  for (const f of finished) f.item.message.ack();
  for (const item of retry) item.message.retry({ delaySeconds: 2 ** item.message.attempts });
}
