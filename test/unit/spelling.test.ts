import { describe, expect, it } from "vitest";
import { correctionCandidates, isTransposition, maxEditDistance, nearestTerm } from "../../worker/rag/spelling";

describe("spelling correction", () => {
  it("considers longer Latin words that are not stop words, as stems", () => {
    expect(correctionCandidates("wat iz teh colektor archtecture pipelins?? 상태를 k8s")).toEqual(["colektor", "archtectur", "pipelin"]);
    expect(correctionCandidates("what is the otel api")).toEqual([]);
  });

  it("allows one edit up to 7 characters and two from 8", () => {
    expect([5, 7, 8, 12].map(maxEditDistance)).toEqual([1, 1, 2, 2]);
  });

  it("picks the nearest term, then the most frequent, within the allowed distance", () => {
    const vocabulary = [
      { term: "collector", df: 900 },
      { term: "collect", df: 300 },
      { term: "colektors", df: 1 },
      { term: "propag", df: 50 },
    ];
    expect(nearestTerm("colektor", vocabulary)).toBe("colektors"); // distance 1 beats "collector" (2)
    expect(nearestTerm("colector", vocabulary)).toBe("collector");
    expect(nearestTerm("propagt", vocabulary)).toBe("propag");
    expect(nearestTerm("propagx", [{ term: "propaga", df: 1 }, { term: "propagb", df: 5 }])).toBe("propagb");
    expect(nearestTerm("bakery", vocabulary)).toBeNull();
    expect(nearestTerm("sampl", [{ term: "sampl", df: 3 }])).toBeNull(); // never the term itself
  });
});

describe("adjacent transpositions", () => {
  it("count as one edit, so a 6-letter stem with swapped letters is corrected", () => {
    expect(isTransposition("reciev", "receiv")).toBe(true);
    expect(isTransposition("receiv", "receiv")).toBe(false);
    expect(isTransposition("reciev", "rceeiv")).toBe(false); // two swaps
    expect(isTransposition("abc", "abcd")).toBe(false);
    // Levenshtein distance 2 exceeds the 1 edit allowed up to 7 characters; the swap is accepted.
    expect(nearestTerm("reciev", [{ term: "receiv", df: 40 }, { term: "recip", df: 3 }])).toBe("receiv");
  });
});
