/**
 * Lexical search and corpus statistics against reference SQL: the unscoped BM25 query ranks the
 * FTS5 index alone and joins only the top rows, and must return exactly what joining every match
 * first returns, including the order of equal scores and which of them make the limit.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { database } from "../../worker/db/client";
import { buildMatchExpressions, expandPhrases, orExpression } from "../../worker/rag/fts-query";
import { expansionCandidates } from "../../worker/rag/feedback";
import { contentTerms } from "../../worker/rag/text";
import { ingestDocuments } from "../../worker/services/ingest";
import { hybridSearch } from "../../worker/services/retrieve";
import { BM25_WEIGHTS, prefixChunkFrequencies, searchPorter, searchTrigram, termStats } from "../../worker/storage/lexical";

/** The join-first form of the porter query (as before the optimisation), optionally with a domain filter. */
async function reference(match: string, limit: number, domain?: string): Promise<{ id: string; score: number }[]> {
  const { title, heading, content } = BM25_WEIGHTS;
  const filter = domain === undefined ? "" : " AND d.domain = ?3";
  const stmt = env.DB.prepare(
    `SELECT c.id AS id, -bm25(chunks_fts, ${title}, ${heading}, ${content}) AS score
     FROM chunks_fts JOIN chunks c ON c.seq = chunks_fts.rowid JOIN documents d ON d.id = c.document_id
     WHERE chunks_fts MATCH ?1${filter} ORDER BY bm25(chunks_fts, ${title}, ${heading}, ${content}) LIMIT ?2`,
  );
  const bound = domain === undefined ? stmt.bind(match, limit) : stmt.bind(match, limit, domain);
  return (await bound.all<{ id: string; score: number }>()).results;
}

const TWIN = "The glacier walrus rests on drifting ice near the harbour while the tide turns.";

beforeAll(async () => {
  const p = providers(env);
  const docs = [];
  // Six identical documents: equal BM25 scores, so the limit cuts through a tie.
  for (let i = 0; i < 6; i++) docs.push({ source: `twin/${i}.txt`, title: "Walrus", content: TWIN, content_type: "text" as const, metadata: { domain: i % 2 ? "odd" : "even" } });
  for (let i = 0; i < 12; i++) {
    docs.push({
      source: `mixed/${i}.txt`,
      title: `Harbour note ${i}`,
      content: `${"walrus ".repeat(i % 4)}harbour tide report number ${i}. ${"ice ".repeat((i * 7) % 5)}The pier is quiet.`,
      content_type: "text" as const,
      metadata: { domain: i % 3 ? "odd" : "even" },
    });
  }
  docs.push({ source: "ko/1.txt", title: "상태", content: "컴포넌트의 상태를 관리하는 방법과 상태 끌어올리기.", content_type: "text" as const });
  docs.push({ source: "ko/2.txt", title: "Props", content: "부모가 props를 자식에게 전달합니다. Aggregation temporality는 다른 주제입니다.", content_type: "text" as const });
  docs.push({ source: "tagged/1.txt", title: "Tagged walrus", content: "A tagged walrus naps on the harbour ice at low tide.", content_type: "text" as const, metadata: { domain: "odd", tags: ["naps"] } });
  const outcomes = await ingestDocuments(env, p, docs);
  expect(outcomes.every((o) => o.ok)).toBe(true);
});

describe("lexical search", () => {
  it("returns the same rows in the same order as joining every match first, ties included", async () => {
    const db = database(env.DB);
    const ties = await reference(buildMatchExpressions("glacier walrus").porter!, 50);
    // The twins share one score; the limit below keeps only some of them.
    expect(ties.filter((r) => r.score === ties[0].score).length).toBeGreaterThanOrEqual(6);
    for (const query of ["glacier walrus", "walrus harbour tide", "ice pier report", "quiet"]) {
      const match = buildMatchExpressions(query).porter!;
      for (const limit of [1, 3, 4, 7, 50]) {
        expect(await searchPorter(db, match, limit), `${query} / ${limit}`).toEqual(await reference(match, limit));
      }
    }
  });

  it("filters by scope before the limit, and a scope that covers everything changes nothing", async () => {
    const db = database(env.DB);
    const match = buildMatchExpressions("walrus harbour ice").porter!;
    const all = await searchPorter(db, match, 50);
    expect(all.length).toBeGreaterThan(10);
    expect(await searchPorter(db, match, 50, { domains: ["even", "odd"], tags: [] })).toEqual(all);
    for (const limit of [2, 5, 50]) {
      expect(await searchPorter(db, match, limit, { domains: ["odd"], tags: [] })).toEqual(await reference(match, limit, "odd"));
    }
  });

  it("ranks the trigram index the same way", async () => {
    const db = database(env.DB);
    const hits = await searchTrigram(db, buildMatchExpressions("컴포넌트의 상태를 관리하는").trigram!, 10);
    expect(hits).toHaveLength(1);
    expect(hits[0].score).toBeGreaterThan(0);
  });
});

