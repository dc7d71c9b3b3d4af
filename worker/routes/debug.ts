/**
 * `/api/debug/vector/*`: measurement routes of the local vector index for `npm run bench:scale`,
 * answered only when DEBUG_ROUTES is "on" and VECTOR_INDEX is "local"; otherwise 404 `not_found`,
 * as for an unknown route.
 *
 * - `GET /api/debug/vector/stats`: the VectorStore Durable Object's memory ({@link VectorStoreStats});
 *   loads the index from SQLite first if the object has just started.
 * - `POST /api/debug/vector/recall` `{ queries: string[1..50], top_k?: 1..100 (default 10) }`: per
 *   query, the ids returned by the index's normal query (int8 shortlist + exact re-rank), by the int8
 *   scan alone, and by exact Float32 brute force, each embedded exactly as retrieval embeds queries.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { VectorStoreStats } from "../vector/types";
import { database } from "../db/client";
import { providers, type Providers } from "../config";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { embedQuery } from "../services/retrieve";
import { LocalVectorIndex } from "../vector/local";

/** Body of `POST /api/debug/vector/recall`. */
export const RecallRequestSchema = z.object({
  queries: z.array(z.string().trim().min(1).max(4000)).min(1).max(50),
  top_k: z.number().int().min(1).max(100).default(10),
});

/** One query's rankings from `POST /api/debug/vector/recall`, ids best first. */
export interface RecallRow {
  query: string;
  /** The index's normal query: int8 shortlist, exact re-rank. */
  index: string[];
  /** The int8 scan's own ranking. */
  int8: string[];
  /** Exact brute force over the Float32 vectors. */
  exact: string[];
  /** Milliseconds of the index's normal query, measured in the Worker (RPC included). */
  index_ms: number;
}

/** The local index when the debug routes are on, else a 404 like an unknown route. */
function localIndex(c: Context<AppEnv>): { p: Providers; index: LocalVectorIndex } {
  const p = providers(c.env);
  if (p.config.DEBUG_ROUTES !== "on" || !(p.vectorIndex instanceof LocalVectorIndex)) {
    throw new ApiError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`);
  }
  return { p, index: p.vectorIndex };
}

export const debugRoute = new Hono<AppEnv>()
  .get("/vector/stats", async (c) => {
    const { index } = localIndex(c);
    const stats: VectorStoreStats = await index.stats();
    return c.json(stats);
  })
  .post("/vector/recall", validate("json", RecallRequestSchema), async (c) => {
    const { p, index } = localIndex(c);
    const { queries, top_k } = c.req.valid("json");
    const db = database(c.env.DB);
    const vectors = await Promise.all(queries.map((q) => embedQuery(db, p, q)));
    const rows: RecallRow[] = [];
    for (const [i, vector] of vectors.entries()) {
      const started = performance.now();
      const hits = await index.query(vector, top_k);
      const index_ms = performance.now() - started;
      const int8 = await index.queryApproximate(vector, top_k);
      rows.push({ query: queries[i], index: hits.map((h) => h.id), int8: int8.map((h) => h.id), exact: [], index_ms });
    }
    const exact = await index.queryExact(vectors, top_k);
    exact.forEach((hits, i) => (rows[i].exact = hits.map((h) => h.id)));
    return c.json({ top_k, results: rows });
  });
