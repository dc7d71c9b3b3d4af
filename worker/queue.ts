/** Queue consumer of bulk ingestion: one message per job item. */
import { providers } from "./config";
import { database } from "./db/client";
import { ApiError } from "./http/errors";
import { DocumentInputSchema, IngestMessageSchema } from "./schemas";
import { ingestDocument } from "./services/ingest";
import { markItemDone, markItemFailed, pendingItem } from "./storage/jobs";

/** Attempts before a transient failure is recorded as a failed item. */
const MAX_ATTEMPTS = 3;

/** Handles a batch of ingestion messages; malformed messages are acknowledged and logged. */
export async function handleIngestBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const parsed = IngestMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "warn", message: "malformed ingest message dropped", id: message.id }));
      message.ack();
      continue;
    }
    const { job_id, item_id } = parsed.data;
    const item = await pendingItem(db, job_id, item_id);
    if (!item) {
      message.ack(); // already processed (redelivery) or job purged
      continue;
    }
    let source = "(unknown)";
    try {
      const doc = DocumentInputSchema.parse(JSON.parse(item.payload));
      source = doc.source;
      await ingestDocument(env, providers(env), doc);
      await markItemDone(db, job_id, item_id);
      message.ack();
    } catch (e) {
      const permanent = e instanceof ApiError || e instanceof SyntaxError || (e as Error)?.name === "ZodError";
      if (!permanent && message.attempts < MAX_ATTEMPTS) {
        message.retry({ delaySeconds: 2 ** message.attempts });
        continue;
      }
      await markItemFailed(db, job_id, item_id, source, e instanceof Error ? e.message : String(e));
      message.ack();
    }
  }
}
