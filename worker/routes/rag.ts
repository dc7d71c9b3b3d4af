/** `POST /api/rag/query`: hybrid retrieval without generation. */
import { Hono } from "hono";
import { providers } from "../config";
import type { AppEnv } from "../http/context";
import { validate } from "../http/validate";
import { RagQuerySchema } from "../schemas";
import { hybridSearch } from "../services/retrieve";

export const ragRoute = new Hono<AppEnv>().post("/query", validate("json", RagQuerySchema), async (c) => {
  const { query, top_k, search_scope } = c.req.valid("json");
  const result = await hybridSearch(c.env, providers(c.env), query, top_k, search_scope);
  c.set("retrieved", result.results.length);
  return c.json(result);
});
