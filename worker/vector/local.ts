/** VectorIndex over the VectorStore Durable Object (int8 shortlist, exact cosine re-ranking, SQLite storage). */
import type { VectorStore } from "../../durable-objects/vector-store";
import type { VectorStoreStats } from "./types";
import type { VectorFilter, VectorIndex, VectorMatch, VectorRecord } from "./types";

/** Name of the single VectorStore instance that holds the index. */
export const VECTOR_STORE_NAME = "default";

export class LocalVectorIndex implements VectorIndex {
  readonly name = "local-exact";
  private readonly stub: DurableObjectStub<VectorStore>;

  constructor(namespace: DurableObjectNamespace<VectorStore>, name = VECTOR_STORE_NAME) {
    this.stub = namespace.get(namespace.idFromName(name));
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.stub.upsert(records.map((r) => ({ id: r.id, values: Float32Array.from(r.values), metadata: r.metadata ?? {} })));
  }

  async query(vector: Float32Array, topK: number, filter?: VectorFilter): Promise<VectorMatch[]> {
    return this.stub.query(vector, topK, filter);
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.stub.deleteByIds([...ids]);
  }

  async getByIds(ids: readonly string[]): Promise<{ id: string; values: Float32Array }[]> {
    return ids.length === 0 ? [] : this.stub.getByIds([...ids]);
  }

  /** The int8 scan's ranking alone, without exact re-ranking (for measuring the shortlist). */
  async queryApproximate(vector: Float32Array, topK: number, filter?: VectorFilter): Promise<VectorMatch[]> {
    return this.stub.queryApproximate(vector, topK, filter);
  }

  /** Exact brute-force Float32 search for each of `vectors` (for measuring recall); slow. */
  async queryExact(vectors: Float32Array[], topK: number, filter?: VectorFilter): Promise<VectorMatch[][]> {
    return this.stub.queryExact(vectors, topK, filter);
  }

  /** Memory of the Durable Object's in-memory index. */
  async stats(): Promise<VectorStoreStats> {
    return this.stub.stats();
  }
}
