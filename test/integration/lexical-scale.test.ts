/** Lexical search paths and corpus statistics that keep queries cheap on large indexes. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { searchPorter, termStats } from "../../worker/storage/lexical";
import { api } from "../support/api";

const WORDS = ["otter", "kelp", "urchin", "tide", "reef", "current", "shell", "sand", "harbor", "seal"];

/** A document whose sections mention the animal words in a seeded order. */
function doc(d: number): string {
  const sections = [0, 1, 2].map((s) => {
    const words = Array.from({ length: 40 }, (_, i) => WORDS[(d * 7 + s * 3 + i * (d + 1)) % WORDS.length]);
    return `## Part ${s}\n\n${words.join(" ")}. The ${WORDS[d % WORDS.length]} story continues here.`;
  });
  return `# Coast ${d}\n\n${sections.join("\n\n")}`;
}

async function chunkCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM chunks").first<{ n: number }>())!.n;
}

describe("lexical search at scale", () => {
  it("ranks without a scope (FTS5 cut before the join) exactly as with a scope that admits every document", async () => {
    for (let d = 0; d < 12; d++) {
      const res = await api("POST", "/api/documents", { content: doc(d), source: `coast/${d}.md`, metadata: { domain: d % 2 ? "odd" : "even" } });
      expect(res.status).toBe(201);
    }
    const db = database(env.DB);
    for (const match of ['"otter" OR "kelp"', '"reef"', '"seal" OR "sand" OR "tide" OR "harbor"']) {
      for (const limit of [1, 5, 50]) {
        const fast = await searchPorter(db, match, limit);
        const scoped = await searchPorter(db, match, limit, { domains: ["odd", "even"], tags: [] });
        expect(fast).toHaveLength(scoped.length);
        expect(fast.length).toBeLessThanOrEqual(limit);
        expect(fast.map((h) => h.id)).toEqual(scoped.map((h) => h.id));
        fast.forEach((h, i) => expect(h.score).toBeCloseTo(scoped[i].score, 9));
        for (let i = 1; i < fast.length; i++) expect(fast[i - 1].score).toBeGreaterThanOrEqual(fast[i].score);
      }
    }
    const onlyOdd = await searchPorter(db, '"otter"', 50, { domains: ["odd"], tags: [] });
    expect(onlyOdd.length).toBeGreaterThan(0);
    expect(onlyOdd.length).toBeLessThan((await searchPorter(db, '"otter"', 50)).length);
  });

  it("keeps the chunk count of corpus_stats equal to the chunks table through inserts, replacements and deletes", async () => {
    const db = database(env.DB);
    const n = async () => (await termStats(db, ["otter"])).n;
    expect(await n()).toBe(await chunkCount());
    const created = await api("POST", "/api/documents", { content: doc(99), source: "coast/extra.md" });
    expect(await n()).toBe(await chunkCount());
    // Replaced by a shorter version: old chunks deleted, new ones inserted.
    await api("POST", "/api/documents", { content: "# Coast extra\n\nOne otter.", source: "coast/extra.md" });
    expect(await n()).toBe(await chunkCount());
    expect((await api("DELETE", `/api/documents/${created.body.id}`)).status).toBe(200);
    expect(await n()).toBe(await chunkCount());
    expect(await chunkCount()).toBeGreaterThan(0);
  });
});
