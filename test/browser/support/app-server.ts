/**
 * A real app server for the browser tests and `npm run bench:web`: the web client built into a
 * folder of its own (so that concurrent runs never serve a half-written web/dist), `wrangler dev
 * --local` on free ports with fresh migrated state serving that build (`--assets`), and the
 * OpenTelemetry test folders of ../shared ingested through `POST /api/ingest/jobs`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { applyMigrations, ephemeralPort, logTail, startDevServer, type DevServer } from "../../../scripts/lib/bench-server.ts";
import { ingestDocuments } from "../../../scripts/lib/ingest-client.ts";
import { loadTestCorpus } from "../../support/corpus-node.ts";

const root = new URL("../../..", import.meta.url).pathname;

/** ADMIN_TOKEN of the app server (the dashboard's sign-in). */
export const BROWSER_ADMIN_TOKEN = "browser-admin-token";

/** A running app server; `stop()` kills it and removes its state (unless KEEP_BROWSER_STATE is set). */
export interface AppServer {
  url: string;
  /** Folder of the build that the server serves. */
  assets: string;
  logFile: string;
  server: DevServer;
  stop(): Promise<void>;
}

/**
 * Builds, starts and fills the server. `corpus: false` skips ingestion (which is anonymous, so
 * only possible with AUTH_MODE=open); `vars` are Worker vars over ADMIN_TOKEN and wrangler.toml's
 * (e.g. `{ AUTH_MODE: "accounts", JWT_SECRET: "…" }`).
 * @throws Error with the end of wrangler's log when the server does not start or a document fails to ingest.
 */
export async function startAppServer(options: { corpus?: boolean; vars?: Record<string, string> } = {}): Promise<AppServer> {
  const state = mkdtempSync(join(tmpdir(), "edge-rag-browser-"));
  const assets = join(state, "dist");
  await build({ configFile: join(root, "web", "vite.config.ts"), logLevel: "warn", build: { outDir: assets, manifest: true } });
  const logFile = join(state, "wrangler.log");
  const ctx = { root, persistTo: join(state, "state") };
  await applyMigrations(ctx, logFile);
  const server = await startDevServer({ ...ctx, port: await ephemeralPort(), inspectorPort: await ephemeralPort(), logFile, vars: { ADMIN_TOKEN: BROWSER_ADMIN_TOKEN, ...options.vars }, extraArgs: ["--assets", assets] });
  const stop = async () => {
    await server.stop();
    if (!process.env.KEEP_BROWSER_STATE && existsSync(state)) rmSync(state, { recursive: true, force: true });
  };
  try {
    if (options.corpus !== false) {
      const documents = loadTestCorpus().map((d) => ({ ...d, content_type: "markdown" as const }));
      const result = await ingestDocuments({ documents, empty: [] }, { url: server.url, batchDocs: 50, timeoutMs: 240_000 });
      if (result.failed > 0) throw new Error(`${result.failed} test documents failed to ingest; end of ${logFile}:\n${logTail(logFile)}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: server.url, assets, logFile, server, stop };
}
