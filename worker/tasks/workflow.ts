/**
 * The task Workflow (docs/tasks.md): one instance per task, whose id is the task's id. It waits
 * for the task's dependencies, runs the steps of its type as `step.do` steps (retried with
 * exponential backoff when they throw, e.g. on a provider error), writes each step's status and
 * attempts to D1 as it goes, and stores the result (or the error) in the task's row, then wakes
 * the tasks that wait for it. Cancellation terminates the instance (./service.ts).
 *
 * Code outside `step.do` runs again whenever the engine replays the instance (after a restart, a
 * pause or a hibernation), so every read and write of D1 happens inside a step.
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import { database } from "../db/client";
import { completeTask, failTask, getTask, markTaskRunning, stepDetail, stepFinished, stepStarted } from "../storage/tasks";
import { digestDocument, selectDocuments } from "./analysis";
import { exampleAsPart } from "./code-blocks";
import { chooseExamples, searchCode } from "./code";
import { compareDigests, renderComparison } from "./compare";
import { DEPENDENCY_EVENT, dependencyState, notifyDependents, type DependencyState } from "./dependencies";
import { errorMessage, PermanentTaskError } from "./errors";
import { planSubQuestions } from "./plan";
import { taskDependencies } from "./providers";
import { assembleReport, type PartAnswer } from "./report";
import { answerQuestion } from "./research";
import { distinctContentTerms } from "../rag/text";
import type { DependencyContext, TaskParams, TaskResult, TaskScope, TaskStatus, TaskType } from "./types";

/** Steps that retrieve or generate: 4 attempts, 1 s, 2 s and 4 s apart; 5 minutes each. */
export const WORK_STEP: WorkflowStepConfig = { retries: { limit: 3, delay: "1 second", backoff: "exponential" }, timeout: "5 minutes" };
/** Steps that only read or write D1. */
const BOOKKEEPING_STEP: WorkflowStepConfig = { retries: { limit: 5, delay: "1 second", backoff: "exponential" }, timeout: "1 minute" };
/** How long a waiting task sleeps between two checks of its dependencies when no event wakes it. */
const DEPENDENCY_POLL = "1 minute";
/** Checks before a task gives up waiting (6 hours at one a minute, 720 of the 1,024 steps an instance may have). */
const MAX_DEPENDENCY_CHECKS = 360;

/** The task as the Workflow reads it once, at its start. */
interface LoadedTask {
  type: TaskType;
  description: string;
  scope: TaskScope | null;
  depends_on: string[];
  status: TaskStatus;
  /** The creator, whose daily model caps the task's model calls count against (absent in steps stored before owners). */
  user_id?: string | null;
}

/** What a tracked step returns through the engine: its value, or the message of a permanent failure. */
type Tracked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Fails the task (when it has not finished) and wakes the tasks that wait for it; called inside a step. */
async function failFromStep(env: Env, taskId: string, message: string): Promise<void> {
  if (await failTask(database(env.DB), taskId, message)) await notifyDependents(env, taskId);
}

/**
 * Runs `fn` as the step `name` of the task. With `record` (the default) the step is recorded in
 * D1: each attempt sets it running with its attempt number, a failed attempt sets it `retrying`
 * (or `failed` on the last attempt) with its error, success sets it completed. `fn` learns
 * whether it runs the last attempt (to fall back to an offline provider). A
 * {@link PermanentTaskError} is not retried. When the step fails for good (permanent error or last
 * attempt), the task is failed from inside the step, then the error is thrown to `run`.
 *
 * The task is failed here and not by a `catch` in `run`: the engine also interrupts `run` with
 * errors when it pauses or evicts an instance, and those must not fail the task.
 */
async function tracked<T>(
  step: WorkflowStep, env: Env, taskId: string, name: string, detail: string | null, config: WorkflowStepConfig,
  fn: (lastAttempt: boolean) => Promise<T>, record = true,
): Promise<T> {
  const limit = config.retries?.limit ?? 0;
  const outcome = (await step.do(name, config, async (ctx) => {
    const db = database(env.DB);
    if (record) await stepStarted(db, taskId, name, detail, ctx.attempt);
    try {
      const value = await fn(ctx.attempt > limit);
      if (record) await stepFinished(db, taskId, name, "completed");
      return { ok: true, value } as never;
    } catch (e) {
      const permanent = e instanceof PermanentTaskError;
      const final = permanent || ctx.attempt > limit;
      if (record) await stepFinished(db, taskId, name, final ? "failed" : "retrying", errorMessage(e)).catch(() => undefined);
      if (final) await failFromStep(env, taskId, errorMessage(e));
      if (permanent) return { ok: false, error: e.message } as never;
      throw e;
    }
  })) as Tracked<T>;
  if (!outcome.ok) throw new PermanentTaskError(outcome.error);
  return outcome.value;
}

/**
 * The Workflow of a task (wrangler.toml `[[workflows]]` edge-rag-tasks, bound as TASK_WORKFLOW):
 * created by ./service.ts `createTask` with the task's id as instance id and `{ task_id }` as params.
 */
