/**
 * Runtime configuration read from bindings and vars (wrangler.toml `[vars]`, `.dev.vars`,
 * secrets), validated with zod, and the provider instances it selects.
 */
import { z } from "zod";
import type { StructuredClientOptions } from "./agents/llm/structured";
import type { VectorStore } from "../durable-objects/vector-store";
import { HashingEmbedder } from "./rag/embedding/hashing";
import { OpenAIEmbedder } from "./rag/embedding/openai";
import type { Embedder } from "./rag/embedding/types";
import { WorkersAIEmbedder, type AiRunner } from "./rag/embedding/workers-ai";
import { ExtractiveGenerator } from "./rag/generation/extractive";
import { OpenAIGenerator } from "./rag/generation/openai";
import type { Generator } from "./rag/generation/types";
import { WorkersAIGenerator } from "./rag/generation/workers-ai";
import { configuredSecrets, guardGenerator } from "./guardrails/output";
import { LocalVectorIndex } from "./vector/local";
import type { VectorIndex } from "./vector/types";
import { VectorizeVectorIndex } from "./vector/vectorize";

/** zod schema of every configuration variable (exported for the tunables of config versions). */
export const ConfigSchema = z.object({
  APP_VERSION: z.string().default("0.0.0"),
  EMBEDDING_PROVIDER: z.enum(["offline", "openai", "workers-ai"]).default("offline"),
  GENERATION_PROVIDER: z.enum(["offline", "openai", "workers-ai"]).default("offline"),
  VECTOR_INDEX: z.enum(["local", "vectorize"]).default("local"),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().default("https://api.openai.com/v1"),
  OPENAI_EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  OPENAI_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(4096).optional(),
  OPENAI_CHAT_MODEL: z.string().default("gpt-4o-mini"),
  /**
   * Timeout of one HTTP attempt to the OpenAI-compatible endpoint in ms (1,000–600,000), for every
   * model call: the graph's JSON steps, answers, embeddings and the faithfulness judge. Unset: 20 s
   * for the JSON steps, 30 s for the others. A model on a CPU (docs/local-model.md) may need more.
   */
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).optional(),
  WORKERS_AI_EMBEDDING_MODEL: z.string().default("@cf/baai/bge-m3"),
  WORKERS_AI_CHAT_MODEL: z.string().default("@cf/meta/llama-3.1-8b-instruct"),
  HASHING_DIMENSIONS: z.coerce.number().int().min(64).max(4096).default(512),
  CHUNK_SIZE: z.coerce.number().int().min(100).max(8000).default(1000),
  CHUNK_OVERLAP: z.coerce.number().int().min(0).max(7999).default(200),
  /** Largest accepted document in bytes; D1 rows hold at most 2 MB, so keep it below that. */
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1000).max(1_900_000).default(1_500_000),
  /** Largest `top_k` of `POST /api/rag/query` (the evaluation harness raises it to 100). */
  MAX_TOP_K: z.coerce.number().int().min(1).max(100).default(50),
  /** Weights of the lexical and vector lists in reciprocal rank fusion. */
  FUSION_LEXICAL_WEIGHT: z.coerce.number().min(0).max(10).default(1),
  FUSION_VECTOR_WEIGHT: z.coerce.number().min(0).max(10).default(0.5),
  /** Weight of the pseudo-relevance-feedback (expanded BM25) list in reciprocal rank fusion. */
  FUSION_EXPANSION_WEIGHT: z.coerce.number().min(0).max(10).default(0.5),
  /** Top lexical chunks used as pseudo-relevance feedback in hybrid retrieval; 0 turns it off. */
  PRF_CHUNKS: z.coerce.number().int().min(0).max(10).default(3),
  /**
   * Cost budget of pseudo-relevance feedback in postings (chunk frequencies summed); 0 = no limit.
   * Feedback is skipped when the query's BM25 phrases alone hold more, and its expanded BM25 pass
   * when the query's and the expansion terms' phrases together do. The default keeps feedback for
   * every SciFact query at its 10,911 chunks (largest expanded pass 25,434 postings) and skips it
   * for most queries of a 100,000-chunk index, where it tripled hybrid latency.
   */
  PRF_MAX_POSTINGS: z.coerce.number().int().min(0).max(100_000_000).default(30_000),
  /** Expansion terms added to the BM25 query by pseudo-relevance feedback (0..32). */
  PRF_TERMS: z.coerce.number().int().min(0).max(32).default(20),
  /** Rocchio weight β of the feedback chunks' centroid on the offline query embedding. */
  PRF_BETA: z.coerce.number().min(0).max(10).default(1),
  /**
   * Dimensions kept of the Rocchio query embedding (its largest by magnitude), 1..4096: a sparse
   * query lets the local vector index skip the zero dimensions. Above the embedding's dimensions, all are kept.
   */
  PRF_DIMENSIONS: z.coerce.number().int().min(1).max(4096).default(192),
  /** Request log lines (worker/http/logger.ts): every request, failed ones (status ≥ 400), or none. */
  REQUEST_LOG: z.enum(["all", "errors", "off"]).default("all"),
  /** "on" mounts the benchmark routes under /api/debug (vector index memory and recall); off by default. */
  DEBUG_ROUTES: z.enum(["off", "on"]).default("off"),
  /**
   * Daily caps (per UTC day) on the chat model's calls and tokens (prompt + completion), per user
   * (accounts only) and per chat session; 0 = no cap. They apply only when GENERATION_PROVIDER is
   * a model provider (worker/usage/caps.ts, docs/access.md "Daily model caps").
   */
  DAILY_MODEL_CALLS_PER_USER: z.coerce.number().int().min(0).default(1000),
  DAILY_MODEL_TOKENS_PER_USER: z.coerce.number().int().min(0).default(2_000_000),
  DAILY_MODEL_CALLS_PER_SESSION: z.coerce.number().int().min(0).default(300),
  DAILY_MODEL_TOKENS_PER_SESSION: z.coerce.number().int().min(0).default(600_000),
});

