/**
 * One vector index interface over Cloudflare Vectorize (production) and the local exact index in
 * the VectorStore Durable Object (local development and tests).
 */

/** Scalar metadata stored with a vector (Vectorize supports string, number and boolean values). */
export type VectorMetadata = Record<string, string | number | boolean>;

/** A vector to store; `id` at most 64 bytes (Vectorize's limit). */
export interface VectorRecord {
  id: string;
  values: Float32Array | number[];
  metadata?: VectorMetadata;
}

/** Metadata filter: equality, or `$in` over a list, per key (a subset of Vectorize's filter language). */
export type VectorFilter = Record<string, string | number | boolean | { $eq: string | number | boolean } | { $in: (string | number | boolean)[] }>;

/** A query hit; `score` is cosine similarity in -1..1, higher is closer. */
export interface VectorMatch {
  id: string;
  score: number;
}

export interface VectorIndex {
  /** Implementation name reported by /health, e.g. "local-exact" or "vectorize". */
  readonly name: string;
  /** Inserts or replaces vectors by id. */
  upsert(records: readonly VectorRecord[]): Promise<void>;
  /** The `topK` (1..100) nearest vectors to `vector` that pass `filter`, best first. */
  query(vector: Float32Array, topK: number, filter?: VectorFilter): Promise<VectorMatch[]>;
  /** Deletes vectors by id; unknown ids are ignored. */
  deleteByIds(ids: readonly string[]): Promise<void>;
  /**
   * The stored vectors of `ids` (the first {@link MAX_GET_BY_IDS}, Vectorize's limit per call), as
   * stored (the local index stores them L2-normalised), in the order of `ids`; unknown ids are left out.
   */
  getByIds(ids: readonly string[]): Promise<{ id: string; values: Float32Array }[]>;
}

/** Most ids one `getByIds` call reads (Vectorize's limit per call). */
export const MAX_GET_BY_IDS = 100;

/** The vectors of `found` in the order of `ids`, ids missing from `found` left out (for `getByIds`). */
export function inIdOrder(ids: readonly string[], found: ReadonlyMap<string, Float32Array>): { id: string; values: Float32Array }[] {
  return ids.flatMap((id) => {
    const values = found.get(id);
    return values ? [{ id, values }] : [];
  });
}

/** True when `metadata` passes `filter` (every key must match). */
export function matchesFilter(metadata: VectorMetadata | undefined, filter: VectorFilter | undefined): boolean {
  if (!filter) return true;
  for (const [key, cond] of Object.entries(filter)) {
    const value = metadata?.[key];
    if (cond !== null && typeof cond === "object") {
      if ("$eq" in cond && value !== cond.$eq) return false;
      if ("$in" in cond && (value === undefined || !cond.$in.includes(value))) return false;
    } else if (value !== cond) return false;
  }
  return true;
}

/**
 * Memory held by the in-memory index, from the VectorStore Durable Object's `stats()`. Typed arrays are counted
 * exactly (their allocated `byteLength`, spare capacity included); JavaScript strings, objects and
 * Maps can only be estimated (see `IndexMemory` in worker/vector/quantized.ts).
 */
export interface VectorStoreStats {
  /** Vectors in the index. */
  rows: number;
  /** Dimensions of every vector; 0 when the index is empty. */
  dims: number;
  /** Short description of the in-memory layout. */
  layout: string;
  /** Exact bytes of each group of typed arrays of the index. */
  typedArrayBytes: Record<string, number>;
  /** Estimated bytes of the index's JavaScript strings, objects and Maps. */
  estimatedObjectBytes: Record<string, number>;
  /** Sum of `typedArrayBytes` and `estimatedObjectBytes`. */
  totalBytes: number;
  /** Milliseconds the last load from SQLite took, or null when the index was built by upserts only. */
  loadMs: number | null;
}
