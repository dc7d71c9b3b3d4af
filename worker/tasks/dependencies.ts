/**
 * Dependencies between tasks. A task waits inside its Workflow until every task it depends on has
 * finished: it checks their status in D1, then waits for a `dependency_finished` event (sent by
 * each task as it completes, fails or is cancelled) or, should an event be lost, one minute.
 */
import { database, type Database } from "../db/client";
import { dependentsOf, getTasks } from "../storage/tasks";
import type { DependencyContext } from "./types";

/** Type of the event a finished task sends to the Workflows of the tasks that wait for it. */
export const DEPENDENCY_EVENT = "dependency_finished";

/** Where a task's dependencies stand. */
export type DependencyState =
  | { kind: "ready"; context: DependencyContext[] }
  | { kind: "waiting"; waiting: string[] }
  | { kind: "failed"; error: string };

/**
 * The state of the dependencies `ids` (in order): `failed` as soon as one failed, was cancelled or
 * no longer exists (with a message naming it), `ready` with every result when all completed,
 * else `waiting` with the unfinished ones.
 */
export async function dependencyState(db: Database, ids: readonly string[]): Promise<DependencyState> {
  const rows = await getTasks(db, ids);
  const waiting: string[] = [];
  for (const id of ids) {
    const t = rows.get(id);
    if (!t) return { kind: "failed", error: `Dependency ${id} no longer exists` };
    if (t.status === "failed") return { kind: "failed", error: `Dependency ${id} failed: ${t.error ?? "unknown error"}` };
    if (t.status === "cancelled") return { kind: "failed", error: `Dependency ${id} was cancelled` };
    if (t.status !== "completed") waiting.push(id);
  }
  if (waiting.length) return { kind: "waiting", waiting };
  return {
    kind: "ready",
    context: ids.map((id) => {
      const t = rows.get(id)!;
      return { task_id: id, type: t.type, description: t.description, result: t.result ?? { report: "", sources: [] } };
    }),
  };
}

/**
 * Wakes the Workflows of the unfinished tasks that wait for `taskId` (after it finished). A
 * Workflow that cannot be reached is logged and skipped: it checks again within a minute.
 */
export async function notifyDependents(env: Env, taskId: string): Promise<void> {
  for (const id of await dependentsOf(database(env.DB), taskId)) {
    try {
      const instance = await env.TASK_WORKFLOW.get(id);
      await instance.sendEvent({ type: DEPENDENCY_EVENT, payload: { task_id: taskId } });
    } catch (e) {
      console.error(JSON.stringify({ level: "warn", message: "could not wake a dependent task", task_id: id, dependency: taskId, error: e instanceof Error ? e.message : String(e) }));
    }
  }
}
