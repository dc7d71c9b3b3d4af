/** A gate that holds task steps' vector-index queries, for the task tests in workerd. */
import type { TaskDependencies } from "../../worker/tasks/providers";

/**
 * A gate for the vector index of task steps: queries wait while it is closed. The flags are plain
 * values polled on both sides: a promise made in the test's request and awaited in the
 * Workflow's (another I/O context) would never settle there.
 */
export interface Gate {
  entered: boolean;
  open: boolean;
}

/** The vector index of `deps` holding every query until `gate.open` (setting `gate.entered` at the first query). */
export function gatedIndex(deps: TaskDependencies, gate: Gate): TaskDependencies {
  const original = deps.providers.vectorIndex;
  const gated = Object.create(original);
  gated.query = async (...args: Parameters<typeof original.query>) => {
    gate.entered = true;
    while (!gate.open) await new Promise((r) => setTimeout(r, 20));
    return original.query(...args);
  };
  return { ...deps, providers: { ...deps.providers, vectorIndex: gated } };
}
