/**
 * Creating and cancelling tasks (the API's side; the Workflow does the work, ./workflow.ts).
 */
import { database, type Database } from "../db/client";
import type { TaskRow } from "../db/tasks-schema";
import { ApiError } from "../http/errors";
import { deployedEnv } from "../config-versions/deployed";
import { assertWithinDailyCaps } from "../services/model-quota";
import { cancelTaskRow, documentRefs, domainDocuments, failTask, getTask, getTasks, insertTask, taskVisibleTo } from "../storage/tasks";
import { notifyDependents } from "./dependencies";
import type { CreateTaskInput } from "./schemas";
import { FINAL_STATUSES } from "./types";

/**
 * Creates a task (status queued) owned by `userId` and starts its Workflow instance, whose id is
 * the task's id.
 *
 * @param userId The authenticated user (null without one): the task's owner, whose daily model
 *   caps its model calls count against.
 * @returns The stored task.
 * @throws QuotaExceededError (429) when a daily model cap of the user is reached; ApiError 422 when
 *   a dependency does not exist (or is another user's), a named document does not exist, or an
 *   analysis' domain has no documents; Error when the Workflow could not be started (the task is
 *   then stored as failed).
 */
export async function createTask(env: Env, input: CreateTaskInput, userId: string | null = null): Promise<TaskRow> {
  const db = database(env.DB);
  await assertWithinDailyCaps(await deployedEnv(env), { userId, sessionId: null });
  const dependsOn = input.depends_on ?? [];
  const details: { path: string; message: string }[] = [];
  if (dependsOn.length) {
    const found = await getTasks(db, dependsOn);
    const unknown = dependsOn.filter((id) => !found.has(id) || !taskVisibleTo(found.get(id)!, userId));
    if (unknown.length) details.push({ path: "depends_on", message: `unknown tasks: ${unknown.join(", ")}` });
  }
  const scope = input.scope ?? null;
  if (input.type === "analysis" && scope) {
    if ("document_ids" in scope) {
      const found = await documentRefs(db, scope.document_ids);
      const unknown = scope.document_ids.filter((id) => !found.has(id));
      if (unknown.length) details.push({ path: "scope.document_ids", message: `unknown documents: ${unknown.join(", ")}` });
    } else if ((await domainDocuments(db, scope.domain, 1)).length === 0) {
      details.push({ path: "scope.domain", message: `the domain "${scope.domain}" has no documents` });
    }
  }
  if (details.length) throw new ApiError(422, "invalid_request", "Invalid request body", details);

  const id = crypto.randomUUID();
  await insertTask(db, { id, type: input.type, description: input.description, scope, dependsOn, createdAt: Date.now(), userId });
  try {
    await env.TASK_WORKFLOW.create({ id, params: { task_id: id } });
  } catch (e) {
    await failTask(db, id, `could not start the task's workflow: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  return (await getTask(db, id))!;
}

/**
 * The task `id` as `userId` may see it ({@link taskVisibleTo}; null: a caller without a user).
 *
 * @throws ApiError 404 `not_found` for an unknown task, or another user's (as if it did not exist).
 */
export async function visibleTask(db: Database, id: string, userId: string | null): Promise<TaskRow> {
  const task = await getTask(db, id);
  if (!task || !taskVisibleTo(task, userId)) throw new ApiError(404, "not_found", "Task not found");
  return task;
}

/**
 * Cancels a queued or running task: its row and unfinished steps become cancelled, its Workflow
 * instance is terminated, and the tasks that wait for it are woken (they then fail).
 *
 * @param userId The caller's user (null without one): another user's task is not found.
 * @returns The cancelled task.
 * @throws ApiError 404 for an unknown task (or another user's), 409 when it has already finished.
 */
export async function cancelTask(env: Env, id: string, userId: string | null = null): Promise<TaskRow> {
  const db = database(env.DB);
  const task = await visibleTask(db, id, userId);
  if (FINAL_STATUSES.includes(task.status) || !(await cancelTaskRow(db, id))) {
    const now = (await getTask(db, id)) ?? task;
    throw new ApiError(409, "conflict", `Task is already ${now.status}`);
  }
  try {
    await (await env.TASK_WORKFLOW.get(id)).terminate();
  } catch (e) {
    // Already finished (it found the task cancelled) or never started: nothing left to stop.
    console.error(JSON.stringify({ level: "warn", message: "could not terminate a task's workflow", task_id: id, error: e instanceof Error ? e.message : String(e) }));
  }
  await notifyDependents(env, id);
  return (await getTask(db, id))!;
}
