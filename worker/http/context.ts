/** Hono environment type of the app: bindings from `wrangler types`, per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Session of a chat request, for the request log. */
    sessionId?: string;
    /** Number of chunks retrieved, for the request log. */
    retrieved?: number;
  };
}
