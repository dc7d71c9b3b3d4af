/**
 * VectorStore: the local vector index (development and tests). Vectors are kept exactly in SQLite
 * storage as Float32 BLOBs (L2-normalised on upsert, so cosine = dot product). In memory the index
 * holds them scalar-quantised to int8 (one scale per vector) in one contiguous matrix: about a
 * quarter of the Float32 size, so 100,000 × 512-dimension vectors take ~51 MB and fit the 128 MB
 * Durable Object limit. A query scans the int8 matrix, keeps the best `RERANK_DEPTH` candidates and
 * re-ranks them with the exact Float32 vectors read back from SQLite, so the returned scores are
 * exact cosine similarities and the ranking matches exact search unless the true top-k falls
 * outside the int8 shortlist (see BENCHMARKS.md for the measured recall).
 */
import { DurableObject } from "cloudflare:workers";
import { l2Normalize, TopK } from "../worker/rag/cosine";
import { matchesFilter, type VectorFilter, type VectorMatch, type VectorMetadata } from "../worker/vector/types";

/** Candidates kept from the int8 scan for exact re-ranking: max(RERANK_DEPTH, 4 × topK). */
export const RERANK_DEPTH = 200;

/**
 * Memory held by the in-memory index, from {@link VectorStore.stats}. Typed arrays are counted
 * exactly (their allocated `byteLength`, spare capacity included); JavaScript strings, objects and
 * Maps can only be estimated (V8 object sizes: 16-byte string header plus one byte per Latin-1
 * character, ~40 bytes per Map entry, ~24 bytes per object property).
 */
export interface VectorStoreStats {
  /** Vectors in the index. */
  rows: number;
  /** Dimensions of every vector; 0 when the index is empty. */
  dims: number;
  /** Short description of the in-memory layout. */
  layout: string;
  /** Exact bytes of each typed array of the index. */
  typedArrayBytes: Record<string, number>;
  /** Estimated bytes of the index's JavaScript strings, objects and Maps. */
  estimatedObjectBytes: Record<string, number>;
  /** Sum of `typedArrayBytes` and `estimatedObjectBytes`. */
  totalBytes: number;
  /** Milliseconds the last load from SQLite took, or null when the index was built by upserts only. */
  loadMs: number | null;
}

/** A vector as passed over RPC. */
export interface StoredVector {
  id: string;
  values: Float32Array;
  metadata: VectorMetadata;
}

/** Scalar quantisation of a unit vector: codes in -127..127 and the scale that maps them back. */
export function quantize(v: Float32Array, codes: Int8Array, offset: number): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  const scale = max === 0 ? 1 : max / 127;
  for (let i = 0; i < v.length; i++) codes[offset + i] = Math.round(v[i] / scale);
  return scale;
}

/** In-memory int8 matrix with row ids and metadata; rows are kept dense by swap-remove. */
class QuantizedMatrix {
  codes: Int8Array;
  scales: Float32Array;
  ids: string[] = [];
  metadata: VectorMetadata[] = [];
  rowOf = new Map<string, number>();

  constructor(readonly dims: number, capacity = 1024) {
    this.codes = new Int8Array(capacity * dims);
    this.scales = new Float32Array(capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  set(id: string, vector: Float32Array, metadata: VectorMetadata): void {
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if (row === this.scales.length) this.grow();
      this.ids.push(id);
      this.metadata.push(metadata);
      this.rowOf.set(id, row);
    } else {
      this.metadata[row] = metadata;
    }
    this.scales[row] = quantize(vector, this.codes, row * this.dims);
  }

  delete(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      this.codes.copyWithin(row * this.dims, last * this.dims, (last + 1) * this.dims);
      this.scales[row] = this.scales[last];
      this.ids[row] = this.ids[last];
      this.metadata[row] = this.metadata[last];
      this.rowOf.set(this.ids[row], row);
    }
    this.ids.pop();
    this.metadata.pop();
    this.rowOf.delete(id);
    return true;
  }

  /** Approximate scores (dot product with the dequantised rows) of every row passing `filter`. */
  scan(q: Float32Array, depth: number, filter?: VectorFilter): { score: number; item: number }[] {
    const best = new TopK<number>(depth);
    const { codes, scales, dims } = this;
    for (let row = 0, n = this.ids.length; row < n; row++) {
      if (filter && !matchesFilter(this.metadata[row], filter)) continue;
      let s = 0;
      const base = row * dims;
      for (let i = 0; i < dims; i++) s += q[i] * codes[base + i];
      best.push(s * scales[row], row);
    }
    return best.result();
  }

  private grow(): void {
    const capacity = this.scales.length * 2;
    const codes = new Int8Array(capacity * this.dims);
    codes.set(this.codes);
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    this.codes = codes;
    this.scales = scales;
  }
}

