import { describe, expect, it } from "vitest";
import { BLOCK_ROWS, QuantizedIndex, quantize } from "../../worker/vector/quantized";
import { matchesFilter, type VectorFilter, type VectorMetadata } from "../../worker/vector/types";
import { mulberry32 } from "../../scripts/lib/synthetic-corpus";


function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

/** A random unit vector; with `density` < 1 most coordinates are 0 (like hashed query vectors). */
function randomVector(rand: () => number, dims: number, density = 1): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) if (rand() < density) v[i] = rand() * 2 - 1;
  if (v.every((x) => x === 0)) v[0] = 1;
  return unit(v);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The score the scan must give: the dot product of the int8 codes of query and row, times both scales. */
function dequantisedScore(q: Float32Array, v: Float32Array): number {
  const codes = new Int8Array(v.length);
  const scale = quantize(v, codes, 0);
  const qcodes = new Int8Array(q.length);
  const qscale = quantize(q, qcodes, 0);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += qcodes[i] * codes[i];
  return s * qscale * scale;
}

function build(rows: number, dims: number, seed: number, metadata: (i: number) => VectorMetadata = () => ({})) {
  const rand = mulberry32(seed);
  const index = new QuantizedIndex(dims);
  const vectors = new Map<number, Float32Array>();
  const meta = new Map<number, VectorMetadata>();
  for (let i = 0; i < rows; i++) {
    const key = 1000 + i * 3; // keys are not slots
    const v = randomVector(rand, dims);
    vectors.set(key, v);
    meta.set(key, metadata(i));
    index.append(key, v, metadata(i));
  }
  return { index, vectors, meta, rand };
}

describe("quantize", () => {
  it("maps the largest magnitude to ±127 and round-trips within half a step", () => {
    const v = Float32Array.from([0.5, -0.3, 0.1, 0, -0.5]);
    const codes = new Int8Array(7);
    const scale = quantize(v, codes, 2);
    expect(scale).toBeCloseTo(0.5 / 127, 9);
    expect([...codes]).toEqual([0, 0, 127, -76, 25, 0, -127]);
    for (let i = 0; i < v.length; i++) expect(Math.abs(codes[2 + i] * scale - v[i])).toBeLessThanOrEqual(scale / 2 + 1e-9);
  });

  it("gives scale 1 and zero codes for a zero vector", () => {
    const codes = new Int8Array(3).fill(9);
    expect(quantize(new Float32Array(3), codes, 0)).toBe(1);
    expect([...codes]).toEqual([0, 0, 0]);
  });
});

