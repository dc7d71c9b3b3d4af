/**
 * Vitest config of the local model server's test (llm-server.test.ts), in Node, apart from the
 * workerd and browser suites of `npm test`:
 *
 *   LLM_MODEL_PATH=/path/to/model.gguf npx vitest run --config scripts/lib/llm-server/vitest.config.ts
 *
 * Without LLM_MODEL_PATH the tests that need a model are skipped with a note saying so.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "llm-server",
    root: new URL("../../..", import.meta.url).pathname,
    include: ["scripts/lib/llm-server/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
