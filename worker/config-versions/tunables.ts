/**
 * The tunables of a config version: the configuration variables of retrieval and answering that
 * may change from one version to the next. Not secrets, not bindings, and not the embedding
 * settings (EMBEDDING_PROVIDER, HASHING_DIMENSIONS), which would invalidate the stored vectors.
 * Ranges come from {@link ConfigSchema}.
 */
import { z } from "zod";
import { ConfigSchema, type AppConfig } from "../config";

/** Names of the tunable configuration variables. */
export const TUNABLE_KEYS = [
  "FUSION_LEXICAL_WEIGHT",
  "FUSION_VECTOR_WEIGHT",
  "FUSION_EXPANSION_WEIGHT",
  "PRF_CHUNKS",
  "PRF_MAX_POSTINGS",
  "PRF_TERMS",
  "PRF_BETA",
  "PRF_DIMENSIONS",
  "CHUNK_SIZE",
  "CHUNK_OVERLAP",
  "GENERATION_PROVIDER",
  "OPENAI_CHAT_MODEL",
  "WORKERS_AI_CHAT_MODEL",
] as const;

/** One tunable's name. */
export type TunableKey = (typeof TUNABLE_KEYS)[number];

const picked = ConfigSchema.pick(Object.fromEntries(TUNABLE_KEYS.map((k) => [k, true])) as { [K in TunableKey]: true });

/**
 * The complete tunables of a version: every key of {@link TUNABLE_KEYS} with the ranges of
 * ConfigSchema (numbers coerced), no other key, and CHUNK_OVERLAP smaller than CHUNK_SIZE.
 */
export const TunablesSchema = picked.strict().superRefine((v, ctx) => {
  if (v.CHUNK_OVERLAP >= v.CHUNK_SIZE) {
    ctx.addIssue({ code: "custom", path: ["CHUNK_OVERLAP"], message: "CHUNK_OVERLAP must be smaller than CHUNK_SIZE" });
  }
});

/** Complete tunables, as stored in `config_versions.values`. */
export type Tunables = z.infer<typeof TunablesSchema>;

/**
 * Changes to a version's tunables as sent by a client (`POST /api/config/versions`): a subset of
 * the keys, each a string or a number; values are checked once merged, by {@link TunablesSchema}.
 * Unknown keys are rejected here.
 */
export const TunableChangesSchema = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .superRefine((v, ctx) => {
    for (const key of Object.keys(v)) {
      if (!(TUNABLE_KEYS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: "custom", path: [key], message: `Not a tunable: ${key} (tunables: ${TUNABLE_KEYS.join(", ")})` });
      }
    }
  });

/** Tunables of a configuration (e.g. `readConfig(env)`, for the initial version from the vars). */
export function tunablesOf(config: AppConfig): Tunables {
  return Object.fromEntries(TUNABLE_KEYS.map((k) => [k, config[k]])) as Tunables;
}
