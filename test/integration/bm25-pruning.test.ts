/**
 * MaxScore pruning of BM25 queries on the real FTS5 index: searchPorterPhrases must return exactly
 * what the full OR query returns (rows, order, scores), with and without a scope, whether the
 * pruned statements prove the result at once, after a second split, or fall back.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { database } from "../../worker/db/client";
import { pruningPlan, type QueryPhrase } from "../../worker/rag/bm25-pruning";
import { buildMatchExpressions } from "../../worker/rag/fts-query";
import { ingestDocuments } from "../../worker/services/ingest";
import { searchPorter, searchPorterPhrases, termStats } from "../../worker/storage/lexical";

const COMMON = ["cell", "data", "level"]; // in about 60 %, 40 % and 20 % of the chunks
const MIDDLE = ["signal", "pathway", "receptor", "kinase", "membrane", "growth"];
const RARE = ["lysosome", "autophagy", "glacier", "walrus", "telomere", "ribosome", "axon", "zinc"];

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

beforeAll(async () => {
  const rand = lcg(7);
  const docs = Array.from({ length: 240 }, (_, i) => {
    const words: string[] = [];
    COMMON.forEach((w, j) => { if (rand() < 0.6 - j * 0.2) words.push(...Array(1 + Math.floor(rand() * 3)).fill(w)); });
    for (const w of MIDDLE) if (rand() < 0.12) words.push(w);
    for (const w of RARE) if (rand() < 0.03) words.push(w);
    const filler = Array.from({ length: 5 + Math.floor(rand() * 30) }, () => "note");
    return { source: `pruning/${i}.txt`, title: `Record ${i}`, content: [...words, ...filler].sort(() => rand() - 0.5).join(" ") + ".", content_type: "text" as const, metadata: { domain: i % 3 ? "a" : "b" } };
  });
  const outcomes = await ingestDocuments(env, providers(env), docs);
  expect(outcomes.every((o) => o.ok)).toBe(true);
});

async function phrasesOf(query: string): Promise<{ phrases: QueryPhrase[]; n: number }> {
  const db = database(env.DB);
  const match = buildMatchExpressions(query).porterPhrases;
  const stats = await termStats(db, match.flatMap((p) => (p.term ? [p.term] : [])));
  return { phrases: match.map((p) => ({ phrase: p.phrase, df: p.term ? stats.df.get(p.term) ?? null : null })), n: stats.n };
}

describe("searchPorterPhrases", () => {
  const queries = ["cell data lysosome", "cell signal autophagy walrus", "data level cell kinase ribosome", "level telomere", "cell data level", "axon zinc data"];

  it("prunes the common phrases and returns the full query's rows, order and scores", async () => {
    const db = database(env.DB);
    const pruned: string[] = [];
    for (const query of queries) {
      const { phrases, n } = await phrasesOf(query);
      if (pruningPlan(phrases, n, undefined, 0)) pruned.push(query);
      const full = phrases.map((p) => p.phrase).join(" OR ");
      for (const limit of [1, 5, 20, 60]) {
        for (const scope of [undefined, { domains: ["a"], tags: [] }]) {
          const expected = await searchPorter(db, full, limit, scope);
          const got = await searchPorterPhrases(db, phrases, n, limit, scope, { minSkipped: 0 });
          const label = `${query} / ${limit} / ${scope ? "scoped" : "all"}`;
          expect(got.map((h) => h.id), label).toEqual(expected.map((h) => h.id));
          got.forEach((h, i) => expect(h.score, label).toBeCloseTo(expected[i].score, 9));
        }
      }
    }
    // Queries that mix common and rarer words are pruned; "cell data level" (all common) is not.
    expect(pruned).toEqual(queries.filter((q) => q !== "cell data level"));
  });

  it("is exact with a threshold from a narrower query, and with the default minimum it runs the full query", async () => {
    const db = database(env.DB);
    const narrow = await phrasesOf("cell lysosome");
    const wide = await phrasesOf("cell lysosome data signal membrane");
    const first = await searchPorter(db, narrow.phrases.map((p) => p.phrase).join(" OR "), 5);
    const theta = first[4].score; // every chunk scores at least as high for the wider query
    const expected = await searchPorter(db, wide.phrases.map((p) => p.phrase).join(" OR "), 5);
    expect(pruningPlan(wide.phrases, wide.n, theta, 0)).not.toBeNull();
    for (const options of [{ theta, minSkipped: 0 }, {}]) {
      const got = await searchPorterPhrases(db, wide.phrases, wide.n, 5, undefined, options);
      expect(got.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    }
  });
});
