/**
 * Types shared by the task Workflow, its storage and its API (docs/tasks.md). Plain JSON: step
 * outputs of a Workflow must be serialisable, and results are stored in D1 as JSON.
 */

/** What a task does: a cited research report, an analysis of chosen documents, or a code example. */
export type TaskType = "research" | "analysis" | "code";

/** The task types, in the order the API lists them. */
export const TASK_TYPES = ["research", "analysis", "code"] as const satisfies readonly TaskType[];

/** Lifecycle of a task: queued → running → completed | failed, or cancelled from queued or running. */
export type TaskStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** The statuses, in lifecycle order. */
export const TASK_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const satisfies readonly TaskStatus[];

/** Statuses a task never leaves. */
export const FINAL_STATUSES: readonly TaskStatus[] = ["completed", "failed", "cancelled"];

/**
 * Status of one step: `running` (an attempt is under way), `retrying` (an attempt failed and the
 * Workflow will try again), `completed`, `failed` (its last attempt failed, and the task with it)
 * or `cancelled` (the task was cancelled while the step ran).
 */
export type TaskStepStatus = "running" | "retrying" | "completed" | "failed" | "cancelled";

/**
 * What a task works on: the documents of one domain, or named documents (analysis only); null =
 * the whole knowledge base (research and code).
 */
export type TaskScope = { domain: string } | { document_ids: string[] };

/** A source of a task's report; a citation `[n]` in the report refers to the source whose index is n. */
export interface TaskSource {
  /** 1-based, in the order of the report's sources list. */
  index: number;
  title: string;
  /** The document's source path (or a web result's URL). */
  source: string;
  /** Heading path of the cited section ("Page title > Section"). */
  heading: string;
  /** The start of the cited text (at most 300 characters). */
  snippet: string;
  chunk_id?: string;
  document_id?: string;
  /** Set for a web result (then `url` is its address). */
  web?: true;
  url?: string;
}

/** The outcome of a completed task. */
export interface TaskResult {
  /** The report, in Markdown: a title, a summary, sections and the sources list; cited with `[n]`. */
  report: string;
  sources: TaskSource[];
}

/** A completed dependency's result as context of the task that waited for it. */
export interface DependencyContext {
  task_id: string;
  type: TaskType;
  description: string;
  result: TaskResult;
}

/** Parameters of a task's Workflow instance (whose id is the task's id). */
export interface TaskParams {
  task_id: string;
}
