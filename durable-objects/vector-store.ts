/**
 * VectorStore: the local vector index (development and tests). Vectors are kept exactly in SQLite
 * storage as Float32 BLOBs (L2-normalised on upsert, so cosine = dot product), one row per vector
 * with an integer key `seq`. In memory the object keeps only a {@link QuantizedIndex}: the vectors
 * quantised to int8 in column-major blocks, and per row its scale, its `seq` and dictionary codes
 * of its metadata (no id strings, no metadata objects): at 100,000 × 512 dimensions about 54 MB,
 * within the 128 MB Durable Object limit (measured by `npm run bench:scale`, see BENCHMARKS.md).
 *
 * A query scans the int8 index, keeps the best `max(RERANK_DEPTH, 4 × topK)` rows and re-ranks
 * them with their exact Float32 vectors read back from SQLite, so returned scores are exact cosine
 * similarities, and the ranking equals exact search unless a true top-k row falls outside the
 * int8 shortlist (Recall@10 against exact search is measured by the benchmark).
 */
import { DurableObject } from "cloudflare:workers";
import { l2Normalize, TopK } from "../worker/rag/cosine";
import { QuantizedIndex } from "../worker/vector/quantized";
import { inIdOrder, matchesFilter, MAX_GET_BY_IDS, type VectorFilter, type VectorMatch, type VectorMetadata, type VectorStoreStats } from "../worker/vector/types";

/** Candidates kept from the int8 scan for exact re-ranking: max(RERANK_DEPTH, 4 × topK). */
export const RERANK_DEPTH = 200;


/** A vector as passed over RPC. */
export interface StoredVector {
  id: string;
  values: Float32Array;
  metadata: VectorMetadata;
}

/**
 * Creates the `vector_rows` table and moves the rows of the first version's `vectors` table
 * (`id TEXT PRIMARY KEY, vector, metadata`, whose implicit rowids SQLite may renumber on VACUUM)
 * into it, in one transaction.
 *
 * @param storage The object's storage.
 * @returns The number of rows moved from a `vectors` table (0 when there was none).
 */
export function migrateVectorTables(storage: DurableObjectStorage): number {
  return storage.transactionSync(() => {
    storage.sql.exec("CREATE TABLE IF NOT EXISTS vector_rows (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, vector BLOB NOT NULL, metadata TEXT NOT NULL)");
    const legacy = storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'vectors'").one().n;
    if (legacy === 0) return 0;
    const moved = storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM vectors").one().n;
    storage.sql.exec("INSERT OR REPLACE INTO vector_rows (id, vector, metadata) SELECT id, vector, metadata FROM vectors");
    storage.sql.exec("DROP TABLE vectors");
    return moved;
  });
}

