/**
 * Recovery of tasks whose Workflow stopped with the runtime (docs/tasks.md, "Failures and
 * restarts"). On Cloudflare the Workflows engine resumes an instance by itself after an eviction
 * or a restart. The local engine of `wrangler dev` (Miniflare) does not: after the dev server is
 * restarted on the same `--persist-to` folder, an instance that was running still reports
 * `running`, but nothing runs it until something calls into it, and its task stays `running` in
 * D1 for ever. Sending the instance an event wakes it: the engine replays `run` from its recorded
 * steps (completed steps are not run again; the step that was under way runs again).
 *
 * The Worker has no start-up hook, so {@link resumeTasksOnce} runs one pass in the background on
 * the first request an isolate serves (after a restart of `wrangler dev`, its first request).
 */
import type { MiddlewareHandler } from "hono";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { failTask, listTasks } from "../storage/tasks";
import { notifyDependents } from "./dependencies";
import { errorMessage } from "./errors";

/** Type of the event that wakes a stalled instance; the Workflow never waits for it, so a live instance ignores it. */
export const WAKE_EVENT = "wake";

/** Open tasks looked at per pass: the newest 100 running and the newest 100 queued. */
const PASS_LIMIT = 100;

/** What one recovery pass did, by task id. */
export interface RecoveryReport {
  /** Tasks whose instance was sent the wake event (it resumes if it had stalled). */
  woken: string[];
  /** Tasks failed because their instance had ended (errored, terminated, complete) while the task was still open. */
  failed: string[];
  /** Tasks left alone: a paused instance, or one that could not be reached (see the log). */
  skipped: string[];
}

/**
 * One recovery pass over the queued and running tasks created before it (at most {@link PASS_LIMIT}
 * of each status): an
 * instance that reports queued, running or waiting gets a {@link WAKE_EVENT} (harmless when it is
 * live); an instance that has ended while its task is open fails the task with a message naming
 * the instance's status; a paused instance, or an instance that cannot be read (e.g. missing), is
 * skipped and logged.
 *
 * @param env The Worker's bindings (DB, TASK_WORKFLOW).
 * @returns The task ids by outcome. Never throws for one task; a D1 failure of the listing throws.
 */
export async function resumeOpenTasks(env: Env): Promise<RecoveryReport> {
  // Only tasks created before the pass: a task this isolate is creating right now has a live
  // instance, and the local engine may start an instance twice when an event reaches it while it starts.
  const passStart = Date.now();
  const db = database(env.DB);
  const report: RecoveryReport = { woken: [], failed: [], skipped: [] };
  const open = [
    ...(await listTasks(db, { status: "running", page: 1, limit: PASS_LIMIT })).items,
    ...(await listTasks(db, { status: "queued", page: 1, limit: PASS_LIMIT })).items,
  ].filter((t) => t.createdAt < passStart);
  for (const task of open) {
    try {
      const instance = await env.TASK_WORKFLOW.get(task.id);
      const { status } = await instance.status();
      if (status === "queued" || status === "running" || status === "waiting" || status === "unknown") {
        await instance.sendEvent({ type: WAKE_EVENT, payload: { reason: "recovery" } });
        report.woken.push(task.id);
      } else if (status === "errored" || status === "terminated" || status === "complete") {
        if (await failTask(db, task.id, `The task's workflow ended (${status}) without finishing the task`)) {
          await notifyDependents(env, task.id);
          report.failed.push(task.id);
        } else report.skipped.push(task.id);
      } else report.skipped.push(task.id);
    } catch (e) {
      report.skipped.push(task.id);
      console.error(JSON.stringify({ level: "warn", message: "could not recover a task's workflow", task_id: task.id, error: errorMessage(e) }));
    }
  }
  if (report.woken.length || report.failed.length) {
    console.log(JSON.stringify({ level: "info", message: "task recovery pass", woken: report.woken.length, failed: report.failed.length, skipped: report.skipped.length }));
  }
  return report;
}

/** Whether this isolate has started its recovery pass. */
let started = false;

/**
 * Middleware: on the first request of the isolate, runs {@link resumeOpenTasks} in the
 * background (`waitUntil`), so that the request is not delayed; later requests do nothing. A
 * failing pass is logged.
 */
export function resumeTasksOnce(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!started) {
      started = true;
      const pass = resumeOpenTasks(c.env).catch((e) =>
        console.error(JSON.stringify({ level: "error", message: "task recovery pass failed", error: errorMessage(e) })));
      try {
        c.executionCtx.waitUntil(pass);
      } catch {
        // no execution context (not a Worker request): the pass runs on its own
      }
    }
    await next();
  };
}
