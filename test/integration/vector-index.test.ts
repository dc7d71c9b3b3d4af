import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { migrateVectorTables, type VectorStore } from "../../durable-objects/vector-store";
import { LocalVectorIndex } from "../../worker/vector/local";
import type { VectorIndex } from "../../worker/vector/types";
import { mulberry32 } from "../../scripts/lib/synthetic-corpus";

const v = (...xs: number[]) => Float32Array.from(xs);

/** Contract tests of the VectorIndex interface, run against the local implementation. */
describe("VectorIndex (local exact index)", () => {
  const index: VectorIndex = new LocalVectorIndex(env.VECTOR_STORE as any, "contract-test");

  it("returns the nearest vectors by cosine similarity, best first", async () => {
    await index.upsert([
      { id: "x", values: v(1, 0, 0), metadata: { domain: "a" } },
      { id: "y", values: v(0, 1, 0), metadata: { domain: "b" } },
      { id: "xy", values: v(3, 3, 0), metadata: { domain: "a" } }, // not normalised on input
    ]);
    const hits = await index.query(v(1, 0.1, 0), 3);
    expect(hits.map((h) => h.id)).toEqual(["x", "xy", "y"]);
    expect(hits[0].score).toBeCloseTo(1 / Math.sqrt(1.01), 5);
    expect(hits[1].score).toBeCloseTo(1.1 / Math.sqrt(2) / Math.sqrt(1.01), 5);
    expect(await index.query(v(1, 0, 0), 1)).toHaveLength(1);
  });

  it("filters by metadata equality and $in", async () => {
    expect((await index.query(v(0, 1, 0), 3, { domain: "a" })).map((h) => h.id).sort()).toEqual(["x", "xy"]);
    expect((await index.query(v(0, 1, 0), 3, { domain: { $in: ["b"] } })).map((h) => h.id)).toEqual(["y"]);
    expect(await index.query(v(0, 1, 0), 3, { domain: "none" })).toEqual([]);
  });

  it("replaces by id and deletes by id", async () => {
    await index.upsert([{ id: "y", values: v(1, 0, 0), metadata: { domain: "b" } }]);
    expect((await index.query(v(1, 0, 0), 3)).find((h) => h.id === "y")!.score).toBeCloseTo(1, 5);
    await index.deleteByIds(["x", "unknown"]);
    expect((await index.query(v(1, 0, 0), 10)).map((h) => h.id).sort()).toEqual(["xy", "y"]);
  });

  it("returns stored vectors by id, normalised, in the order asked, without unknown ids", async () => {
    // State after the tests above: x deleted, y replaced by (1, 0, 0), xy stored as (3, 3, 0).
    const got = await index.getByIds(["xy", "x", "missing", "y"]);
    expect(got.map((g) => g.id)).toEqual(["xy", "y"]);
    expect(Array.from(got[0].values).map((x) => Math.round(x * 1e4) / 1e4)).toEqual([0.7071, 0.7071, 0]);
    expect(Array.from(got[1].values)).toEqual([1, 0, 0]);
    expect(await index.getByIds([])).toEqual([]);
  });

  it("rejects vectors of the wrong dimension", async () => {
    await expect(index.upsert([{ id: "bad", values: v(1, 0) }])).rejects.toThrow(/dimensions/);
    await expect(index.query(v(1, 0), 3)).rejects.toThrow(/dimensions/);
  });

  it("persists vectors in SQLite storage across instances", async () => {
    const again = new LocalVectorIndex(env.VECTOR_STORE as any, "contract-test");
    expect((await again.query(v(1, 0, 0), 10)).length).toBe(2);
  });
});


function randomVector(rand: () => number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, () => rand() * 2 - 1);
}

function storeStub(name: string): DurableObjectStub<VectorStore> {
  const ns = env.VECTOR_STORE as unknown as DurableObjectNamespace<VectorStore>;
  return ns.get(ns.idFromName(name));
}

