/** VectorIndex over a Cloudflare Vectorize binding (production). */
import { inIdOrder, MAX_GET_BY_IDS, type VectorFilter, type VectorIndex, type VectorMatch, type VectorRecord } from "./types";

const BATCH = 500;

export class VectorizeVectorIndex implements VectorIndex {
  readonly name = "vectorize";
  constructor(private readonly index: VectorizeIndex) {}

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += BATCH) {
      await this.index.upsert(
        records.slice(i, i + BATCH).map((r) => ({ id: r.id, values: Array.from(r.values), metadata: r.metadata })),
      );
    }
  }

  async query(vector: Float32Array, topK: number, filter?: VectorFilter): Promise<VectorMatch[]> {
    const res = await this.index.query(Array.from(vector), {
      topK: Math.min(Math.max(topK, 1), 100),
      filter: filter as VectorizeVectorMetadataFilter | undefined,
      returnValues: false,
      returnMetadata: "none",
    });
    return res.matches.map((m) => ({ id: m.id, score: m.score }));
  }

  async getByIds(ids: readonly string[]): Promise<{ id: string; values: Float32Array }[]> {
    const wanted = ids.slice(0, MAX_GET_BY_IDS);
    if (wanted.length === 0) return [];
    return inIdOrder(wanted, new Map((await this.index.getByIds(wanted)).map((v) => [v.id, Float32Array.from(v.values)])));
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) await this.index.deleteByIds(ids.slice(i, i + BATCH));
  }
}
