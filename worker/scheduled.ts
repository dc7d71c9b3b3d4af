/** Cron Trigger: housekeeping of finished ingestion jobs and of the lexical indexes. */
import { database } from "./db/client";
import { purgeFinishedJobs } from "./storage/jobs";
import { compactLexicalIndexes } from "./storage/lexical";

/** Finished jobs are kept this long, in ms (7 days). */
export const JOB_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Runs every 15 minutes (wrangler.toml): purges finished ingestion jobs older than
 * {@link JOB_RETENTION_MS} and merges the FTS5 indexes' segments ({@link compactLexicalIndexes}),
 * then logs one JSON line with what it did.
 */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const purged = await purgeFinishedJobs(database(env.DB), controller.scheduledTime - JOB_RETENTION_MS);
  const compaction = (await compactLexicalIndexes(env.DB)).map((c) => ({ index: c.index, segments_before: c.segmentsBefore, segments_after: c.segmentsAfter, steps: c.steps }));
  console.log(JSON.stringify({ level: "info", event: "scheduled", cron: controller.cron, purged_jobs: purged, lexical_indexes: compaction }));
}
