#!/usr/bin/env node
/**
 * `npm test`: installs dependencies when needed (the same step as `npm start`), builds the web
 * client, runs the Vitest suite inside workerd (vitest.config.ts), then the browser tests
 * (test/browser/vitest.config.ts: Debian's Chromium against `wrangler dev`; Chromium is installed
 * with apt-get when missing, scripts/lib/chromium.mjs), then the Node-side checks: the local model
 * server's tests (scripts/lib/llm-server/vitest.config.ts; those needing a model are skipped
 * without LLM_MODEL_PATH) and a research task surviving a restart of `wrangler dev`
 * (scripts/check-task-restart.ts, about 40 s), and ends with the line `N passed, N failed,
 * N skipped` over all, read by CI. File arguments under test/browser/ run only browser tests,
 * other file arguments only workerd tests (the Node-side checks run with no file argument). When a
 * runner cannot start, its reason is printed before that line. Exit code: 0 when all passed, else 1.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureChromium } from "./lib/chromium.mjs";
import { ensureInstalled, projectEnv, root } from "./lib/install.mjs";
import { buildWeb } from "./lib/web-build.mjs";

const log = (message) => process.stdout.write(`[edge-rag] ${message}\n`);
const results = join(root, ".vitest-results.json");
const BROWSER_CONFIG = "test/browser/vitest.config.ts";
const LLM_SERVER_CONFIG = "scripts/lib/llm-server/vitest.config.ts";

/** Runs a Node check script that ends with `N passed, N failed`; returns { status, reason, counts }. */
function runCheck(script) {
  // The project's Node (node_modules/.bin/node, first on projectEnv's PATH), not the one running this
  // file: on a fresh clone `npm test` starts under the machine's Node, which cannot run TypeScript.
  const run = spawnSync(bin("node"), [join(root, script)], { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: projectEnv(), encoding: "utf8" });
  process.stdout.write(run.stdout ?? "");
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(run.stdout ?? "");
  const c = m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 } : { passed: 0, failed: 0, skipped: 0 };
  if (run.error) return { status: 1, reason: `${script} could not start: ${run.error.message}`, counts: c };
  return { status: run.status ?? 1, reason: m ? null : `${script} printed no summary line`, counts: c };
}

function bin(name) {
  return join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
}

/** Runs Vitest with the given arguments; returns { status, reason, counts }. */
function runVitest(args) {
  rmSync(results, { force: true });
  const run = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...args], {
    cwd: root,
    stdio: "inherit",
    env: projectEnv(),
  });
  if (run.error) return { status: 1, reason: `vitest could not start: ${run.error.message}`, counts: counts() };
  if (run.signal) return { status: 1, reason: `vitest was killed by ${run.signal}`, counts: counts() };
  return { status: run.status ?? 1, reason: null, counts: counts() };
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

const total = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;
const installFailure = ensureInstalled(log);
if (installFailure) {
  log(installFailure);
  total.failed = 1;
  exitCode = 1;
} else {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith("-"));
  const flags = args.filter((a) => a.startsWith("-"));
  const browserFiles = files.filter((f) => f.includes("test/browser/"));
  const workerFiles = files.filter((f) => !f.includes("test/browser/"));
  const runs = [];
  // The Worker's static assets (wrangler.toml [assets]) are the built client: build it first.
  log("building the web client (vite build)…");
  const buildFailure = buildWeb();
  if (buildFailure) {
    log(buildFailure);
    total.failed += 1;
    exitCode = 1;
  } else {
    if (files.length === 0 || workerFiles.length > 0) runs.push({ name: "workerd", args: [...flags, ...workerFiles] });
    if (files.length === 0 || browserFiles.length > 0) {
      const chromiumFailure = ensureChromium(log);
      if (chromiumFailure) {
        log(`browser tests not run: ${chromiumFailure}`);
        total.failed += 1;
        exitCode = 1;
      } else runs.push({ name: "browser", args: ["--config", BROWSER_CONFIG, ...flags, ...browserFiles] });
    }
    if (files.length === 0) {
      runs.push({ name: "local model server", args: ["--config", LLM_SERVER_CONFIG, ...flags] });
      runs.push({ name: "task restart", check: "scripts/check-task-restart.ts" });
    }
  }
  for (const r of runs) {
    log(`running the ${r.name} tests…`);
    const { status, reason, counts: c } = r.check ? runCheck(r.check) : runVitest(r.args);
    if (reason) log(`${r.name}: ${reason}`);
    else if (status !== 0 && c.failed === 0) log(`${r.name}: vitest exited with status ${status} before reporting a failed test`);
    if (status !== 0 && c.failed === 0) c.failed = 1; // a crash before any result still fails
    if (status !== 0) exitCode = 1;
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
}
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(exitCode);
