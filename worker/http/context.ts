import type { Principal } from "../auth/principal";

/** Hono environment type of the app: bindings from `wrangler types`, per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Who the request acts as (worker/http/auth.ts); set for every /api, /v1 and /ws request. */
    principal: Principal;
    /** Session of a chat request, for the request log. */
    sessionId?: string;
    /** Number of chunks retrieved, for the request log. */
    retrieved?: number;
  };
}
