import { describe, expect, it } from "vitest";
import { buildMatchExpressions } from "../../worker/rag/fts-query";
import { contentTerms, sentences, stem, termsAndWords, wordDelimiterParts, words } from "../../worker/rag/text";
import { reciprocalRankFusion } from "../../worker/rag/fusion";

describe("text analysis", () => {
  it("tokenises, drops stop words and stems English", () => {
    expect(words("How do I configure the Collector's exporters?")).toEqual(["how", "do", "i", "configure", "the", "collector's", "exporters"]);
    expect(contentTerms("How do I configure the Collector's exporters?")).toEqual(["configur", "collector", "export"]);
    expect(stem("sampling")).toBe(stem("sampled"));
  });

  it("treats contractions of stop words as stop words, typed or typographic, and keeps possessives", () => {
    // "doesn't" used to become the index term "doesnt", which no chunk has: an unknown word that
    // lowered the sufficiency of every question a user wrote it in.
    expect(contentTerms("it doesn't start, we'd read the collector’s queue; I don’t know, isn't it? can't")).toEqual(["start", "read", "collector", "queue", "know"]);
    expect(words("don’t")).toEqual(["don’t"]);
    expect(buildMatchExpressions("the exporter doesn't retry").porterPhrases.map((p) => p.phrase)).toEqual(['"exporter"', '"retry"']);
  });

  it("maps each a–z index term to the first word that stems to it, in the same pass as the terms", () => {
    const text = "Acceleration, accelerating and the sampler's log4j 상태를 exposed; acceleration.";
    const { terms, wordOf } = termsAndWords(text);
    expect(terms).toEqual(contentTerms(text));
    expect([...wordOf]).toEqual([["acceler", "acceleration"], ["expos", "exposed"]]);
  });

  it("gives the same index terms from its memo, also after the memo was emptied", () => {
    const sample = ["exporter's", "sampling", "상태를", "log4j", "don't"];
    const first = sample.map(stem);
    expect(first).toEqual(["export", "sampl", "상태", "log4j", "dont"]);
    expect(sample.map(stem)).toEqual(first);
    for (let i = 0; i < 20_001; i++) stem(`word${i}x`); // more distinct words than the memo keeps
    expect(sample.map(stem)).toEqual(first);
  });

  it("strips Korean particles and endings, keeping 2+ syllable stems", () => {
    expect(contentTerms("상태를 관리하는 방법")).toEqual(["상태", "관리", "방법"]);
  });

  it("splits sentences with Intl.Segmenter", () => {
    expect(sentences("Tail sampling is late. Head sampling is early! Is it?")).toEqual([
      "Tail sampling is late.", "Head sampling is early!", "Is it?",
    ]);
  });
});

describe("FTS5 MATCH expressions", () => {
  it("quotes every term and ORs them", () => {
    expect(buildMatchExpressions("What is tail sampling?").porter).toBe('"tail" OR "sampling"');
  });

  it("neutralises FTS5 syntax in user text", () => {
    const m = buildMatchExpressions('NEAR(a b) OR "x* AND -y ^z col:value');
    expect(m.porter).not.toBeNull();
    // every token is inside double quotes: no bare operators remain
    expect(m.porter!.split(" OR ").every((t) => /^"[^"]*"( \*)?$/.test(t))).toBe(true);
  });

  it("uses prefix queries for Hangul and trigram only for terms of 3+ characters", () => {
    const m = buildMatchExpressions("상태 관리하기");
    expect(m.porter).toBe('"상태" * OR "관리" *');
    expect(m.trigram).toBeNull();
    expect(buildMatchExpressions("컴포넌트를 렌더링").trigram).toBe('"컴포넌트" OR "렌더링"');
  });

  it("adds the letter runs of alphanumeric identifiers as prefix queries", () => {
    expect(wordDelimiterParts("hTRPML2 and log4j, miR7a, Processing2Span")).toEqual(["trpml", "log", "process", "span"]);
    // Words without digits (camel case included), Hangul, runs under 3 letters ("miR7a") and stop words give none.
    expect(wordDelimiterParts("BatchSpanProcessor tail 상태2 IL6 the2")).toEqual([]);
    expect(buildMatchExpressions("hTRPML2 binding").porter).toBe('"htrpml2" OR "binding" OR "trpml" *');
    // The index term of each phrase where FTS5 certainly derives the same one: a–z words only.
    expect(buildMatchExpressions("hTRPML2 binding 상태를").porterPhrases).toEqual([
      { phrase: '"htrpml2"', term: null },
      { phrase: '"binding"', term: "bind" },
      { phrase: '"상태" *', term: null },
      { phrase: '"trpml" *', term: null },
    ]);
  });

  it("returns nothing to search for punctuation only", () => {
    expect(buildMatchExpressions("?!...")).toEqual({ porter: null, porterPhrases: [], trigram: null });
  });
});

describe("reciprocal rank fusion", () => {
  it("sums 1/(k+rank) across lists and reports ranks", () => {
    const fused = reciprocalRankFusion([
      { name: "lexical", ids: ["a", "b", "c"] },
      { name: "vector", ids: ["c", "a"] },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["a", "c", "b"]);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 10);
    expect(fused[1].ranks).toEqual({ lexical: 3, vector: 1 });
    expect(fused[2].ranks).toEqual({ lexical: 2, vector: null });
  });

  it("breaks exact ties by ranks, list by list, and only then by id", () => {
    // "z" is 1st lexically and 2nd in both others; "a" is 2nd lexically and 1st in both others:
    // the same score (1/61 + 1/62) and the same best rank, so the first list decides.
    const lists = [
      { name: "lexical", ids: ["z", "a"] },
      { name: "vector", ids: ["a", "z"], weight: 0.5 },
      { name: "expansion", ids: ["a", "z"], weight: 0.5 },
    ];
    const fused = reciprocalRankFusion(lists);
    expect(fused[0].score).toBe(fused[1].score);
    expect(fused.map((f) => f.id)).toEqual(["z", "a"]);
    // Renaming the ids (as a new ingestion would) does not change the order.
    expect(reciprocalRankFusion(lists.map((l) => ({ ...l, ids: l.ids.map((id) => (id === "z" ? "b" : "y")) }))).map((f) => f.id)).toEqual(["b", "y"]);
    // Each first in one of two equal lists: the earlier list decides, not the id.
    expect(reciprocalRankFusion([{ name: "x", ids: ["q"] }, { name: "y", ids: ["p"] }]).map((f) => f.id)).toEqual(["q", "p"]);
  });
});

describe("sentence splitting of lower-case starts", () => {
  it("splits before a lower-case sentence start but not after abbreviations", () => {
    expect(sentences("It cites documents. edge-rag is a RAG assistant. Use e.g. curl to call it.")).toEqual([
      "It cites documents.", "edge-rag is a RAG assistant.", "Use e.g. curl to call it.",
    ]);
  });
});
