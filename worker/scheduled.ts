/**
 * Cron Triggers: housekeeping of finished ingestion jobs and of the lexical indexes (every 15
 * minutes), and the scheduled evaluation of the quality loop (daily).
 */
import { database } from "./db/client";
import { ApiError } from "./http/errors";
import { startEvaluationRun } from "./monitoring/runs";
import { purgeFinishedJobs } from "./storage/jobs";
import { compactLexicalIndexes } from "./storage/lexical";

/** Finished jobs are kept this long, in ms (7 days). */
export const JOB_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The cron expression of the scheduled evaluation (wrangler.toml [triggers]): daily at 03:00 UTC. */
export const EVALUATION_CRON = "0 3 * * *";

/**
 * The scheduled evaluation: a run of the evaluation set's test split over every corpus of it that
 * the knowledge base holds, through the queue (its alerts are evaluated when it completes). With
 * none of those corpora ingested there is nothing to evaluate: logged as skipped.
 */
async function scheduledEvaluation(env: Env): Promise<{ run_id: string; total: number } | { skipped: string }> {
  try {
    const run = await startEvaluationRun(env, { dataset: "test", trigger: "cron" });
    return { run_id: run.id, total: run.total };
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) return { skipped: e.message };
    throw e;
  }
}

/**
 * The daily trigger ({@link EVALUATION_CRON}) starts the scheduled evaluation; every other trigger
 * (every 15 minutes, wrangler.toml) purges finished ingestion jobs older than
 * {@link JOB_RETENTION_MS} and merges the FTS5 indexes' segments ({@link compactLexicalIndexes}),
 * then logs one JSON line with what it did.
 */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  if (controller.cron === EVALUATION_CRON) {
    console.log(JSON.stringify({ level: "info", event: "scheduled", cron: controller.cron, evaluation: await scheduledEvaluation(env) }));
    return;
  }
  const purged = await purgeFinishedJobs(database(env.DB), controller.scheduledTime - JOB_RETENTION_MS);
  const compaction = (await compactLexicalIndexes(env.DB)).map((c) => ({ index: c.index, segments_before: c.segmentsBefore, segments_after: c.segmentsAfter, steps: c.steps }));
  console.log(JSON.stringify({ level: "info", event: "scheduled", cron: controller.cron, purged_jobs: purged, lexical_indexes: compaction }));
}
