/**
 * Global setup of the browser tests: one app server (support/app-server.ts: its own build of the
 * client, `wrangler dev --local`, the OpenTelemetry test folders ingested) for every file, seeded
 * with a week of quality-loop history through the API (scripts/lib/seed-monitoring.ts: runs,
 * alerts, proposals, validations), and `baseUrl`, `chromiumPath`, `adminToken` and what the seed
 * wrote (`seed`) provided to the test files.
 */
import type { TestProject } from "vitest/node";
import { seedMonitoring } from "../../scripts/lib/seed-monitoring.ts";
import type { SeedSummary } from "../../scripts/lib/seed-monitoring.ts";
import { BROWSER_ADMIN_TOKEN, startAppServer } from "./support/app-server.ts";
import { findChromium } from "./support/chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
    /** ADMIN_TOKEN of the app server. */
    adminToken: string;
    /** What the quality-loop seed wrote: run ids, alerts, the four proposals, the rules it created. */
    seed: SeedSummary;
  }
}

export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  const app = await startAppServer();
  try {
    const started = performance.now();
    const seed = await seedMonitoring({ url: app.url, adminToken: BROWSER_ADMIN_TOKEN });
    console.log(
      `[browser] seeded the quality loop in ${((performance.now() - started) / 1000).toFixed(1)} s: ${seed.runs.length} runs, ` +
        `${seed.alerts.length} alerts, ${seed.proposals.length} proposals (${seed.proposals.map((p) => p.status).join(", ")})`,
    );
    project.provide("seed", seed);
  } catch (e) {
    await app.stop();
    throw e;
  }
  project.provide("baseUrl", app.url);
  project.provide("chromiumPath", chromiumPath);
  project.provide("adminToken", BROWSER_ADMIN_TOKEN);
  return () => app.stop();
}
