import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LocalVectorIndex } from "../../worker/vector/local";
import type { VectorIndex } from "../../worker/vector/types";

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

  it("rejects vectors of the wrong dimension", async () => {
    await expect(index.upsert([{ id: "bad", values: v(1, 0) }])).rejects.toThrow(/dimensions/);
    await expect(index.query(v(1, 0), 3)).rejects.toThrow(/dimensions/);
  });

  it("persists vectors in SQLite storage across instances", async () => {
    const again = new LocalVectorIndex(env.VECTOR_STORE as any, "contract-test");
    expect((await again.query(v(1, 0, 0), 10)).length).toBe(2);
  });
});
