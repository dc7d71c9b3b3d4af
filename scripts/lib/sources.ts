/**
 * Frozen copies of the Worker's sources for the scripts that measure a dev server: the working
 * tree as it is (so that edits made during a run neither hot-reload the server nor mix code
 * versions), or a git revision (to measure a baseline next to the current code in the same run).
 * Plain TypeScript run by Node's type stripping; only `node:` built-ins and the `git` command.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Files and folders of the repository that make up the Worker as `wrangler dev` builds it. */
export const SNAPSHOT_ENTRIES = ["wrangler.toml", "package.json", "tsconfig.json", "worker-configuration.d.ts", ".dev.vars", "worker", "durable-objects", "migrations", "test/eval"];

/** A frozen copy of the sources. */
export interface SourceSnapshot {
  /** Number of files copied (without `node_modules`). */
  files: number;
  /** SHA-256 over the relative paths and contents of those files: identifies the measured code. */
  sha256: string;
}

/** Every file under `dir` (relative paths, sorted). */
async function listFiles(dir: string, base = dir, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await listFiles(full, base, out);
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out.sort();
}

/** Links `node_modules` of `repoRoot` into `target` and hashes the copied files. */
async function finish(repoRoot: string, target: string): Promise<SourceSnapshot> {
  await symlink(path.join(repoRoot, "node_modules"), path.join(target, "node_modules"), "dir");
  const hash = createHash("sha256");
  const files = (await listFiles(target)).filter((f) => !f.startsWith(`node_modules${path.sep}`));
  for (const f of files) {
    hash.update(f).update("\0").update(await readFile(path.join(target, f))).update("\0");
  }
  return { files: files.length, sha256: hash.digest("hex") };
}

/**
 * Copies the Worker's sources of the working tree ({@link SNAPSHOT_ENTRIES}) into `target`, with
 * `node_modules` as a symlink to the repository's, so that the dev server builds and watches a
 * frozen copy.
 *
 * @param repoRoot Repository root.
 * @param target Folder to create (must not exist or be empty).
 */
export async function snapshotSources(repoRoot: string, target: string): Promise<SourceSnapshot> {
  await mkdir(target, { recursive: true });
  for (const entry of SNAPSHOT_ENTRIES) {
    const from = path.join(repoRoot, entry);
    if (!(await stat(from).catch(() => undefined))) continue;
    await cp(from, path.join(target, entry), { recursive: true });
  }
  return finish(repoRoot, target);
}

/**
 * Writes the Worker's sources ({@link SNAPSHOT_ENTRIES}) of git revision `ref` into `target`
 * (`git archive`), with `node_modules` linked to the repository's (the dependencies of the current
 * checkout are used for both versions), plus the working tree's `.dev.vars` if any.
 *
 * @param repoRoot Repository root (a git checkout).
 * @param ref Any revision `git rev-parse` accepts, e.g. `main` or a commit id.
 * @returns The snapshot and the full commit id.
 * @throws Error when `ref` is unknown or `git` fails.
 */
export async function exportRevision(repoRoot: string, ref: string, target: string): Promise<SourceSnapshot & { commit: string }> {
  const { stdout } = await execFileAsync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: repoRoot });
  const commit = stdout.trim();
  await mkdir(target, { recursive: true });
  const tar = path.join(target, "..", `${path.basename(target)}.tar`);
  const entries = SNAPSHOT_ENTRIES.filter((e) => e !== ".dev.vars");
  // Only the entries that exist in the revision (git archive fails on unknown paths).
  const { stdout: listed } = await execFileAsync("git", ["ls-tree", "--name-only", commit, "--", ...entries], { cwd: repoRoot });
  const present = listed.split("\n").filter(Boolean);
  await execFileAsync("git", ["archive", "--format=tar", "-o", tar, commit, "--", ...present], { cwd: repoRoot });
  await execFileAsync("tar", ["-xf", tar, "-C", target]);
  await rm(tar, { force: true });
  const devVars = path.join(repoRoot, ".dev.vars");
  if (await stat(devVars).catch(() => undefined)) await cp(devVars, path.join(target, ".dev.vars"));
  return { ...(await finish(repoRoot, target)), commit };
}

/**
 * The checked-out commit and whether the Worker's sources differ from it.
 *
 * @param repoRoot Repository root (a git checkout).
 * @returns `commit` null when git is unavailable.
 */
export async function workingTreeRevision(repoRoot: string): Promise<{ commit: string | null; dirty: boolean }> {
  try {
    const { stdout } = await execFileAsync("git", ["rev-parse", "HEAD"], { cwd: repoRoot });
    const { stdout: status } = await execFileAsync("git", ["status", "--porcelain", "--", ...SNAPSHOT_ENTRIES.filter((e) => e !== ".dev.vars")], { cwd: repoRoot });
    return { commit: stdout.trim(), dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: false };
  }
}
