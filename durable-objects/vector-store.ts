/**
 * VectorStore: the local vector index (development and tests). Vectors are kept in SQLite storage
 * as Float32 BLOBs and served from memory after the first query; search is exact cosine
 * similarity (vectors are L2-normalised on upsert, so cosine = dot product).
 */
import { DurableObject } from "cloudflare:workers";
import { dot, l2Normalize, TopK } from "../worker/rag/cosine";
import { matchesFilter, type VectorFilter, type VectorMatch, type VectorMetadata } from "../worker/vector/types";

interface Entry {
  vector: Float32Array;
  metadata: VectorMetadata;
}

/** A vector as passed over RPC. */
export interface StoredVector {
  id: string;
  values: Float32Array;
  metadata: VectorMetadata;
}

export class VectorStore extends DurableObject<Env> {
  private cache: Map<string, Entry> | null = null;
  private dimensions: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, metadata TEXT NOT NULL)",
      );
    });
  }

  private load(): Map<string, Entry> {
    if (this.cache) return this.cache;
    const cache = new Map<string, Entry>();
    for (const row of this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer; metadata: string }>("SELECT id, vector, metadata FROM vectors")) {
      const vector = new Float32Array(row.vector.slice(0));
      this.dimensions ??= vector.length;
      cache.set(row.id, { vector, metadata: JSON.parse(row.metadata) });
    }
    this.cache = cache;
    return cache;
  }

  /** Inserts or replaces vectors. Throws when dimensions differ from the stored vectors'. */
  upsert(records: StoredVector[]): number {
    const cache = this.load();
    for (const r of records) {
      const dims = this.dimensions ?? r.values.length;
      if (r.values.length !== dims) throw new Error(`vector ${r.id} has ${r.values.length} dimensions, index has ${dims}`);
    }
    this.ctx.storage.transactionSync(() => {
      for (const r of records) {
        const vector = l2Normalize(Float32Array.from(r.values));
        this.ctx.storage.sql.exec(
          "INSERT OR REPLACE INTO vectors (id, vector, metadata) VALUES (?, ?, ?)",
          r.id,
          vector.buffer as ArrayBuffer,
          JSON.stringify(r.metadata ?? {}),
        );
        this.dimensions ??= vector.length;
        cache.set(r.id, { vector, metadata: r.metadata ?? {} });
      }
    });
    return cache.size;
  }

  /** The `topK` (clamped to 1..100) most similar vectors passing `filter`, best first. */
  query(vector: Float32Array, topK: number, filter?: VectorFilter): VectorMatch[] {
    const cache = this.load();
    if (this.dimensions !== null && vector.length !== this.dimensions) {
      throw new Error(`query has ${vector.length} dimensions, index has ${this.dimensions}`);
    }
    const q = l2Normalize(Float32Array.from(vector));
    const best = new TopK<string>(Math.min(Math.max(Math.floor(topK), 1), 100));
    for (const [id, entry] of cache) {
      if (filter && !matchesFilter(entry.metadata, filter)) continue;
      best.push(dot(q, entry.vector), id);
    }
    return best.result().map((r) => ({ id: r.item, score: r.score }));
  }

  /** Deletes vectors by id; returns how many existed. */
  deleteByIds(ids: string[]): number {
    const cache = this.load();
    let deleted = 0;
    this.ctx.storage.transactionSync(() => {
      for (const id of ids) {
        if (!cache.delete(id)) continue;
        this.ctx.storage.sql.exec("DELETE FROM vectors WHERE id = ?", id);
        deleted++;
      }
    });
    if (cache.size === 0) this.dimensions = null;
    return deleted;
  }

  /** Number of stored vectors. */
  count(): number {
    return this.load().size;
  }
}
