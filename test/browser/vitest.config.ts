/**
 * Browser tests: Node-side Vitest driving Debian's Chromium with playwright-core against a real
 * `wrangler dev --local` server that serves the built web client (web/dist) and the API, over
 * OpenTelemetry pages from ../shared. One server for all files (global-setup.ts); files run one
 * after another, each with its own browser.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "browser",
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["./test/browser/global-setup.ts"],
    environment: "node",
    fileParallelism: false,
    silent: "passed-only",
    testTimeout: 90_000,
    hookTimeout: 300_000,
  },
});
