/** `GET /health`: version and the providers in use. */
import { Hono } from "hono";
import { providers } from "../config";
import type { AppEnv } from "../http/context";

export const health = new Hono<AppEnv>().get("/", (c) => {
  const p = providers(c.env);
  return c.json({
    status: "ok",
    version: p.config.APP_VERSION,
    providers: { embedding: p.embedder.name, generation: p.generator.name, vector_index: p.vectorIndex.name },
  });
});
