/** The scale benchmark's synthetic corpus: deterministic, and one chunk per planned section. */
import { describe, expect, it } from "vitest";
import { mulberry32, syntheticDocuments, uniqueQueries, usableSentence, type SentencePool } from "../../scripts/lib/synthetic-corpus.ts";
import { api } from "../support/api";

const rand = mulberry32(7);
const vocabulary = ["otters", "kelp", "urchins", "tides", "reefs", "currents", "shells", "harbors", "seals", "sand", "storms", "divers"];
/** Sentences of 6..30 words, 40..400 characters. */
const sentences = Array.from({ length: 300 }, (_, i) => {
  const n = 6 + (i % 25);
  const words = Array.from({ length: n }, () => vocabulary[Math.floor(rand() * vocabulary.length)]);
  return `${words.join(" ").replace(/^./, (c) => c.toUpperCase())} ${i}.`;
}).filter(usableSentence);
const pools: SentencePool[] = [
  { name: "sea", domain: "sea", sentences, titles: ["Sea life", "Coastal notes"], weight: 3 },
  { name: "shore", domain: "shore", sentences: sentences.slice(0, 50), titles: ["Shore"], weight: 1 },
];

describe("synthetic corpus", () => {
  it("is deterministic by seed and produces exactly the requested sections, each below the chunk size", () => {
    const a = syntheticDocuments(pools, { chunks: 503, seed: 1 });
    const b = syntheticDocuments(pools, { chunks: 503, seed: 1 });
    const c = syntheticDocuments(pools, { chunks: 503, seed: 2 });
    expect(a).toEqual(b);
    expect(c.documents.map((d) => d.content)).not.toEqual(a.documents.map((d) => d.content));
    expect(a.sections).toBe(503);
    const sections = a.documents.flatMap((d) => d.content.split(/\n## /).slice(1));
    expect(sections).toHaveLength(503);
    for (const s of sections) expect(s.length).toBeLessThan(1000);
    expect(new Set(a.documents.map((d) => d.source)).size).toBe(a.documents.length);
    expect(a.documents.every((d) => d.content.split(/\n## /).length - 1 <= 7)).toBe(true);
    expect(() => syntheticDocuments(pools, { chunks: 0, seed: 1 })).toThrow(RangeError);
    expect(() => syntheticDocuments(pools, { chunks: 5, seed: 1, sectionChars: [500, 1000] })).toThrow(RangeError);
  });

  it("gives distinct queries: the real ones first, then sentence beginnings", () => {
    const given = ["how do otters use kelp", "why do seals haul out", "how do otters use kelp"];
    const qs = uniqueQueries(given, pools, 40, 3);
    expect(qs).toHaveLength(40);
    expect(new Set(qs).size).toBe(40);
    expect(new Set(qs.slice(0, 2))).toEqual(new Set(given));
    expect(uniqueQueries(given, pools, 40, 3)).toEqual(qs);
  });

  it("becomes one chunk per section when ingested by the product", async () => {
    const { documents } = syntheticDocuments(pools, { chunks: 20, seed: 5 });
    for (const doc of documents) {
      const res = await api("POST", "/api/documents", doc);
      expect(res.status).toBe(201);
      expect(res.body.chunk_count).toBe(doc.content.split(/\n## /).length - 1);
    }
  });
});
