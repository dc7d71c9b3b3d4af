/**
 * Tasks and their steps in D1 (`migrations/0012_tasks.sql`, docs/tasks.md). The API reads them;
 * the task's Workflow writes them as it goes. Every write that moves a task is conditional on the
 * task not being finished, so a cancelled task stays cancelled whatever its Workflow was doing.
 */
import { and, asc, count, desc, eq, getTableColumns, inArray, isNull, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { tasks, taskSteps, type TaskRow, type TaskStepRow } from "../db/tasks-schema";
import type { TaskResult, TaskScope, TaskStatus, TaskStepStatus, TaskType } from "../tasks/types";

/** Statuses in which a task may still change. */
const OPEN: TaskStatus[] = ["queued", "running"];
/** Characters of an error message kept. */
const ERROR_CHARS = 1000;

const clip = (message: string) => (message.length <= ERROR_CHARS ? message : message.slice(0, ERROR_CHARS - 1) + "…");

/** A new task, as {@link insertTask} stores it (status queued). */
export interface NewTask {
  id: string;
  type: TaskType;
  description: string;
  scope: TaskScope | null;
  dependsOn: string[];
  createdAt: number;
  /** The creator's user id, or null (no user: open mode, the admin token). */
  userId: string | null;
}

/** Stores a new task with status queued. */
export async function insertTask(db: Database, t: NewTask): Promise<void> {
  await db.insert(tasks).values({ ...t, status: "queued", updatedAt: t.createdAt });
}

/**
 * Whether the user `userId` may see and cancel `task`: its creator, anyone for an unowned task
 * (created without a user), and callers without a user (AUTH_MODE=open, the ADMIN_TOKEN) always.
 */
export function taskVisibleTo(task: Pick<TaskRow, "userId">, userId: string | null): boolean {
  return userId === null || task.userId === null || task.userId === userId;
}

/** The task, or undefined. */
export async function getTask(db: Database, id: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(eq(tasks.id, id)).get();
}

/** The tasks among `ids` that exist, keyed by id. */
export async function getTasks(db: Database, ids: readonly string[]): Promise<Map<string, TaskRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(tasks).where(inArray(tasks.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`)).all();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Tasks, newest first, optionally of one status and type, and those a user may see (`userId`: that
 * user's and the unowned ones, as {@link taskVisibleTo}; absent: all), without their results.
 */
export async function listTasks(
  db: Database,
  opts: { status?: TaskStatus; type?: TaskType; userId?: string; page: number; limit: number },
): Promise<{ items: Omit<TaskRow, "result">[]; total: number }> {
  const where = and(
    opts.status ? eq(tasks.status, opts.status) : undefined,
    opts.type ? eq(tasks.type, opts.type) : undefined,
    opts.userId !== undefined ? or(eq(tasks.userId, opts.userId), isNull(tasks.userId)) : undefined,
  );
  const { result: _result, ...columns } = getTableColumns(tasks);
  const [items, totals] = await Promise.all([
    db.select(columns).from(tasks).where(where).orderBy(desc(tasks.createdAt), desc(tasks.id)).limit(opts.limit).offset((opts.page - 1) * opts.limit).all(),
    db.select({ n: count() }).from(tasks).where(where).get(),
  ]);
  return { items, total: totals?.n ?? 0 };
}

/** The steps of a task, in the order they first started. */
export async function listSteps(db: Database, taskId: string): Promise<TaskStepRow[]> {
  return db.select().from(taskSteps).where(eq(taskSteps.taskId, taskId)).orderBy(asc(taskSteps.position)).all();
}

/**
 * A task without its result, and its steps in order, read in one D1 round trip (the progress
 * channel polls it, worker/routes/task-progress.ts); task undefined when it does not exist.
 */
export async function taskProgress(db: Database, id: string): Promise<{ task: Omit<TaskRow, "result"> | undefined; steps: TaskStepRow[] }> {
  const { result: _result, ...columns } = getTableColumns(tasks);
  const [rows, steps] = await db.batch([
    db.select(columns).from(tasks).where(eq(tasks.id, id)),
    db.select().from(taskSteps).where(eq(taskSteps.taskId, id)).orderBy(asc(taskSteps.position)),
  ]);
  return { task: rows[0], steps };
}

/** Tasks per type and status (for the agents' load and counts). */
export async function taskCounts(db: Database): Promise<{ type: TaskType; status: TaskStatus; n: number }[]> {
  return db.select({ type: tasks.type, status: tasks.status, n: count() }).from(tasks).groupBy(tasks.type, tasks.status).all();
}

/** Ids of the unfinished tasks that wait for `taskId`. */
export async function dependentsOf(db: Database, taskId: string): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`
    SELECT t.id AS id FROM tasks t, json_each(t.depends_on) d
    WHERE t.status IN ('queued', 'running') AND d.value = ${taskId}`);
  return rows.map((r) => r.id);
}

/** Marks a queued task as running; returns false when it is not queued (cancelled meanwhile, or already running). */
export async function markTaskRunning(db: Database, id: string, now = Date.now()): Promise<boolean> {
  const r = await db
    .update(tasks)
    .set({ status: "running", startedAt: now, updatedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued")))
    .returning({ id: tasks.id });
  return r.length > 0;
}

/**
 * Stores the result of a running task and completes it, with its last step (`step`, which
 * produced the result) completed in the same transaction. Returns false when the task was no
 * longer running (nothing is written then).
 */
export async function completeTask(db: Database, id: string, result: TaskResult, step: string, now = Date.now()): Promise<boolean> {
  const [, completed] = await db.batch([
    db
      .update(taskSteps)
      .set({ status: "completed", error: null, finishedAt: now, durationMs: sql`${now} - ${taskSteps.startedAt}` })
      .where(and(eq(taskSteps.taskId, id), eq(taskSteps.name, step), sql`EXISTS (SELECT 1 FROM tasks WHERE id = ${id} AND status = 'running')`)),
    db
      .update(tasks)
      .set({ status: "completed", result, error: null, finishedAt: now, updatedAt: now })
      .where(and(eq(tasks.id, id), eq(tasks.status, "running")))
      .returning({ id: tasks.id }),
  ]);
  return completed.length > 0;
}

/** Fails an unfinished task with `message`; returns false when it had already finished. */
export async function failTask(db: Database, id: string, message: string, now = Date.now()): Promise<boolean> {
  const r = await db
    .update(tasks)
    .set({ status: "failed", error: clip(message), finishedAt: now, updatedAt: now })
    .where(and(eq(tasks.id, id), inArray(tasks.status, OPEN)))
    .returning({ id: tasks.id });
  return r.length > 0;
}

/**
 * Cancels an unfinished task and marks its unfinished steps cancelled, in one transaction.
 * Returns false when the task had already finished (or does not exist).
 */
export async function cancelTaskRow(db: Database, id: string, now = Date.now()): Promise<boolean> {
  const [cancelled] = await db.batch([
    db
      .update(tasks)
      .set({ status: "cancelled", error: "Cancelled on request", finishedAt: now, updatedAt: now })
      .where(and(eq(tasks.id, id), inArray(tasks.status, OPEN)))
      .returning({ id: tasks.id }),
    db
      .update(taskSteps)
      .set({ status: "cancelled", finishedAt: now, durationMs: sql`${now} - ${taskSteps.startedAt}` })
      .where(and(eq(taskSteps.taskId, id), inArray(taskSteps.status, ["running", "retrying"]), sql`EXISTS (SELECT 1 FROM tasks WHERE id = ${id} AND status = 'cancelled')`)),
  ]);
  return cancelled.length > 0;
}

/** Only while the task is unfinished: a step of a finished task is not written any more. */
const taskOpen = (taskId: string) => sql`EXISTS (SELECT 1 FROM tasks WHERE id = ${taskId} AND status IN ('queued', 'running'))`;

/**
 * Records the start of an attempt of a step (attempt 1-based): the row is created on the first
 * attempt (at the end of the task's step order) and set running with the attempt count on later
 * ones. No-op when the task has finished.
 */
export async function stepStarted(db: Database, taskId: string, name: string, detail: string | null, attempt: number, now = Date.now()): Promise<void> {
  await db.run(sql`
    INSERT INTO task_steps (task_id, name, position, detail, status, attempts, started_at)
    SELECT ${taskId}, ${name}, (SELECT COALESCE(MAX(position), -1) + 1 FROM task_steps WHERE task_id = ${taskId}), ${detail}, 'running', ${attempt}, ${now}
    WHERE ${taskOpen(taskId)}
    ON CONFLICT (task_id, name) DO UPDATE SET status = 'running', attempts = excluded.attempts, finished_at = NULL, duration_ms = NULL`);
}

/** Records a step's end: completed (error cleared), or `retrying` / `failed` with the attempt's error. No-op when the task has finished. */
export async function stepFinished(
  db: Database, taskId: string, name: string, status: Extract<TaskStepStatus, "completed" | "retrying" | "failed">, error: string | null = null, now = Date.now(),
): Promise<void> {
  const final = status !== "retrying";
  await db
    .update(taskSteps)
    .set({
      status,
      error: error === null ? null : clip(error),
      finishedAt: final ? now : null,
      durationMs: final ? sql`${now} - ${taskSteps.startedAt}` : null,
    })
    .where(and(eq(taskSteps.taskId, taskId), eq(taskSteps.name, name), taskOpen(taskId)));
}

/** Sets a step's detail (e.g. the progress of a wait). No-op when the task has finished. */
export async function stepDetail(db: Database, taskId: string, name: string, detail: string): Promise<void> {
  await db.update(taskSteps).set({ detail }).where(and(eq(taskSteps.taskId, taskId), eq(taskSteps.name, name), taskOpen(taskId)));
}

/** A document a task works on. */
export interface TaskDocumentRef {
  id: string;
  title: string;
  source: string;
  domain: string | null;
}

/** The documents among `ids` that exist, keyed by id. */
export async function documentRefs(db: Database, ids: readonly string[]): Promise<Map<string, TaskDocumentRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<TaskDocumentRef>(sql`
    SELECT id, title, source, domain FROM documents WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The most recently updated documents of a domain (at most `limit`). */
export async function domainDocuments(db: Database, domain: string, limit: number): Promise<TaskDocumentRef[]> {
  return db.all<TaskDocumentRef>(sql`
    SELECT id, title, source, domain FROM documents WHERE domain = ${domain} ORDER BY updated_at DESC, id LIMIT ${limit}`);
}
