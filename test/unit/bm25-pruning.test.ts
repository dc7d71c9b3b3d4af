import { describe, expect, it } from "vitest";
import { COMMON_FRACTION, fts5Idf, maxContribution, mergeScored, provesTopK, pruningPlan } from "../../worker/rag/bm25-pruning";

describe("MaxScore pruning of BM25 queries", () => {
  it("computes FTS5's IDF, floored at 1e-6, and the (k1 + 1) · IDF bound", () => {
    expect(fts5Idf(1000, 9)).toBeCloseTo(Math.log(991.5 / 9.5), 12);
    expect(fts5Idf(1000, 500)).toBe(1e-6); // ln(500.5 / 500.5) = 0
    expect(fts5Idf(1000, 900)).toBe(1e-6);
    expect(maxContribution(1000, 9)).toBeCloseTo(2.2 * Math.log(991.5 / 9.5), 12);
  });

  const phrases = [
    { phrase: '"cell"', df: 400 },
    { phrase: '"protein"', df: 150 },
    { phrase: '"trpml" *', df: null },
    { phrase: '"lysosom"', df: 12 },
    { phrase: '"absent"', df: 0 },
  ];

  it("without a threshold, makes the phrases in more than 10 % of the chunks non-essential", () => {
    const plan = pruningPlan(phrases, 1000, undefined, 0)!;
    expect(COMMON_FRACTION).toBe(0.1);
    expect(plan.nonEssential).toEqual(['"cell"', '"protein"']);
    expect(plan.essential).toEqual(['"trpml" *', '"lysosom"', '"absent"']); // unknown frequencies are essential
    expect(plan.bound).toBeCloseTo(maxContribution(1000, 400) + maxContribution(1000, 150), 12);
  });

  it("with a threshold, takes the most frequent phrases while their bounds sum below it", () => {
    const cell = maxContribution(1000, 400);
    const protein = maxContribution(1000, 150);
    expect(pruningPlan(phrases, 1000, cell + protein + 0.01, 0)!.nonEssential).toEqual(['"cell"', '"protein"']);
    expect(pruningPlan(phrases, 1000, cell + protein, 0)!.nonEssential).toEqual(['"cell"']);
    expect(pruningPlan(phrases, 1000, cell, 0)).toBeNull(); // nothing fits under the threshold
    // A high threshold makes every phrase of known frequency non-essential; the prefix and the absent term stay essential.
    expect(pruningPlan(phrases, 1000, 1e9, 0)!.nonEssential).toEqual(['"cell"', '"protein"', '"lysosom"']);
  });

  it("does not prune when nothing or everything would be skipped, or too few postings", () => {
    expect(pruningPlan([{ phrase: '"lysosom"', df: 12 }], 1000, undefined, 0)).toBeNull();
    expect(pruningPlan([{ phrase: '"cell"', df: 400 }, { phrase: '"protein"', df: 150 }], 1000, undefined, 0)).toBeNull();
    expect(pruningPlan(phrases, 1000, undefined, 551)).toBeNull(); // 400 + 150 postings skipped
    expect(pruningPlan(phrases, 1000, undefined, 550)).not.toBeNull();
    expect(pruningPlan(phrases, 1000)).toBeNull(); // the default minimum: 5,000 postings
  });

  it("merges partial lists by each row's best score, ties by rowid, and proves the top k", () => {
    const both = [{ seq: 7, score: 9 }, { seq: 3, score: 6 }];
    const essentialOnly = [{ seq: 3, score: 5 }, { seq: 5, score: 6 }, { seq: 7, score: 8 }, { seq: 1, score: 2 }];
    const top = mergeScored([both, essentialOnly], 3);
    expect(top).toEqual([{ seq: 7, score: 9 }, { seq: 3, score: 6 }, { seq: 5, score: 6 }]);
    expect(provesTopK(top, 3, 5.9)).toBe(true);
    expect(provesTopK(top, 3, 6)).toBe(false); // a row with only non-essential phrases could reach 6
    expect(provesTopK(top, 4, 0)).toBe(false); // fewer rows than asked: others may exist
  });
});
