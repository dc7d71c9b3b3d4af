/** `/api/ingest/jobs`: bulk ingestion through the queue, and job progress. */
import { Hono } from "hono";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { IngestJobRequestSchema, type IngestMessage } from "../schemas";
import { createJob, getJob } from "../storage/jobs";

/** Messages per `sendBatch` call (the Queues limit is 100). */
const SEND_BATCH = 100;

export const ingestRoute = new Hono<AppEnv>()
  .post("/jobs", validate("json", IngestJobRequestSchema), async (c) => {
    const { documents } = c.req.valid("json");
    const db = database(c.env.DB);
    const { id, itemIds } = await createJob(db, documents);
    const messages = itemIds.map((item_id) => ({ body: { job_id: id, item_id } satisfies IngestMessage }));
    for (let i = 0; i < messages.length; i += SEND_BATCH) {
      await c.env.INGEST_QUEUE.sendBatch(messages.slice(i, i + SEND_BATCH));
    }
    return c.json(await getJob(db, id), 202);
  })
  .get("/jobs/:id", async (c) => {
    const job = await getJob(database(c.env.DB), c.req.param("id"));
    if (!job) throw new ApiError(404, "not_found", "Ingestion job not found");
    return c.json(job);
  });
