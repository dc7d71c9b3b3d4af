/**
 * Tasks under `/api/tasks` (docs/tasks.md): create a research, analysis or code task (run by its
 * Workflow), list tasks, a task with its steps and result, and cancel a task. Everything is read
 * from D1; the Workflow writes it as it goes.
 */
import { Hono } from "hono";
import { database } from "../db/client";
import type { TaskRow, TaskStepRow } from "../db/tasks-schema";
import { iso } from "../db/time";
import type { Principal } from "../auth/principal";
import type { AppEnv } from "../http/context";
import { validate } from "../http/validate";
import { listSteps, listTasks } from "../storage/tasks";
import { CreateTaskSchema, ListTasksQuerySchema } from "../tasks/schemas";
import { cancelTask, createTask, visibleTask } from "../tasks/service";

/** The signed-in user of a request (a user or their API key), or null (open mode, the admin token). */
function userOf(principal: Principal | undefined): string | null {
  return principal?.userId ?? null;
}

/** A step as the API shows it; times are ISO 8601, `duration_ms` from its first start to its end (retry delays included). */
export function stepBody(s: TaskStepRow) {
  return {
    name: s.name, detail: s.detail, status: s.status, attempts: s.attempts, error: s.error,
    started_at: iso(s.startedAt), finished_at: iso(s.finishedAt), duration_ms: s.durationMs,
  };
}

/** A task as the API shows it: with its steps and result when given (the list leaves them out). */
export function taskBody(t: Omit<TaskRow, "result"> & { result?: TaskRow["result"] }, steps?: TaskStepRow[]) {
  return {
    id: t.id, type: t.type, description: t.description, scope: t.scope, depends_on: t.dependsOn, status: t.status, error: t.error,
    created_at: iso(t.createdAt), started_at: iso(t.startedAt), finished_at: iso(t.finishedAt),
    duration_ms: t.startedAt !== null && t.finishedAt !== null ? t.finishedAt - t.startedAt : null,
    ...(steps ? { steps: steps.map(stepBody) } : {}),
    ...(t.result !== undefined ? { result: t.result } : {}),
  };
}

/**
 * The `/api/tasks` sub-app: `POST /` (201, the queued task; 422 for an invalid body), `GET /`
 * (`{ tasks, page, limit, total }`), `GET /:id` (404 unknown) and `POST /:id/cancel` (404
 * unknown, 409 finished).
 */
export const tasksRoute = new Hono<AppEnv>()
  .post("/", validate("json", CreateTaskSchema), async (c) => {
    const task = await createTask(c.env, c.req.valid("json"), userOf(c.get("principal")));
    return c.json(taskBody(task, []), 201);
  })
  .get("/", validate("query", ListTasksQuerySchema), async (c) => {
    const { status, type, page, limit } = c.req.valid("query");
    const userId = userOf(c.get("principal")) ?? undefined;
    const { items, total } = await listTasks(database(c.env.DB), { status, type, userId, page, limit });
    return c.json({ tasks: items.map((t) => taskBody(t)), page, limit, total });
  })
  .get("/:id", async (c) => {
    const db = database(c.env.DB);
    const task = await visibleTask(db, c.req.param("id"), userOf(c.get("principal")));
    return c.json(taskBody(task, await listSteps(db, task.id)));
  })
  .post("/:id/cancel", async (c) => {
    const task = await cancelTask(c.env, c.req.param("id"), userOf(c.get("principal")));
    return c.json(taskBody(task, await listSteps(database(c.env.DB), task.id)));
  });