export class VectorStore extends DurableObject<Env> {
  private index: QuantizedIndex | null = null;
  private loaded = false;
  private loadMs: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrateVectorTables(ctx.storage);
    });
  }

  /** Builds the int8 index from SQLite on first use. */
  private load(): QuantizedIndex | null {
    if (this.loaded) return this.index;
    const started = performance.now();
    for (const row of this.ctx.storage.sql.exec<{ seq: number; vector: ArrayBuffer; metadata: string }>("SELECT seq, vector, metadata FROM vector_rows ORDER BY seq")) {
      const vector = new Float32Array(row.vector);
      this.index ??= new QuantizedIndex(vector.length);
      this.index.append(row.seq, vector, JSON.parse(row.metadata));
    }
    this.loaded = true;
    this.loadMs = performance.now() - started;
    return this.index;
  }

  /**
   * Inserts or replaces vectors by id (a later record of the same id wins). Vectors are stored
   * L2-normalised.
   *
   * @returns The number of vectors in the index afterwards.
   * @throws Error when a vector's dimensions differ from the index's (or, in an empty index, from
   *   the first record's); nothing is written then.
   */
  upsert(records: StoredVector[]): number {
    const index = this.load();
    const dims = index?.dims ?? records[0]?.values.length;
    for (const r of records) {
      if (r.values.length !== dims) throw new Error(`vector ${r.id} has ${r.values.length} dimensions, index has ${dims}`);
    }
    if (records.length === 0) return index?.size ?? 0;
    const normalised = records.map((r) => ({ ...r, metadata: r.metadata ?? {}, values: l2Normalize(Float32Array.from(r.values)) }));
    const sql = this.ctx.storage.sql;
    const existing = new Set(
      sql.exec<{ seq: number }>("SELECT seq FROM vector_rows WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(normalised.map((r) => r.id))).toArray().map((r) => r.seq),
    );
    const seqs = this.ctx.storage.transactionSync(() =>
      normalised.map(
        (r) =>
          sql
            .exec<{ seq: number }>(
              "INSERT INTO vector_rows (id, vector, metadata) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET vector = excluded.vector, metadata = excluded.metadata RETURNING seq",
              r.id,
              r.values.buffer as ArrayBuffer,
              JSON.stringify(r.metadata),
            )
            .one().seq,
      ),
    );
    const target = (this.index ??= new QuantizedIndex(dims!));
    const slots = target.slotsOf(existing);
    normalised.forEach((r, i) => {
      const slot = slots.get(seqs[i]);
      if (slot === undefined) slots.set(seqs[i], target.append(seqs[i], r.values, r.metadata));
      else target.update(slot, r.values, r.metadata);
    });
    return target.size;
  }

  /**
   * The `topK` (clamped to 1..100) most similar vectors passing `filter`, best first, with exact
   * cosine scores; see the module comment for the int8 shortlist.
   *
   * @throws Error when `vector` does not have the index's dimensions.
   */
  query(vector: Float32Array, topK: number, filter?: VectorFilter): VectorMatch[] {
    const index = this.load();
    if (!index || index.size === 0) return [];
    if (vector.length !== index.dims) throw new Error(`query has ${vector.length} dimensions, index has ${index.dims}`);
    const k = Math.min(Math.max(Math.floor(topK), 1), 100);
    const q = l2Normalize(Float32Array.from(vector));
    const shortlist = index.scan(q, Math.max(RERANK_DEPTH, 4 * k), filter);
    if (shortlist.length === 0) return [];
    const exact = new TopK<string>(k);
    const rows = this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer }>(
      "SELECT id, vector FROM vector_rows WHERE seq IN (SELECT value FROM json_each(?))",
      JSON.stringify(shortlist.map((c) => c.key)),
    );
    for (const row of rows) {
      const v = new Float32Array(row.vector);
      let s = 0;
      for (let i = 0; i < v.length; i++) s += q[i] * v[i];
      exact.push(s, row.id);
    }
    return exact.result().map((r) => ({ id: r.item, score: r.score }));
  }

  /**
   * The int8 scan's own ranking (approximate scores, no re-ranking), for measuring the shortlist.
   *
   * @throws Error when `vector` does not have the index's dimensions.
   */
  queryApproximate(vector: Float32Array, topK: number, filter?: VectorFilter): VectorMatch[] {
    const index = this.load();
    if (!index || index.size === 0) return [];
    if (vector.length !== index.dims) throw new Error(`query has ${vector.length} dimensions, index has ${index.dims}`);
    const q = l2Normalize(Float32Array.from(vector));
    const hits = index.scan(q, Math.min(Math.max(Math.floor(topK), 1), 100), filter);
    const ids = new Map(
      this.ctx.storage.sql
        .exec<{ seq: number; id: string }>("SELECT seq, id FROM vector_rows WHERE seq IN (SELECT value FROM json_each(?))", JSON.stringify(hits.map((h) => h.key)))
        .toArray()
        .map((r) => [r.seq, r.id]),
    );
    return hits.map((h) => ({ id: ids.get(h.key)!, score: h.score }));
  }

  /**
   * Exact brute-force search over the Float32 vectors in SQLite (no int8 shortlist), for measuring
   * the recall of {@link query}: one pass over the stored vectors for all of `vectors`.
   *
   * @param vectors Query vectors, each of the index's dimensions (L2-normalised here).
   * @param topK Results per query, clamped to 1..100.
   * @returns Per query, the `topK` best matches by exact cosine similarity, best first.
   * @throws Error when a query's dimensions differ from the stored vectors'.
   */
  queryExact(vectors: Float32Array[], topK: number, filter?: VectorFilter): VectorMatch[][] {
    const k = Math.min(Math.max(Math.floor(topK), 1), 100);
    const queries = vectors.map((v) => l2Normalize(Float32Array.from(v)));
    const best = queries.map(() => new TopK<string>(k));
    for (const row of this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer; metadata: string }>("SELECT id, vector, metadata FROM vector_rows")) {
      if (filter && !matchesFilter(JSON.parse(row.metadata), filter)) continue;
      const v = new Float32Array(row.vector);
      for (let j = 0; j < queries.length; j++) {
        const q = queries[j];
        if (q.length !== v.length) throw new Error(`query has ${q.length} dimensions, index has ${v.length}`);
        let s = 0;
        for (let i = 0; i < v.length; i++) s += q[i] * v[i];
        best[j].push(s, row.id);
      }
    }
    return best.map((b) => b.result().map((r) => ({ id: r.item, score: r.score })));
  }

  /**
   * The stored (L2-normalised) Float32 vectors of `ids`, read from SQLite, in the order of `ids`;
   * unknown ids are left out. At most MAX_GET_BY_IDS ids are read.
   */
  getByIds(ids: string[]): { id: string; values: Float32Array }[] {
    const wanted = ids.slice(0, MAX_GET_BY_IDS);
    const found = new Map(
      this.ctx.storage.sql
        .exec<{ id: string; vector: ArrayBuffer }>("SELECT id, vector FROM vector_rows WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(wanted))
        .toArray()
        .map((r) => [r.id, new Float32Array(r.vector)]),
    );
    return inIdOrder(wanted, found);
  }

  /**
   * Deletes vectors by id; unknown ids are ignored.
   *
   * @returns How many of the ids existed.
   */
  deleteByIds(ids: string[]): number {
    const index = this.load();
    if (ids.length === 0) return 0;
    const seqs = this.ctx.storage.transactionSync(() =>
      this.ctx.storage.sql
        .exec<{ seq: number }>("DELETE FROM vector_rows WHERE id IN (SELECT value FROM json_each(?)) RETURNING seq", JSON.stringify(ids))
        .toArray()
        .map((r) => r.seq),
    );
    if (index && seqs.length > 0) {
      index.removeSlots(index.slotsOf(new Set(seqs)).values());
      if (index.size === 0) this.index = null;
    }
    return seqs.length;
  }

  /** Number of stored vectors. */
  count(): number {
    return this.load()?.size ?? 0;
  }

  /** Memory held by the in-memory index (loads it first); see {@link VectorStoreStats}. */
  stats(): VectorStoreStats {
    const index = this.load();
    const memory = index?.memory();
    const typedArrayBytes: Record<string, number> = { ...(memory?.typedArrayBytes ?? {}) };
    const estimatedObjectBytes: Record<string, number> = { ...(memory?.estimatedObjectBytes ?? {}) };
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    return {
      rows: index?.size ?? 0,
      dims: index?.dims ?? 0,
      layout: "int8 codes in column-major blocks of 1,024 rows; per row Float32 scale, Float64 SQLite key, Uint32 metadata codes; metadata dictionaries",
      typedArrayBytes,
      estimatedObjectBytes,
      totalBytes: sum(typedArrayBytes) + sum(estimatedObjectBytes),
      loadMs: this.loadMs,
    };
  }
}
