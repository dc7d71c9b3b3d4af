/**
 * Building the web client (web/ → web/dist) when it is missing or older than its sources, for
 * `npm start`. Plain JavaScript, like install.mjs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { bin, projectEnv, root } from "./install.mjs";

const WEB = join(root, "web");
const BUILT = join(WEB, "dist", "index.html");

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why web/dist must be (re)built, or null when it is newer than every source file. */
export function webBuildReason() {
  if (!existsSync(BUILT)) return "web/dist is missing";
  const sources = ["src", "public", "index.html", "vite.config.ts", "csp.ts"].map((p) => join(WEB, p)).filter((p) => existsSync(p));
  const built = statSync(BUILT).mtimeMs;
  return sources.some((p) => newestMtime(p) > built) ? "web/ changed since the last build" : null;
}

/** Runs `vite build` (web/ → web/dist). Returns null on success, else the failure as a sentence. */
export function buildWeb() {
  const result = spawnSync(join(bin, "vite"), ["build", "--config", join(WEB, "vite.config.ts"), "--logLevel", "warn"], { cwd: root, stdio: "inherit", env: projectEnv() });
  return result.status === 0 ? null : `vite build failed (exit ${result.status ?? result.signal})`;
}

/** Runs `vite build` when needed. Returns null on success (or nothing to do), else the failure as a sentence. */
export function ensureWebBuilt(log) {
  const reason = webBuildReason();
  if (reason === null) return null;
  log(`building the web client (${reason})…`);
  return buildWeb();
}
