/** Bindings added by vitest.config.ts for the tests. */
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_CORPUS: import("./corpus-node").CorpusDocument[];
    MOCK_OPENAI_URL: string;
  }
}
declare module "vitest" {
  interface ProvidedContext {
    mockOpenAIUrl: string;
  }
}
