/** Cron Trigger: housekeeping of finished ingestion jobs. */
import { database } from "./db/client";
import { purgeFinishedJobs } from "./storage/jobs";

/** Finished jobs are kept this long, in ms (7 days). */
export const JOB_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const purged = await purgeFinishedJobs(database(env.DB), controller.scheduledTime - JOB_RETENTION_MS);
  console.log(JSON.stringify({ level: "info", event: "scheduled", cron: controller.cron, purged_jobs: purged }));
}
