#!/usr/bin/env node
/**
 * `npm test`: runs the Vitest suite (inside workerd) and ends with the line
 * `N passed, N failed, N skipped` read by CI. Exit code is Vitest's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const results = ".vitest-results.json";
rmSync(results, { force: true });
const run = spawnSync(
  "vitest",
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: "inherit", env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } },
);

let passed = 0, failed = 0, skipped = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, "utf8"));
  passed = report.numPassedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  failed = report.numFailedTests ?? 0;
  const brokenFiles = (report.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  failed += brokenFiles;
}
const status = run.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a crash before any result still fails
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