export class TaskWorkflow extends WorkflowEntrypoint<Env, TaskParams> {
  /** Runs the task `event.payload.task_id`; returns its final status (the instance errors when the task fails). */
  async run(event: Readonly<WorkflowEvent<TaskParams>>, step: WorkflowStep): Promise<{ status: TaskStatus | "missing" }> {
    const id = event.payload.task_id;
    const env = this.env;
    const bookkeeping = <T>(name: string, fn: () => Promise<T>) => tracked(step, env, id, name, null, BOOKKEEPING_STEP, fn, false);
    const task = await bookkeeping("load", async (): Promise<LoadedTask | null> => {
      const row = await getTask(database(env.DB), id);
      return row ? { type: row.type, description: row.description, scope: row.scope, depends_on: row.dependsOn, status: row.status, user_id: row.userId } : null;
    });
    if (!task) return { status: "missing" };
    if (task.status !== "queued") return { status: task.status };
    const context = task.depends_on.length ? await this.waitForDependencies(step, id, task.depends_on) : [];
    if (!(await bookkeeping("start", async () => markTaskRunning(database(env.DB), id)))) return { status: "cancelled" };
    const parts = await this.work(step, id, task, context);
    const completed = await tracked(step, env, id, "report", null, BOOKKEEPING_STEP, async () => {
      const result = this.report(task, parts, context);
      if (!(await completeTask(database(env.DB), id, result, "report"))) return false;
      await notifyDependents(env, id);
      return true;
    });
    return { status: completed ? "completed" : "cancelled" };
  }

  /**
   * Waits until every dependency has finished; returns their results (all completed).
   * @throws PermanentTaskError when one failed, was cancelled or was deleted, or after {@link MAX_DEPENDENCY_CHECKS} checks.
   */
  private async waitForDependencies(step: WorkflowStep, id: string, dependsOn: string[]): Promise<DependencyContext[]> {
    const env = this.env;
    for (let check = 1; ; check++) {
      const state = await tracked(step, env, id, "check dependencies", null, BOOKKEEPING_STEP, async (): Promise<DependencyState> => {
        const db = database(env.DB);
        if (check === 1) await stepStarted(db, id, "dependencies", `Waiting for ${dependsOn.join(", ")}`, 1);
        const s = await dependencyState(db, dependsOn);
        if (s.kind === "waiting") await stepDetail(db, id, "dependencies", `Waiting for ${s.waiting.join(", ")}`);
        else if (s.kind === "ready") {
          await stepDetail(db, id, "dependencies", `Completed: ${dependsOn.join(", ")}`);
          await stepFinished(db, id, "dependencies", "completed");
        } else {
          await stepFinished(db, id, "dependencies", "failed", s.error);
          throw new PermanentTaskError(s.error);
        }
        if (s.kind === "waiting" && check >= MAX_DEPENDENCY_CHECKS) {
          const error = `Dependencies ${s.waiting.join(", ")} did not finish within 6 hours`;
          await stepFinished(db, id, "dependencies", "failed", error);
          throw new PermanentTaskError(error);
        }
        return s;
      }, false);
      if (state.kind === "ready") return state.context;
      try {
        await step.waitForEvent("dependency finished", { type: DEPENDENCY_EVENT, timeout: DEPENDENCY_POLL });
      } catch {
        // No event within the poll interval: check again.
      }
    }
  }

  /** The steps of the task's type; returns the report's parts. */
  private async work(step: WorkflowStep, id: string, task: LoadedTask, context: DependencyContext[]): Promise<PartAnswer[]> {
    const env = this.env;
    const run = <T>(name: string, detail: string | null, fn: (lastAttempt: boolean) => Promise<T>) => tracked(step, env, id, name, detail, WORK_STEP, fn);
    const owner = { userId: task.user_id ?? null, sessionId: null };
    switch (task.type) {
      case "research": {
        const questions = await run("plan", null, async () => planSubQuestions(task.description));
        const parts: PartAnswer[] = [];
        for (const [i, question] of questions.entries()) {
          parts.push(await run(`answer-${i + 1}`, question, async () => answerQuestion(await taskDependencies(env), question, task.scope, owner)));
        }
        return parts;
      }
      case "analysis": {
        const scope = task.scope!;
        const docs = await run("select-documents", "domain" in scope ? `Domain ${scope.domain}` : `${scope.document_ids.length} document(s)`, async () =>
          selectDocuments(await taskDependencies(env), task.description, scope));
        const parts: PartAnswer[] = [];
        for (const [i, doc] of docs.entries()) {
          parts.push(await run(`digest-${i + 1}`, doc.title, async (last) => digestDocument(await taskDependencies(env), doc, task.description, last, owner)));
        }
        return parts;
      }
      case "code": {
        const chunks = await run("search", null, async () => searchCode(await taskDependencies(env), task.description, task.scope));
        const examples = await run("select-examples", `${chunks.length} chunk(s) with code`, async () => chooseExamples(await taskDependencies(env), task.description, chunks));
        return examples.map(exampleAsPart);
      }
    }
  }

  /** The task's report from its parts and the results of its dependencies. */
  private report(task: LoadedTask, parts: PartAnswer[], context: DependencyContext[]): TaskResult {
    if (task.type === "analysis") {
      const digests = parts.map((p) => ({ title: p.heading, text: p.response }));
      const preface = renderComparison(digests, compareDigests(digests, new Set(distinctContentTerms(task.description))));
      return assembleReport({ type: task.type, description: task.description, parts, context, preface, uncovered: () => "Nothing in this document matches the description." });
    }
    if (task.type === "code" && parts.length === 0) {
      return assembleReport({ type: task.type, description: task.description, parts, context, preface: "No code block of the knowledge base matches this description." });
    }
    return assembleReport({ type: task.type, description: task.description, parts, context });
  }
}
