/**
 * Global setup of the browser tests: builds the web client into a folder of its own, starts `wrangler dev --local` on a
 * free port with fresh state (migrated), ingests the OpenTelemetry test folders through
 * `POST /api/ingest/jobs`, and provides `baseUrl` and `chromiumPath` to the test files.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { ingestDocuments } from "../../scripts/lib/ingest-client.ts";
import { applyMigrations, ephemeralPort, logTail, startDevServer } from "../../scripts/lib/bench-server.ts";
import { loadTestCorpus } from "../support/corpus-node.ts";
import { findChromium } from "./support/chromium.ts";

const root = new URL("../..", import.meta.url).pathname;

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  const state = mkdtempSync(join(tmpdir(), "edge-rag-browser-"));
  // A build of its own (served with `--assets`), so that concurrent runs never serve a half-written web/dist.
  const assets = join(state, "dist");
  await build({ configFile: join(root, "web", "vite.config.ts"), logLevel: "warn", build: { outDir: assets } });
  const logFile = join(state, "wrangler.log");
  const ctx = { root, persistTo: join(state, "state") };
  await applyMigrations(ctx, logFile);
  const server = await startDevServer({ ...ctx, port: await ephemeralPort(), inspectorPort: await ephemeralPort(), logFile, extraArgs: ["--assets", assets] });
  try {
    const documents = loadTestCorpus().map((d) => ({ ...d, content_type: "markdown" as const }));
    const result = await ingestDocuments({ documents, empty: [] }, { url: server.url, batchDocs: 50, timeoutMs: 240_000 });
    if (result.failed > 0) throw new Error(`${result.failed} test documents failed to ingest; end of ${logFile}:\n${logTail(logFile)}`);
  } catch (e) {
    await server.stop();
    throw e;
  }
  project.provide("baseUrl", server.url);
  project.provide("chromiumPath", chromiumPath);
  return async () => {
    await server.stop();
    if (!process.env.KEEP_BROWSER_STATE && existsSync(state)) rmSync(state, { recursive: true, force: true });
  };
}