/** Validated configuration. */
export type AppConfig = z.infer<typeof ConfigSchema>;

/**
 * Validated configurations by bindings object. workerd hands every request of an isolate the same
 * `env` object, so the variables are parsed once per isolate instead of once per request; a
 * different object (another isolate, or a test's modified copy) is parsed on its own.
 */
const configs = new WeakMap<object, AppConfig>();

/**
 * Reads and validates the configuration from the bindings and vars, once per `env` object (the
 * result is cached and frozen: treat `env` as immutable, as workerd does).
 *
 * @param env The Worker's bindings and vars.
 * @returns The validated configuration, defaults applied and numbers coerced.
 * @throws Error naming each bad variable (`Invalid configuration: NAME: message; …`), or when
 *   CHUNK_OVERLAP is not smaller than CHUNK_SIZE. A failed parse is not cached.
 */
export function readConfig(env: Env): AppConfig {
  const cached = configs.get(env);
  if (cached) return cached;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const config = Object.freeze(parsed.data);
  if (config.CHUNK_OVERLAP >= config.CHUNK_SIZE) throw new Error("CHUNK_OVERLAP must be smaller than CHUNK_SIZE");
  configs.set(env, config);
  return config;
}

/**
 * `env` with some configuration variables replaced (e.g. a config version's tunables), for
 * {@link providers} and {@link readConfig}: a new object per (env, key), made once and reused,
 * so that its parsed configuration is cached like the base one. Values are given as vars are
 * (strings or numbers); they are validated when the result is read by {@link readConfig}.
 *
 * @param key Identifies the overrides (e.g. the config version id); the same key must always come
 *   with the same overrides.
 */
export function envWithOverrides(env: Env, overrides: Readonly<Record<string, string | number>>, key: string): Env {
  let byKey = overridden.get(env);
  if (!byKey) overridden.set(env, (byKey = new Map()));
  let result = byKey.get(key);
  if (!result) {
    result = Object.freeze({ ...env, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])) }) as Env;
    byKey.set(key, result);
  }
  return result;
}

const overridden = new WeakMap<object, Map<string, Env>>();

/** The model-backed and storage providers selected by the configuration. */
export interface Providers {
  config: AppConfig;
  embedder: Embedder;
  generator: Generator;
  vectorIndex: VectorIndex;
}

function requireKey(config: AppConfig): string {
  if (!config.OPENAI_API_KEY) throw new Error("OPENAI_API_KEY must be set for the openai provider");
  return config.OPENAI_API_KEY;
}

function requireAi(env: Env): AiRunner {
  const ai = (env as { AI?: AiRunner }).AI;
  if (!ai) throw new Error("the AI binding is required for the workers-ai provider");
  return ai;
}

/**
 * Builds the providers for a request or queue batch from the (cached) configuration. The provider
 * objects are cheap and made per call: they hold clients and Durable Object stubs, which are not
 * shared across requests.
 *
 * @throws Error from {@link readConfig}, or when the selected provider's key or binding is missing.
 */
export function providers(env: Env): Providers {
  const config = readConfig(env);
  const embedder: Embedder =
    config.EMBEDDING_PROVIDER === "openai"
      ? new OpenAIEmbedder({ apiKey: requireKey(config), baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_EMBEDDING_MODEL, dimensions: config.OPENAI_EMBEDDING_DIMENSIONS, timeoutMs: config.OPENAI_TIMEOUT_MS })
      : config.EMBEDDING_PROVIDER === "workers-ai"
        ? new WorkersAIEmbedder(requireAi(env), config.WORKERS_AI_EMBEDDING_MODEL)
        : new HashingEmbedder(config.HASHING_DIMENSIONS);
  const model: Generator =
    config.GENERATION_PROVIDER === "openai"
      ? new OpenAIGenerator({ apiKey: requireKey(config), baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_CHAT_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS })
      : config.GENERATION_PROVIDER === "workers-ai"
        ? new WorkersAIGenerator(requireAi(env), config.WORKERS_AI_CHAT_MODEL)
        : new ExtractiveGenerator();
  // Answers never carry the system prompt's canary or a configured secret (docs/security.md).
  const generator = guardGenerator(model, configuredSecrets(env));
  let vectorIndex: VectorIndex;
  if (config.VECTOR_INDEX === "vectorize") {
    const binding = (env as { VECTORIZE?: VectorizeIndex }).VECTORIZE;
    if (!binding) throw new Error("the VECTORIZE binding is required when VECTOR_INDEX=vectorize");
    vectorIndex = new VectorizeVectorIndex(binding);
  } else {
    vectorIndex = new LocalVectorIndex(env.VECTOR_STORE as unknown as DurableObjectNamespace<VectorStore>);
  }
  return { config, embedder, generator, vectorIndex };
}

/**
 * The JSON-mode client settings of the configured OpenAI-compatible endpoint (base URL, chat model,
 * and the per-attempt timeout OPENAI_TIMEOUT_MS when set) with `apiKey`, for the graph's
 * model-backed steps and the faithfulness judge.
 */
export function structuredClientOptions(config: AppConfig, apiKey: string): StructuredClientOptions {
  return { apiKey, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_CHAT_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS };
}
