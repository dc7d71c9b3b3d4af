#!/usr/bin/env node
/**
 * `npm run deploy:pages -- --api-origin https://edge-rag.<account>.workers.dev [--project-name NAME] [--dry-run]`
 *
 * Builds the web client for Cloudflare Pages with the API on another origin (VITE_API_ORIGIN:
 * requests, the WebSocket and the CSP's connect-src name it) and deploys web/dist with
 * `wrangler pages deploy`. The Worker must allow the Pages origin: set CORS_ORIGIN in
 * wrangler.toml ([env.production.vars]) to it and deploy the Worker. Pages serves index.html for
 * unknown paths (client-side routes) and applies web/dist/_headers (the CSP).
 * `--dry-run` builds and prints the deploy command without running it (no account needed).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bin, ensureInstalled, projectEnv, root } from "./lib/install.mjs";

const log = (message) => process.stdout.write(`[edge-rag] ${message}\n`);
const { values } = parseArgs({
  options: {
    "api-origin": { type: "string", default: process.env.EDGE_RAG_API_ORIGIN },
    "project-name": { type: "string", default: "edge-rag-web" },
    "dry-run": { type: "boolean", default: false },
  },
});

let origin;
try {
  origin = new URL(values["api-origin"] ?? "").origin;
} catch {
  log("give the Worker's origin: --api-origin https://edge-rag.<account>.workers.dev (or EDGE_RAG_API_ORIGIN)");
  process.exit(2);
}
if (!origin.startsWith("https://") && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) {
  log(`the API origin must be https (got ${origin})`);
  process.exit(2);
}

const installFailure = ensureInstalled(log);
if (installFailure) {
  log(installFailure);
  process.exit(1);
}
const env = projectEnv({ VITE_API_ORIGIN: origin });
log(`building web/ for Pages with the API at ${origin}…`);
const built = spawnSync(join(bin, "vite"), ["build", "--config", join(root, "web", "vite.config.ts")], { cwd: root, stdio: "inherit", env });
if (built.status !== 0) process.exit(built.status ?? 1);

const deploy = ["pages", "deploy", join(root, "web", "dist"), "--project-name", values["project-name"]];
if (values["dry-run"]) {
  log(`dry run: wrangler ${deploy.join(" ")}`);
  process.exit(0);
}
const result = spawnSync(join(bin, "wrangler"), deploy, { cwd: root, stdio: "inherit", env });
if (result.status === 0) log(`deployed. Set CORS_ORIGIN to the Pages origin (e.g. https://${values["project-name"]}.pages.dev) for the Worker and redeploy it.`);
process.exit(result.status ?? 1);
