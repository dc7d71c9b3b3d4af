#!/usr/bin/env node
/**
 * `npm test`: installs dependencies when needed (the same step as `npm start`), runs the Vitest
 * suite (inside workerd) and ends with the line `N passed, N failed, N skipped` read by CI.
 * When the runner cannot start, its reason is printed before that line. Exit code is Vitest's
 * (1 when it did not run).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureInstalled, projectEnv, root } from "./lib/install.mjs";

const log = (message) => process.stdout.write(`[edge-rag] ${message}\n`);
const results = join(root, ".vitest-results.json");

/** Runs Vitest with the given arguments; returns { status, reason } (reason set when it did not run). */
function runVitest(args) {
  const installFailure = ensureInstalled(log);
  if (installFailure) return { status: 1, reason: installFailure };
  rmSync(results, { force: true });
  const vitest = join(root, "node_modules", ".bin", process.platform === "win32" ? "vitest.cmd" : "vitest");
  const run = spawnSync(vitest, ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...args], {
    cwd: root,
    stdio: "inherit",
    env: projectEnv(),
  });
  if (run.error) return { status: 1, reason: `vitest could not start: ${run.error.message}` };
  if (run.signal) return { status: 1, reason: `vitest was killed by ${run.signal}` };
  return { status: run.status ?? 1, reason: null };
}

/** Counts of the JSON report; a file that failed before any test ran counts as one failure. */
function counts() {
  if (!existsSync(results)) return { passed: 0, failed: 0, skipped: 0 };
  const report = JSON.parse(readFileSync(results, "utf8"));
  const brokenFiles = (report.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

const { status, reason } = runVitest(process.argv.slice(2));
const c = counts();
if (reason) log(reason);
else if (status !== 0 && c.failed === 0) log(`vitest exited with status ${status} before reporting a failed test`);
if (status !== 0 && c.failed === 0) c.failed = 1; // a crash before any result still fails
console.log(`\n${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
process.exit(status);
