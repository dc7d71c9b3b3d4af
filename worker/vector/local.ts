/** VectorIndex over the VectorStore Durable Object (exact cosine search, SQLite storage). */
import type { VectorStore } from "../../durable-objects/vector-store";
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
}