export class VectorStore extends DurableObject<Env> {
  private index: QuantizedMatrix | null = null;
  private loaded = false;
  private loadMs: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, metadata TEXT NOT NULL)");
    });
  }

  /** Loads the int8 index from SQLite on first use. */
  private load(): QuantizedMatrix | null {
    if (this.loaded) return this.index;
    const started = performance.now();
    for (const row of this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer; metadata: string }>("SELECT id, vector, metadata FROM vectors")) {
      const vector = new Float32Array(row.vector.slice(0));
      this.index ??= new QuantizedMatrix(vector.length);
      this.index.set(row.id, vector, JSON.parse(row.metadata));
    }
    this.loaded = true;
    this.loadMs = performance.now() - started;
    return this.index;
  }

  /** Inserts or replaces vectors. Throws when dimensions differ from the stored vectors'. */
  upsert(records: StoredVector[]): number {
    const index = this.load();
    const dims = index?.dims ?? records[0]?.values.length;
    for (const r of records) {
      if (r.values.length !== dims) throw new Error(`vector ${r.id} has ${r.values.length} dimensions, index has ${dims}`);
    }
    const normalised = records.map((r) => ({ ...r, values: l2Normalize(Float32Array.from(r.values)) }));
    this.ctx.storage.transactionSync(() => {
      for (const r of normalised) {
        this.ctx.storage.sql.exec(
          "INSERT OR REPLACE INTO vectors (id, vector, metadata) VALUES (?, ?, ?)",
          r.id,
          r.values.buffer as ArrayBuffer,
          JSON.stringify(r.metadata ?? {}),
        );
      }
    });
    if (normalised.length > 0) this.index ??= new QuantizedMatrix(dims!);
    for (const r of normalised) this.index!.set(r.id, r.values, r.metadata ?? {});
    return this.index?.size ?? 0;
  }

  /** The `topK` (clamped to 1..100) most similar vectors passing `filter`, best first, exact scores. */
  query(vector: Float32Array, topK: number, filter?: VectorFilter): VectorMatch[] {
    const index = this.load();
    if (!index || index.size === 0) return [];
    if (vector.length !== index.dims) throw new Error(`query has ${vector.length} dimensions, index has ${index.dims}`);
    const k = Math.min(Math.max(Math.floor(topK), 1), 100);
    const q = l2Normalize(Float32Array.from(vector));
    const shortlist = index.scan(q, Math.max(RERANK_DEPTH, 4 * k), filter);
    const ids = shortlist.map((c) => index.ids[c.item]);
    const exact = new TopK<string>(k);
    const rows = this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer }>(
      "SELECT id, vector FROM vectors WHERE id IN (SELECT value FROM json_each(?))",
      JSON.stringify(ids),
    );
    for (const row of rows) {
      const v = new Float32Array(row.vector);
      let s = 0;
      for (let i = 0; i < v.length; i++) s += q[i] * v[i];
      exact.push(s, row.id);
    }
    return exact.result().map((r) => ({ id: r.item, score: r.score }));
  }

  /** The approximate (int8) ranking alone, for measuring the recall of the shortlist. */
  queryApproximate(vector: Float32Array, topK: number, filter?: VectorFilter): VectorMatch[] {
    const index = this.load();
    if (!index || index.size === 0) return [];
    const q = l2Normalize(Float32Array.from(vector));
    return index.scan(q, Math.min(Math.max(Math.floor(topK), 1), 100), filter).map((c) => ({ id: index.ids[c.item], score: c.score }));
  }

  /** Deletes vectors by id; returns how many existed. */
  deleteByIds(ids: string[]): number {
    const index = this.load();
    let deleted = 0;
    this.ctx.storage.transactionSync(() => {
      for (const id of ids) {
        if (!index?.delete(id)) continue;
        this.ctx.storage.sql.exec("DELETE FROM vectors WHERE id = ?", id);
        deleted++;
      }
    });
    if (index && index.size === 0) this.index = null;
    return deleted;
  }

  /**
   * Exact brute-force search over the Float32 vectors in SQLite (no int8 shortlist), for measuring
   * the recall of {@link query}: one pass over the stored vectors for all of `vectors`.
   *
   * @param vectors Query vectors, each of the index's dimensions (L2-normalised here).
   * @param topK Results per query, clamped to 1..100.
   * @returns Per query, the `topK` best matches by exact cosine similarity, best first.
   */
  queryExact(vectors: Float32Array[], topK: number, filter?: VectorFilter): VectorMatch[][] {
    const k = Math.min(Math.max(Math.floor(topK), 1), 100);
    const queries = vectors.map((v) => l2Normalize(Float32Array.from(v)));
    const best = queries.map(() => new TopK<string>(k));
    for (const row of this.ctx.storage.sql.exec<{ id: string; vector: ArrayBuffer; metadata: string }>("SELECT id, vector, metadata FROM vectors")) {
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

  /** Memory held by the in-memory index (loads it first); see {@link VectorStoreStats}. */
  stats(): VectorStoreStats {
    const index = this.load();
    const typedArrayBytes = { codes: index?.codes.byteLength ?? 0, scales: index?.scales.byteLength ?? 0 };
    let idChars = 0;
    let metadataBytes = 0;
    for (let row = 0; row < (index?.size ?? 0); row++) {
      idChars += index!.ids[row].length;
      // An object header, then per property a slot and (for strings) the string; keys are shared.
      metadataBytes += 32;
      for (const value of Object.values(index!.metadata[row])) metadataBytes += 24 + (typeof value === "string" ? 16 + value.length : 8);
    }
    const rows = index?.size ?? 0;
    const estimatedObjectBytes = { ids: rows * (16 + 8) + idChars, metadata: metadataBytes, rowOf: rows * 40 };
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    return {
      rows,
      dims: index?.dims ?? 0,
      layout: "row-major int8 matrix (capacity doubling), id strings, metadata objects, Map id → row",
      typedArrayBytes,
      estimatedObjectBytes,
      totalBytes: sum(typedArrayBytes) + sum(estimatedObjectBytes),
      loadMs: this.loadMs,
    };
  }

  /** Number of stored vectors. */
  count(): number {
    return this.load()?.size ?? 0;
  }
}
