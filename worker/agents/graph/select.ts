/** Chooses the graph's model-backed steps from the configuration (same switch as generation). */
import { structuredClientOptions, type AppConfig } from "../../config";
import type { AiRunner } from "../../rag/embedding/workers-ai";
import { createStructuredClient } from "../llm/structured";
import { llmModels, workersAiCompleter } from "./llm-models";
import { offlineModels, type GraphModels } from "./models";

/**
 * GENERATION_PROVIDER=openai → the OpenAI-compatible endpoint (JSON mode, retries); workers-ai →
 * the AI binding; offline (default) → the deterministic offline steps.
 */
export function graphModels(config: AppConfig, env: Env): GraphModels {
  if (config.GENERATION_PROVIDER === "openai" && config.OPENAI_API_KEY) {
    return llmModels(createStructuredClient(structuredClientOptions(config, config.OPENAI_API_KEY)));
  }
  const ai = (env as { AI?: AiRunner }).AI;
  if (config.GENERATION_PROVIDER === "workers-ai" && ai) return llmModels(workersAiCompleter(ai, config.WORKERS_AI_CHAT_MODEL));
  return offlineModels;
}
