import { describe, expect, it } from "vitest";
import { expansionCandidates, expansionTerms, feedbackWithinBudget, rocchio } from "../../worker/rag/feedback";
import { expandPhrases, indexTermPhrase, orExpression, type MatchPhrase } from "../../worker/rag/fts-query";
import { contentTerms } from "../../worker/rag/text";

/** The index terms of a query, as retrieval excludes them from the expansion. */
const queryTerms = (query: string) => new Set(contentTerms(query));

const SAMPL: MatchPhrase = { phrase: '"sampl"', term: "sampl" };
/** The OR expression of `phrases` widened with `terms`. */
const expand = (phrases: MatchPhrase[], terms: string[], wordOf?: (t: string) => string | undefined) => orExpression(expandPhrases(phrases, terms, wordOf));

describe("pseudo-relevance feedback", () => {
  const chunks = [
    { text: "Tail sampling decides after the whole trace is complete. The sampler buffers spans of a trace.", score: 12 },
    { text: "Head sampling decides at the root span. A probabilistic sampler keeps a ratio of traces.", score: 10 },
    { text: "Collector pipelines have receivers, processors and exporters.", score: 2 },
  ];

  it("weights terms of the best chunks most and leaves out query terms, digits and short terms", () => {
    const candidates = expansionCandidates(queryTerms("How does sampling work?"), [...chunks, { text: "ok 42 ab sampling", score: 1 }]);
    const terms = candidates.map((c) => c.term);
    expect(terms).not.toContain("sampl"); // the query's own term
    expect(terms).not.toContain("42");
    expect(terms).not.toContain("ab");
    expect(terms).toContain("trace");
    // "trace" (twice in the best chunk, once in the second) outweighs "receiv" (third chunk, low BM25 score).
    const weight = (t: string) => candidates.find((c) => c.term === t)?.weight ?? 0;
    expect(weight("trace")).toBeGreaterThan(weight("receiv"));
    expect(weight("receiv")).toBeGreaterThan(0);
    expect(candidates.map((c) => c.weight)).toEqual([...candidates.map((c) => c.weight)].sort((a, b) => b - a));
  });

  it("caps the candidates and returns none without feedback chunks", () => {
    expect(expansionCandidates(queryTerms("sampling"), chunks, { terms: 5, candidates: 3 })).toHaveLength(3);
    expect(expansionCandidates(queryTerms("sampling"), [])).toEqual([]);
  });

  it("re-weights candidates by IDF and drops terms the index does not know", () => {
    const candidates = [{ term: "common", weight: 0.5 }, { term: "rare", weight: 0.2 }, { term: "unknown", weight: 0.9 }];
    const idf = (t: string) => ({ common: 0.1, rare: 3 })[t];
    expect(expansionTerms(candidates, idf, 5)).toEqual(["rare", "common"]);
    expect(expansionTerms(candidates, idf, 1)).toEqual(["rare"]);
  });

  it("moves the query embedding towards the feedback centroid (Rocchio) and normalises it", () => {
    const q = new Float32Array([1, 0, 0]);
    const out = rocchio(q, [new Float32Array([0, 1, 0]), new Float32Array([0, 0, 1])], 1);
    expect(Array.from(out).map((x) => Math.round(x * 1000) / 1000)).toEqual([0.816, 0.408, 0.408]);
    expect(Array.from(rocchio(new Float32Array([3, 4]), []))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(q[0]).toBe(1); // the input is not modified
    expect(() => rocchio(q, [new Float32Array(2)])).toThrow(RangeError);
  });

  it("keeps the largest dimensions of the Rocchio embedding when asked", () => {
    const q = new Float32Array([0.8, 0, 0, 0.6]);
    const out = rocchio(q, [new Float32Array([0, 0.5, -0.1, 0])], 1, 2);
    // q + centroid = [0.8, 0.5, -0.1, 0.6]: the two largest magnitudes are 0.8 and 0.6.
    expect(Array.from(out).map((x) => Math.round(x * 1000) / 1000)).toEqual([0.8, 0, 0, 0.6]);
    const negative = rocchio(new Float32Array([0.1, 0, 0]), [new Float32Array([0, -0.9, 0.2])], 1, 1);
    expect(Array.from(negative).map((x) => Math.round(x * 1000) / 1000)).toEqual([0, -1, 0]);
    // Without feedback the query is only normalised, never sparsified.
    expect(Array.from(rocchio(new Float32Array([3, 4]), [], 1, 1))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(() => rocchio(q, [], 1, 0)).toThrow(RangeError);
  });

  it("runs feedback only when the query's phrases hold at most the budget's postings", () => {
    expect(feedbackWithinBudget([12_000, 7_000, null], 20_000)).toBe(true);
    expect(feedbackWithinBudget([12_000, 8_000], 20_000)).toBe(true); // at the budget
    expect(feedbackWithinBudget([12_000, 8_001], 20_000)).toBe(false);
    expect(feedbackWithinBudget([90_000, 80_000], 0)).toBe(true); // 0: no limit
    expect(feedbackWithinBudget([], 1)).toBe(true);
  });

  it("keeps, for each candidate term, a word of the chunks that stems to it", () => {
    const candidates = expansionCandidates(queryTerms("rockets"), [{ text: "Acceleration, accelerating and acceleration again; the sampler's log4j exposed.", score: 3 }]);
    const byTerm = new Map(candidates.map((c) => [c.term, c.word]));
    expect(byTerm.get("acceler")).toBe("acceleration"); // the first of its words
    expect(byTerm.get("expos")).toBe("exposed");
    expect(byTerm.has("log4j")).toBe(true);
    expect(byTerm.get("log4j")).toBeUndefined(); // not a–z only: searched as the term itself
  });

  it("widens a MATCH expression with quoted terms, Hangul ones as prefixes", () => {
    expect(expand([SAMPL], ["trace", 'a"b', "상태"])).toBe('"sampl" OR "trace" OR "a""b" OR "상태" *');
    expect(expand([SAMPL], [])).toBe('"sampl"');
    expect(expand([], ["trace"])).toBe('"trace"');
    expect(expand([], [])).toBeNull();
    // The index term of each phrase, where FTS5 certainly searches it, is kept for its chunk frequency.
    expect(expandPhrases([SAMPL], ["trace", "sampl", 'a"b', "acceler", "상태"], (t) => (t === "trace" ? "traces" : undefined))).toEqual([
      SAMPL,
      { phrase: '"traces"', term: "trace" },
      { phrase: '"a""b"', term: null },
      { phrase: '"acceler" *', term: null },
      { phrase: '"상태" *', term: null },
    ]);
  });

  it("searches index terms that Porter would stem again through their word, else as a prefix", () => {
    expect(indexTermPhrase("trace")).toBe('"trace"'); // stem("trace") is "trace"
    expect(indexTermPhrase("acceler")).toBe('"acceler" *'); // stem("acceler") is "accel"
    expect(indexTermPhrase("acceler", "acceleration")).toBe('"acceleration"');
    expect(indexTermPhrase("log4j")).toBe('"log4j"');
    expect(indexTermPhrase("상태", "ignored")).toBe('"상태" *');
    expect(expand([{ phrase: '"rocket"', term: "rocket" }], ["acceler", "trace"], (t) => (t === "acceler" ? "accelerating" : undefined))).toBe('"rocket" OR "accelerating" OR "trace"');
  });
});
