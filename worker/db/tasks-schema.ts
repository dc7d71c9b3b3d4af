/**
 * drizzle-orm schema of the task tables (`migrations/0012_tasks.sql`, docs/tasks.md): a task row
 * per research, analysis or code task, and its steps. Timestamps are epoch ms.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { TaskResult, TaskScope, TaskStatus, TaskStepStatus, TaskType } from "../tasks/types";

/** One row per task: its request, status, result (JSON) or error, and times. */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    type: text("type", { enum: ["research", "analysis", "code"] }).$type<TaskType>().notNull(),
    description: text("description").notNull(),
    scope: text("scope", { mode: "json" }).$type<TaskScope | null>(),
    dependsOn: text("depends_on", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: ["queued", "running", "completed", "failed", "cancelled"] }).$type<TaskStatus>().notNull(),
    result: text("result", { mode: "json" }).$type<TaskResult | null>(),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    updatedAt: integer("updated_at").notNull(),
    /** The user who created the task (`migrations/0018_task_owners.sql`), null without one. */
    userId: text("user_id"),
  },
  (t) => [index("tasks_created_idx").on(t.createdAt), index("tasks_status_idx").on(t.status, t.createdAt), index("tasks_user_idx").on(t.userId, t.createdAt)],
);
/** A task as stored. */
export type TaskRow = typeof tasks.$inferSelect;

/** One row per step of a task (primary key task and step name), updated on every attempt. */
export const taskSteps = sqliteTable(
  "task_steps",
  {
    taskId: text("task_id").notNull().references(() => tasks.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    detail: text("detail"),
    status: text("status", { enum: ["running", "retrying", "completed", "failed", "cancelled"] }).$type<TaskStepStatus>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    durationMs: integer("duration_ms"),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.name] })],
);
/** A step as stored. */
export type TaskStepRow = typeof taskSteps.$inferSelect;
