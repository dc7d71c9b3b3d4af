/**
 * Global setup of the browser tests: one app server (support/app-server.ts: its own build of the
 * client, `wrangler dev --local`, the OpenTelemetry test folders ingested) for every file, and
 * `baseUrl` and `chromiumPath` provided to the test files.
 */
import type { TestProject } from "vitest/node";
import { BROWSER_ADMIN_TOKEN, startAppServer } from "./support/app-server.ts";
import { findChromium } from "./support/chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
    /** ADMIN_TOKEN of the app server. */
    adminToken: string;
  }
}

export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  const app = await startAppServer();
  project.provide("baseUrl", app.url);
  project.provide("chromiumPath", chromiumPath);
  project.provide("adminToken", BROWSER_ADMIN_TOKEN);
  return () => app.stop();
}
