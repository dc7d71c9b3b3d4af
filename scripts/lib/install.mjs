/**
 * The install step shared by `npm start` and `npm test`: on a fresh clone (or after
 * package-lock.json changed) it runs `npm install`, so that either command works first.
 * Plain JavaScript for any Node ≥ 18: it runs before the project's own Node is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder (absolute path, trailing separator). */
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** node_modules/.bin of the repository. */
export const bin = join(root, "node_modules", ".bin");

/** Binaries that must exist in node_modules/.bin for the project to run and test. */
const REQUIRED_BINS = ["node", "wrangler", "vitest"];

/**
 * The environment for the project's tools: node_modules/.bin first on PATH (so the project's own
 * Node runs them, not the machine's), wrangler's offline and telemetry switches set.
 */
export function projectEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    ...extra,
  };
}

/**
 * The reason an install is needed, or null when node_modules is complete and newer than
 * package-lock.json.
 */
export function installReason() {
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return "node_modules is missing";
  const missing = REQUIRED_BINS.filter((name) => !existsSync(join(bin, name)));
  if (missing.length > 0) return `node_modules/.bin lacks ${missing.join(", ")}`;
  if (statSync(join(root, "package-lock.json")).mtimeMs > statSync(marker).mtimeMs) return "package-lock.json changed";
  return null;
}

/**
 * Runs `npm install` when `installReason()` says so. `log` prints one progress line.
 * Returns null on success (or when nothing was needed), or the failure's reason as a sentence.
 * Never throws.
 */
export function ensureInstalled(log) {
  const reason = installReason();
  if (reason === null) return null;
  log(`installing dependencies (${reason}): npm install…`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: "inherit", env: projectEnv() });
  if (result.error) return `npm install could not start: ${result.error.message}`;
  if (result.status !== 0) return `npm install failed (exit ${result.status ?? result.signal})`;
  const still = installReason();
  return still === null ? null : `npm install finished but ${still}`;
}
