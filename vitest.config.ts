/**
 * Tests run inside workerd through the Workers Vitest integration, with the bindings of
 * wrangler.toml (local D1 with the real migrations, Durable Objects, Queues) and remote bindings
 * off. Real corpus pages from ../shared are handed to the tests as a JSON binding.
 * Two projects: `workerd` runs with AUTH_MODE=open, as local development does (anonymous requests
 * may chat and ingest), and `accounts` runs test/integration/access-*.test.ts with AUTH_MODE=
 * accounts, as production does (docs/access.md).
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { loadAnswerSlice, loadKoreanCorpus, loadSciFactSlice, loadTestCorpus } from "./test/support/corpus-node.ts";

/** Files that run with AUTH_MODE=accounts. */
const ACCOUNTS_TESTS = "test/integration/access-*.test.ts";

function workerdProject(name: string, authMode: "open" | "accounts", include: string[], exclude: string[]) {
  return defineProject({
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations("./migrations"),
            TEST_CORPUS: loadTestCorpus() as unknown as Record<string, string>[],
            TEST_CORPUS_KO: loadKoreanCorpus() as unknown as Record<string, string>[],
            TEST_SCIFACT: loadSciFactSlice(200) as unknown as Record<string, string>,
            TEST_ANSWERS_OTEL: loadAnswerSlice("otel") as unknown as Record<string, string>,
            TEST_ANSWERS_KO: loadAnswerSlice("react-ko") as unknown as Record<string, string>,
            MOCK_OPENAI_URL: inject<string>("mockOpenAIUrl"),
            // Alert notifications go to the mock server's webhook sink (test/support/mock-openai.ts).
            ALERT_WEBHOOK_URL: `${inject<string>("mockOpenAIUrl")}/webhook/workerd`,
            // The static admin token (worker/http/admin.ts) and the access-token key in tests.
            ADMIN_TOKEN: "test-admin-token",
            JWT_SECRET: "test-jwt-secret-of-at-least-32-characters",
            AUTH_MODE: authMode,
          },
        },
      })),
    ],
    test: {
      name,
      globalSetup: ["./test/support/global-setup.ts"],
      setupFiles: ["./test/support/apply-migrations.ts"],
      include,
      // test/browser/ runs in Node with its own config (test/browser/vitest.config.ts).
      exclude: ["test/browser/**", "**/node_modules/**", ...exclude],
      // No on-disk module cache: with it, a new worker is sent a snapshot of every cached module its
      // files import, inlined into one WebSocket message, and workerd caps messages at 1 MiB
      // (mathjs alone is ~900 modules).
      fsModuleCache: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  });
}

export default defineConfig({
  test: {
    silent: "passed-only",
    projects: [
      workerdProject("workerd", "open", ["test/**/*.test.ts"], [ACCOUNTS_TESTS]),
      workerdProject("accounts", "accounts", [ACCOUNTS_TESTS], []),
    ],
  },
});
