/**
 * The Tasks page's API calls over the typed client, and the answer types inferred from the
 * Worker's routes (worker/routes/tasks.ts; no copied types).
 */
import type { InferRequestType, InferResponseType } from "hono/client";
import { api, call } from "../../api/client";

/** One page of `GET /api/tasks`. */
export type TaskPage = InferResponseType<typeof api.api.tasks.$get, 200>;
/** A task as listed (no steps, no result). */
export type TaskSummary = TaskPage["tasks"][number];
/** `GET /api/tasks/:id`: the task with its steps and result. */
export type TaskDetail = InferResponseType<(typeof api.api.tasks)[":id"]["$get"], 200>;
/** Body of `POST /api/tasks`. */
export type NewTask = InferRequestType<typeof api.api.tasks.$post>["json"];

/** Statuses a task may still leave (the page polls such a task). */
export const OPEN_STATUSES = ["queued", "running"];

/** The newest tasks (20), optionally of one status. */
export function fetchTasks(status: string): Promise<TaskPage> {
  const query: { limit: string; status?: "queued" | "running" | "completed" | "failed" | "cancelled" } = { limit: "20" };
  if (status) query.status = status as NonNullable<typeof query.status>;
  return call(api.api.tasks.$get({ query }));
}

/** One task with its steps and result. */
export function fetchTask(id: string): Promise<TaskDetail> {
  return call(api.api.tasks[":id"].$get({ param: { id } }));
}

/** Creates a task; throws ApiRequestError (422 with details) for an invalid body. */
export function createTask(body: NewTask) {
  return call(api.api.tasks.$post({ json: body }));
}

/** Cancels a queued or running task; throws ApiRequestError 409 when it has finished. */
export function cancelTask(id: string) {
  return call(api.api.tasks[":id"].cancel.$post({ param: { id } }));
}
