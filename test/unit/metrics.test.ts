import { describe, expect, it } from "vitest";
import { evaluate, mrrAtK, ndcgAtK, recallAtK } from "../../worker/rag/eval/metrics";

const judgments = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("retrieval metrics (trec_eval definitions)", () => {
  // Ranking [d3, d1, d5, d2]; qrels {d1: 2, d2: 1, d4: 1} (d3 and d5 unjudged → gain 0).
  //
  //   rank i | doc | gain | discount log2(i+1) | gain / discount
  //   1      | d3  | 0    | log2 2 = 1         | 0
  //   2      | d1  | 2    | log2 3 = 1.5849625 | 1.2618595
  //   3      | d5  | 0    | log2 4 = 2         | 0
  //   4      | d2  | 1    | log2 5 = 2.3219281 | 0.4306766
  //
  //   DCG@2 = DCG@3 = 1.2618595;  DCG@4 = 1.2618595 + 0.4306766 = 1.6925361
  //   Ideal ranking: gains sorted [2, 1, 1] (d1, d2, d4; d4 was never retrieved)
  //   IDCG@2 = 2/1 + 1/1.5849625 = 2.6309298
  //   IDCG@3 = IDCG@4 = 2.6309298 + 1/2 = 3.1309298
  //   nDCG@2 = 1.2618595 / 2.6309298 = 0.4796249
  //   nDCG@3 = 1.2618595 / 3.1309298 = 0.4030303
  //   nDCG@4 = 1.6925361 / 3.1309298 = 0.5405858
  //   Recall@2 = |{d1}| / |{d1, d2, d4}| = 1/3;  Recall@4 = |{d1, d2}| / 3 = 2/3
  //   MRR@10 = 1 / rank of d1 = 1/2;  MRR@1 = 0 (d3 is not relevant)
  const ranking = ["d3", "d1", "d5", "d2"];
  const qrels = judgments({ d1: 2, d2: 1, d4: 1 });

  it("matches the hand-computed example", () => {
    expect(ndcgAtK(ranking, qrels, 2)).toBeCloseTo(0.4796249, 6);
    expect(ndcgAtK(ranking, qrels, 3)).toBeCloseTo(0.4030303, 6);
    expect(ndcgAtK(ranking, qrels, 4)).toBeCloseTo(0.5405858, 6);
    expect(recallAtK(ranking, qrels, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranking, qrels, 4)).toBeCloseTo(2 / 3, 12);
    expect(mrrAtK(ranking, qrels, 10)).toBe(0.5);
    expect(mrrAtK(ranking, qrels, 1)).toBe(0);
  });

  it("gives 1 for the ideal ranking and uses graded gains", () => {
    expect(ndcgAtK(["d1", "d2", "d4"], qrels, 3)).toBeCloseTo(1, 12);
    // Swapping the grade-2 document below a grade-1 one costs: (1 + 2/log2 3 + 1/2) / IDCG@3.
    expect(ndcgAtK(["d2", "d1", "d4"], qrels, 3)).toBeCloseTo((1 + 2 / Math.log2(3) + 0.5) / 3.1309297535714578, 12);
  });

  it("returns 0 when the query has no relevant document", () => {
    const none = judgments({ d1: 0, d2: -1 });
    expect(ndcgAtK(["d1", "d2"], none, 10)).toBe(0);
    expect(recallAtK(["d1", "d2"], none, 10)).toBe(0);
    expect(mrrAtK(["d1", "d2"], none, 10)).toBe(0);
    expect(ndcgAtK(["d1"], new Map(), 10)).toBe(0);
  });

  it("counts a repeated document once, at its first position", () => {
    const one = judgments({ d2: 1, d4: 1 });
    // [d1, d1, d2] is read as [d1, d2]: d2 sits at rank 2, inside k = 2.
    expect(ndcgAtK(["d1", "d1", "d2"], judgments({ d2: 1 }), 2)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(mrrAtK(["d1", "d1", "d2"], one, 2)).toBe(0.5);
    // A relevant document retrieved twice is still one of two relevant documents.
    expect(recallAtK(["d2", "d2", "d2"], one, 10)).toBe(0.5);
    // And it adds its gain once: DCG = 1, IDCG = 1 + 1/log2 3.
    expect(ndcgAtK(["d2", "d2"], one, 10)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
  });

  it("handles k larger than the ranking and an empty ranking", () => {
    const single = judgments({ d1: 1 });
    expect(ndcgAtK(["d1"], single, 100)).toBe(1);
    expect(recallAtK(["d1"], single, 100)).toBe(1);
    expect(mrrAtK(["d1"], single, 100)).toBe(1);
    expect(ndcgAtK([], single, 10)).toBe(0);
    expect(recallAtK([], single, 10)).toBe(0);
  });

  it("rejects a cut-off that is not a positive integer", () => {
    expect(() => ndcgAtK(ranking, qrels, 0)).toThrow(RangeError);
    expect(() => recallAtK(ranking, qrels, 2.5)).toThrow(RangeError);
    expect(() => mrrAtK(ranking, qrels, -1)).toThrow(RangeError);
  });

  it("averages over the queries of the qrels, a missing query counting 0", () => {
    const all = new Map([
      ["q1", qrels],
      ["q2", judgments({ a: 1 })],
      ["q3", judgments({ b: 1 })],
    ]);
    const run = new Map<string, string[]>([
      ["q1", ranking],
      ["q2", ["a"]],
      ["q9", ["zzz"]], // not judged: ignored
    ]);
    const result = evaluate(run, all);
    expect(result.metrics).toEqual(["ndcg@10", "recall@5", "recall@10", "recall@100", "mrr@10"]);
    expect(result.queries).toBe(3);
    expect(result.unanswered).toEqual(["q3"]);
    expect(result.unjudged).toEqual(["q9"]);
    expect(result.withoutRelevant).toEqual([]);
    expect(result.perQuery.get("q1")!["ndcg@10"]).toBeCloseTo(0.5405858, 6);
    expect(result.perQuery.get("q1")!["recall@5"]).toBeCloseTo(2 / 3, 12);
    expect(result.perQuery.get("q3")).toEqual({ "ndcg@10": 0, "recall@5": 0, "recall@10": 0, "recall@100": 0, "mrr@10": 0 });
    expect(result.mean["ndcg@10"]).toBeCloseTo((0.5405858 + 1 + 0) / 3, 6);
    expect(result.mean["recall@10"]).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
    expect(result.mean["mrr@10"]).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
  });

  it("returns zero means for empty qrels", () => {
    const result = evaluate(new Map(), new Map());
    expect(result.queries).toBe(0);
    expect(result.mean["ndcg@10"]).toBe(0);
  });
});