describe("VectorStore (int8 blocks, exact re-rank)", () => {
  it("matches exact brute force over thousands of vectors across blocks, after deletes and replacements", async () => {
    const stub = storeStub("scale-contract");
    const rand = mulberry32(11);
    const dims = 24;
    const ids = Array.from({ length: 2600 }, (_, i) => `v${i}`);
    for (let i = 0; i < ids.length; i += 1000) {
      await stub.upsert(ids.slice(i, i + 1000).map((id, j) => ({ id, values: randomVector(rand, dims), metadata: { domain: (i + j) % 3 === 0 ? "a" : "b" } })));
    }
    // Delete a third (spread over every block), replace some others with new vectors and domains.
    expect(await stub.deleteByIds([...ids.filter((_, i) => i % 3 === 1), "unknown"])).toBe(867);
    await stub.upsert(ids.filter((_, i) => i % 10 === 0 && i % 3 !== 1).map((id) => ({ id, values: randomVector(rand, dims), metadata: { domain: "c" } })));
    expect(await stub.count()).toBe(2600 - 867);

    const queries = Array.from({ length: 15 }, () => randomVector(rand, dims));
    const exact = await stub.queryExact(queries, 10);
    for (const [i, q] of queries.entries()) {
      const hits = await stub.query(q, 10);
      expect(hits.map((h) => h.id)).toEqual(exact[i].map((h) => h.id));
      hits.forEach((h, j) => expect(h.score).toBeCloseTo(exact[i][j].score, 5));
      expect(hits.every((h) => Number(h.id.slice(1)) % 3 !== 1)).toBe(true);
    }
    const filtered = await stub.query(queries[0], 20, { domain: { $in: ["c"] } });
    expect(filtered).toHaveLength(20);
    expect(filtered.every((h) => Number(h.id.slice(1)) % 10 === 0)).toBe(true);
    expect(filtered.map((h) => h.id)).toEqual((await stub.queryExact([queries[0]], 20, { domain: { $in: ["c"] } }))[0].map((h) => h.id));

    const stats = await stub.stats();
    expect(stats.rows).toBe(2600 - 867);
    expect(stats.dims).toBe(dims);
    // 1,733 rows fill two blocks; the third, emptied by the deletes, is kept as the spare.
    expect(stats.typedArrayBytes.codes).toBe(3 * dims * 1024);
    expect(stats.totalBytes).toBeGreaterThan(stats.typedArrayBytes.codes);
  });

  it("keeps the last of duplicate ids in one upsert", async () => {
    const stub = storeStub("duplicates");
    await stub.upsert([
      { id: "d", values: v(1, 0, 0), metadata: { domain: "x" } },
      { id: "e", values: v(0, 0, 1), metadata: {} },
      { id: "d", values: v(0, 1, 0), metadata: { domain: "y" } },
    ]);
    expect(await stub.count()).toBe(2);
    const [hit] = await stub.query(v(0, 1, 0), 1);
    expect(hit.id).toBe("d");
    expect(hit.score).toBeCloseTo(1, 5);
    expect(await stub.query(v(0, 1, 0), 5, { domain: "x" })).toEqual([]);
  });

  it("builds its index from SQLite rows on first use, and moves rows of the old `vectors` table", async () => {
    const stub = storeStub("legacy");
    await runInDurableObject(stub, (_instance: VectorStore, state) => {
      state.storage.sql.exec("CREATE TABLE vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, metadata TEXT NOT NULL)");
      const put = (id: string, values: number[], metadata: object) =>
        state.storage.sql.exec("INSERT INTO vectors (id, vector, metadata) VALUES (?, ?, ?)", id, Float32Array.from(values).buffer, JSON.stringify(metadata));
      put("old-x", [1, 0, 0], { domain: "a" });
      put("old-y", [0, 1, 0], { domain: "b" });
      expect(migrateVectorTables(state.storage)).toBe(2);
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'vectors'").toArray()).toEqual([]);
      expect(migrateVectorTables(state.storage)).toBe(0);
    });
    // The object had not queried yet: its first query loads the moved rows.
    expect((await stub.query(v(0, 1, 0), 2)).map((h) => h.id)).toEqual(["old-y", "old-x"]);
    expect((await stub.query(v(1, 0, 0), 2, { domain: "b" })).map((h) => h.id)).toEqual(["old-y"]);
    expect(await stub.stats()).toMatchObject({ rows: 2, dims: 3, loadMs: expect.any(Number) });
  });

  it("empties and accepts new dimensions once every vector is deleted", async () => {
    const stub = storeStub("emptied");
    await stub.upsert([{ id: "a", values: v(1, 0), metadata: {} }]);
    expect(await stub.deleteByIds(["a", "a"])).toBe(1);
    expect(await stub.query(v(1, 0), 3)).toEqual([]);
    await stub.upsert([{ id: "b", values: v(0, 0, 1), metadata: {} }]);
    expect((await stub.query(v(0, 0, 1), 3)).map((h) => h.id)).toEqual(["b"]);
  });
});
