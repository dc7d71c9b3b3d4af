/**
 * The configuration the Worker runs with: the vars with the tunables of the version the
 * production pointer is on. Read from D1 at most once per {@link CACHE_TTL_MS} per isolate
 * (concurrent readers share one read); a deploy or rollback through this isolate invalidates it
 * at once, other isolates see it within the TTL.
 */
import { envWithOverrides } from "../config";
import { database } from "../db/client";
import { ensureProduction, type DeployedVersion } from "../storage/config-versions";
import { TunablesSchema } from "./tunables";

/** How long an isolate keeps the production version before reading it again, in ms. */
export const CACHE_TTL_MS = 60_000;

let cached: { version: DeployedVersion; at: number } | null = null;
let loading: Promise<DeployedVersion> | null = null;
/** Bumped by invalidation, so that a read started before it does not refill the cache. */
let generation = 0;

/** Forgets this isolate's cached production version; the next {@link deployedEnv} reads D1. */
export function invalidateDeployedConfig(): void {
  cached = null;
  loading = null;
  generation++;
}

/**
 * The production version (cached per isolate for {@link CACHE_TTL_MS}); creates version 1 from the
 * vars when none exists.
 *
 * @param options.refresh Reads D1 even when the cache is fresh (tests).
 * @throws D1 errors, or Error when the stored values are not valid tunables.
 */
export async function deployedVersion(env: Env, options: { refresh?: boolean } = {}): Promise<DeployedVersion> {
  if (!options.refresh && cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.version;
  if (!options.refresh && loading) return loading;
  const started = generation;
  const load = (async () => {
    const version = await ensureProduction(database(env.DB), env);
    const values = TunablesSchema.parse(version.values);
    const result = { ...version, values };
    if (generation === started) cached = { version: result, at: Date.now() };
    return result;
  })();
  loading = load;
  try {
    return await load;
  } finally {
    if (loading === load) loading = null;
  }
}

/**
 * `env` with the production version's tunables in place of the vars (via `envWithOverrides`, so
 * the same object is returned for the same version and its parsed configuration is cached).
 * Never fails: when D1 cannot be read, logs a warning and returns `env` (the vars).
 *
 * @param options.refresh Reads D1 even when the cache is fresh (tests).
 */
export async function deployedEnv(env: Env, options: { refresh?: boolean } = {}): Promise<Env> {
  try {
    const version = await deployedVersion(env, options);
    return envWithOverrides(env, version.values, `config-version:${version.id}`);
  } catch (e) {
    console.error(JSON.stringify({ level: "warn", message: "config version unavailable, using the vars", error: e instanceof Error ? e.message : String(e) }));
    return env;
  }
}
