/** Bindings added by vitest.config.ts for the tests, and the value provided by global-setup.ts. */
import type { D1Migration } from "cloudflare:test";
import type { AnswerSlice, CorpusDocument } from "./corpus-node";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_CORPUS: CorpusDocument[];
      TEST_CORPUS_KO: CorpusDocument[];
      TEST_ANSWERS_OTEL: AnswerSlice;
      TEST_ANSWERS_KO: AnswerSlice;
      MOCK_OPENAI_URL: string;
    }
  }
}

declare module "vitest" {
  interface ProvidedContext {
    mockOpenAIUrl: string;
  }
}
