/** `GET /health`: version, the providers in use, and the limits a client checks before sending (bytes). */
import { Hono } from "hono";
import { graphModels } from "../agents/graph/select";
import { createWebSearch } from "../agents/web/tavily";
import { providers } from "../config";
import type { AppEnv } from "../http/context";

export const health = new Hono<AppEnv>().get("/", (c) => {
  const p = providers(c.env);
  const web = createWebSearch(c.env as unknown as { TAVILY_API_KEY?: string; TAVILY_BASE_URL?: string });
  return c.json({
    status: "ok",
    version: p.config.APP_VERSION,
    providers: {
      embedding: p.embedder.name,
      generation: p.generator.name,
      vector_index: p.vectorIndex.name,
      agent: graphModels(p.config, c.env).name,
      web_search: web ? web.name : "disabled",
    },
    limits: { max_document_bytes: p.config.MAX_DOCUMENT_BYTES },
  });
});
