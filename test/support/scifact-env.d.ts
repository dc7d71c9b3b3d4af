/** The TEST_SCIFACT binding added by vitest.config.ts (loadSciFactSlice in corpus-node.ts). */
import type { EvalSlice } from "./corpus-node";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_SCIFACT: EvalSlice;
    }
  }
}
