/** What a chat turn needs besides its input, made from the environment the turn runs under. */
import { graphModels } from "../agents/graph/select";
import { createWebSearch } from "../agents/web/tavily";
import { providers } from "../config";
import type { TurnContext } from "./chat";

/**
 * The providers (embedding, generation, vector index), the graph's models and the web search
 * client (null without TAVILY_API_KEY) for a turn under `env` (already the deployed config
 * version's environment, worker/config-versions/deployed.ts).
 */
export function turnDependencies(env: Env): Pick<TurnContext, "env" | "providers" | "models" | "webSearch"> {
  const p = providers(env);
  return { env, providers: p, models: graphModels(p.config, env), webSearch: createWebSearch(env as unknown as { TAVILY_API_KEY?: string; TAVILY_BASE_URL?: string }) };
}