describe("QuantizedIndex", () => {
  // 2,500 rows: two full blocks and a partial third one.
  const ROWS = 2 * BLOCK_ROWS + 452;
  const DIMS = 37; // not a multiple of 4: exercises the remainder loop of the scan

  it("scores every row by its int8 codes and the query's, for dense and sparse queries", () => {
    const { index, vectors, rand } = build(ROWS, DIMS, 1);
    for (const density of [1, 0.3, 0.05]) {
      const q = randomVector(rand, DIMS, density);
      const hits = index.scan(q, ROWS);
      expect(hits).toHaveLength(ROWS);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      for (const h of hits) {
        expect(h.score).toBeCloseTo(dequantisedScore(q, vectors.get(h.key)!), 4);
        expect(index.keyAt(h.slot)).toBe(h.key);
      }
    }
  });

  it("keeps the exact top 10 inside a shortlist of 50, with scores within 0.02 of the exact cosine", () => {
    const { index, vectors, rand } = build(ROWS, 64, 2);
    for (let t = 0; t < 20; t++) {
      const q = randomVector(rand, 64, t % 2 ? 1 : 0.2);
      const exact = [...vectors].map(([key, v]) => ({ key, score: dot(q, v) })).sort((a, b) => b.score - a.score);
      const shortlist = index.scan(q, 50);
      const keys = new Set(shortlist.map((h) => h.key));
      for (const e of exact.slice(0, 10)) expect(keys.has(e.key)).toBe(true);
      for (const h of shortlist) expect(Math.abs(h.score - dot(q, vectors.get(h.key)!))).toBeLessThan(0.02);
    }
  });

  it("returns the best `depth` rows only", () => {
    const { index, rand } = build(ROWS, DIMS, 3);
    const q = randomVector(rand, DIMS);
    const all = index.scan(q, ROWS);
    expect(index.scan(q, 7)).toEqual(all.slice(0, 7));
  });

  it("removes rows by swapping the last row in, keeping every other row's key, vector and metadata", () => {
    const { index, vectors, meta, rand } = build(ROWS, DIMS, 4, (i) => ({ domain: `d${i % 5}` }));
    const q = randomVector(rand, DIMS);
    const before = new Map(index.scan(q, ROWS).map((h) => [h.key, h.score]));
    // Rows in every block, the last row, and a duplicate.
    const removedKeys = new Set<number>([...vectors.keys()].filter((_, i) => i % 3 === 0 || i === ROWS - 1));
    const slots = index.slotsOf(removedKeys);
    expect(slots.size).toBe(removedKeys.size);
    index.removeSlots([...slots.values(), [...slots.values()][0]]);
    expect(index.size).toBe(ROWS - removedKeys.size);
    const after = index.scan(q, ROWS);
    expect(after.map((h) => h.key).sort((a, b) => a - b)).toEqual([...vectors.keys()].filter((k) => !removedKeys.has(k)).sort((a, b) => a - b));
    for (const h of after) {
      expect(h.score).toBeCloseTo(before.get(h.key)!, 6);
      expect(index.keyAt(h.slot)).toBe(h.key);
    }
    // Metadata moved with the rows.
    const d2 = index.scan(q, ROWS, { domain: "d2" }).map((h) => h.key).sort((a, b) => a - b);
    expect(d2).toEqual([...meta].filter(([k, m]) => m.domain === "d2" && !removedKeys.has(k)).map(([k]) => k).sort((a, b) => a - b));
    expect(() => index.removeSlots([index.size])).toThrow(RangeError);
  });

  it("updates a row in place: new scores and metadata, old dictionary values forgotten", () => {
    const { index, rand } = build(10, DIMS, 5, (i) => ({ domain: i === 3 ? "only-three" : "common" }));
    const [slot] = index.slotsOf(new Set([1000 + 3 * 3])).values();
    const v = randomVector(rand, DIMS);
    index.update(slot, v, { domain: "new" });
    expect(index.size).toBe(10);
    expect(index.memory().dictionaryValues).toEqual({ domain: 2 });
    expect(index.scan(v, 10, { domain: "only-three" })).toEqual([]);
    const hits = index.scan(v, 10, { domain: "new" });
    expect(hits.map((h) => h.key)).toEqual([1009]);
    expect(hits[0].score).toBeCloseTo(dequantisedScore(v, v), 5);
  });

  it("filters exactly like matchesFilter ($eq, $in, equality, types, missing keys, unknown values)", () => {
    const values = ["a", "b", "c", "1"];
    const { index, meta, rand } = build(1500, 8, 6, (i) => {
      const m: VectorMetadata = {};
      if (i % 7 !== 0) m.domain = values[i % 4];
      if (i % 2 === 0) m.n = i % 3;
      if (i % 5 !== 0) m.flag = i % 2 === 1;
      return m;
    });
    const filters: VectorFilter[] = [
      { domain: "a" },
      { domain: "1" },
      { n: 1 },
      { domain: { $eq: "b" } },
      { domain: { $in: ["a", "c", "zzz"] } },
      { domain: { $in: ["zzz"] } },
      { domain: { $in: [] } },
      { domain: "b", flag: true },
      { n: { $in: [0, 2] }, flag: false },
      { domain: { $eq: "a", $in: ["a", "b"] } as never },
      { domain: { $eq: "a", $in: ["b"] } as never },
      { missing: "x" },
      { domain: { $ne: "a" } as never },
      { flag: "true" },
    ];
    const q = randomVector(rand, 8);
    for (const filter of filters) {
      const got = index.scan(q, 1500, filter).map((h) => h.key).sort((a, b) => a - b);
      const want = [...meta].filter(([, m]) => matchesFilter(m, filter)).map(([k]) => k).sort((a, b) => a - b);
      expect(got, JSON.stringify(filter)).toEqual(want);
    }
  });

  it("counts its memory: whole blocks of dims × 1,024 bytes, per-row arrays, dictionaries", () => {
    const { index } = build(BLOCK_ROWS + 1, 16, 7, (i) => ({ domain: i % 2 ? "odd" : "even", document_id: `doc-${i % 10}` }));
    const m = index.memory();
    expect(m.typedArrayBytes.codes).toBe(2 * 16 * BLOCK_ROWS);
    expect(m.typedArrayBytes.scales).toBe(2 * BLOCK_ROWS * 4);
    expect(m.typedArrayBytes.keys).toBe(2 * BLOCK_ROWS * 8);
    expect(m.typedArrayBytes.metadataCodes).toBe(2 * 2 * BLOCK_ROWS * 4);
    expect(m.dictionaryValues).toEqual({ domain: 2, document_id: 10 });
    // 12 values × 48 bytes, plus the strings: "odd", "even" (24 bytes each), "doc-0".."doc-9" (24 each).
    expect(m.estimatedObjectBytes.dictionaries).toBe(12 * 48 + 12 * 24);
    // Emptied: one spare block is kept, per-row arrays shrink.
    index.removeSlots(Array.from({ length: BLOCK_ROWS + 1 }, (_, i) => i));
    expect(index.size).toBe(0);
    expect(index.memory().typedArrayBytes.codes).toBe(16 * BLOCK_ROWS);
    expect(index.memory().dictionaryValues).toEqual({ domain: 0, document_id: 0 });
    expect(index.scan(new Float32Array(16).fill(0.25), 5)).toEqual([]);
  });

  it("rejects vectors and queries of the wrong dimension", () => {
    const index = new QuantizedIndex(4);
    expect(() => index.append(1, new Float32Array(3), {})).toThrow(RangeError);
    expect(() => index.scan(new Float32Array(5), 1)).toThrow(RangeError);
    expect(() => new QuantizedIndex(0)).toThrow(RangeError);
  });
});