describe("index terms in MATCH expressions", () => {
  it("finds a term that FTS5's Porter tokenizer would stem again, through a word that stems to it or as a prefix", async () => {
    const outcomes = await ingestDocuments(env, providers(env), [
      { source: "physics/rocket.txt", title: "Rockets", content: "Rocket acceleration depends on thrust. A long exposed nozzle adds drag.", content_type: "text" },
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const db = database(env.DB);
    const found = async (match: string | null) => (await searchPorter(db, match!, 10)).length;
    // "acceler" and "expos" are index terms (stems of acceleration, exposed) that Porter changes again.
    expect((await termStats(db, ["acceler", "expos"])).df).toEqual(new Map([["acceler", 1], ["expos", 1]]));
    expect(await found('"acceler"')).toBe(0);
    expect(await found('"expos"')).toBe(0);
    // As prefixes (not stemmed) and through the words the feedback chunks hold, they are found.
    const expand = (terms: string[], wordOf?: (t: string) => string | undefined) => orExpression(expandPhrases([], terms, wordOf));
    expect(expand(["acceler", "expos", "rocket"])).toBe('"acceler" * OR "expos" * OR "rocket"');
    expect(await found(expand(["acceler"]))).toBe(1);
    const candidates = expansionCandidates(new Set(contentTerms("thrust")), [{ text: "Rocket acceleration depends on thrust. A long exposed nozzle adds drag.", score: 5 }]);
    const wordOf = new Map(candidates.map((c) => [c.term, c.word]));
    expect(wordOf.get("acceler")).toBe("acceleration");
    expect(wordOf.get("expos")).toBe("exposed");
    const match = expand(["acceler", "expos"], (t) => wordOf.get(t));
    expect(match).toBe('"acceleration" OR "exposed"');
    expect(await found(match)).toBe(1);
  });

  it("keeps a spelling correction's index term as it is in the query embedding and out of the expansion terms", async () => {
    const p = providers(env);
    await ingestDocuments(env, p, [
      { source: "physics/engine.txt", title: "Engines", content: "Engine acceleration and engine acceleration again: the acceleration of a rocket engine.", content_type: "text" },
    ]);
    // "accelaration" is unknown; its nearest index term "acceler" would become "accel" if stemmed again.
    const res = await hybridSearch(env, p, "engine accelaration", 5);
    expect(res.spelling_corrections).toEqual([{ from: "accelar", to: "acceler" }]);
    // The correction is one of the query's terms, so feedback does not add it a second time.
    expect(res.expansion_terms).not.toContain("acceler");
    expect(res.expansion_terms).not.toContain("accel");
    expect(res.results[0].source).toBe("physics/engine.txt");
    expect(res.results[0].vector_rank).toBe(1);
  });
});

describe("termStats", () => {
  it("returns the chunk count and each distinct term's chunk frequency in one statement", async () => {
    const db = database(env.DB);
    const n = (await env.DB.prepare("SELECT count(*) AS n FROM chunks").first<{ n: number }>())!.n;
    const [glacier] = contentTerms("glacier");
    const [harbour] = contentTerms("harbour");
    const stats = await termStats(db, [glacier, "zzqxunknownterm", glacier, harbour]);
    expect(stats.n).toBe(n);
    expect([...stats.df.keys()]).toEqual([glacier, "zzqxunknownterm", harbour]);
    expect(stats.df.get(glacier)).toBe(6);
    expect(stats.df.get(harbour)).toBe(19);
    expect(stats.df.get("zzqxunknownterm")).toBe(0);
    const empty = await termStats(db, []);
    expect(empty).toEqual({ n, df: new Map() });
  });
});

describe("hybrid search candidates", () => {
  it("checks vector candidates against the tag scope and returns the stored content of each result", async () => {
    const p = providers(env);
    for (const mode of ["vector", "hybrid"] as const) {
      const all = await hybridSearch(env, p, "walrus harbour ice tide", 10, { mode });
      expect(all.results.length).toBe(10);
      expect(all.results.map((r) => r.source)).not.toEqual(["tagged/1.txt"]);
      const tagged = await hybridSearch(env, p, "walrus harbour ice tide", 10, { scope: { domains: [], tags: ["naps"] }, mode });
      expect(tagged.results.map((r) => r.source)).toEqual(["tagged/1.txt"]);
      expect(tagged.results[0]).toMatchObject({ domain: "odd", title: "Tagged walrus", score: expect.any(Number) });
      expect(tagged.results[0][mode === "vector" ? "vector_rank" : "lexical_rank"]).toBe(1);
      for (const r of all.results) {
        const row = await env.DB.prepare("SELECT content, document_id FROM chunks WHERE id = ?").bind(r.chunk_id).first<{ content: string; document_id: string }>();
        expect(r.content).toBe(row!.content);
        expect(r.document_id).toBe(row!.document_id);
      }
    }
  });
});

describe("prefix chunk frequencies", () => {
  it("count a stem followed by a Hangul particle, not by more Latin letters", async () => {
    const db = database(env.DB);
    const n = (await termStats(db, [])).n;
    const df = await prefixChunkFrequencies(db, ["상태", "props", "tempo", "walrus"], n);
    expect(df.get("상태")).toBe(1); // 상태를
    expect(df.get("props")).toBe(1); // props를
    expect(df.get("tempo")).toBe(0); // temporality is another word
    expect(df.get("walrus")).toBe(0); // indexed whole, no particle
  });
});

