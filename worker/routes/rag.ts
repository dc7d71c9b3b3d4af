/** `POST /api/rag/query`: hybrid retrieval without generation, by chunk or by document (`group_by`). */
import { Hono } from "hono";
import { providers } from "../config";
import type { AppEnv } from "../http/context";
import { ApiError, validationError } from "../http/errors";
import { ragQuerySchema } from "../schemas";
import { hybridSearch } from "../services/retrieve";

export const ragRoute = new Hono<AppEnv>().post("/query", async (c) => {
  const p = providers(c.env);
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, "malformed_json", "Malformed JSON in request body");
  }
  const parsed = ragQuerySchema(p.config.MAX_TOP_K).safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const { query, top_k, search_scope, mode, group_by } = parsed.data;
  const result = await hybridSearch(c.env, p, query, top_k, { scope: search_scope, mode, groupBy: group_by });
  c.set("retrieved", result.results.length);
  return c.json(result);
});
