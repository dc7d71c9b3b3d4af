/**
 * What a task step needs to retrieve and generate: the same providers, graph models and web
 * search as a chat turn (services/turn-deps.ts), under the production config version's
 * environment (worker/config-versions/deployed.ts), built per step.
 */
import { deployedEnv } from "../config-versions/deployed";
import { turnDependencies } from "../services/turn-deps";
import type { TurnContext } from "../services/chat";

/** Providers, graph models and web search of a step, and the environment they were made for. */
export type TaskDependencies = Pick<TurnContext, "env" | "providers" | "models" | "webSearch">;

/** Test-only: rewrites the dependencies of every step (e.g. a provider that fails its first calls). */
type DependenciesHook = (deps: TaskDependencies) => TaskDependencies;

let hook: DependenciesHook | null = null;

/**
 * Test-only hook (the Workflow runs in the tests' isolate under the Workers Vitest integration):
 * `fn` receives every step's dependencies and returns the ones the step uses; null removes it.
 * Production code never sets it.
 */
export function setTaskDependenciesHook(fn: DependenciesHook | null): void {
  hook = fn;
}

/**
 * The dependencies of a task step under `env` (the Workflow's bindings).
 *
 * @throws Error from the configuration (see worker/config.ts `providers`).
 */
export async function taskDependencies(env: Env): Promise<TaskDependencies> {
  const deps = turnDependencies(await deployedEnv(env));
  return hook ? hook(deps) : deps;
}
