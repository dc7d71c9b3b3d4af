/** `POST /api/rag/query` with `group_by`: chunk (default) or document. */
import { describe, expect, it } from "vitest";
import { api } from "../support/api";

const section = (i: number, word: string) => `## Part ${i}\n\n${`The ${word} walrus migrates along the coast in part ${i}. `.repeat(12)}`;

describe("rag query group_by", () => {
  it("returns the best chunk of each distinct document, top_k counting documents", async () => {
    for (let d = 0; d < 6; d++) {
      const content = `# Walrus ${d}\n\n${[0, 1, 2, 3].map((i) => section(i, d % 2 === 0 ? "arctic" : "pacific")).join("\n\n")}`;
      const res = await api("POST", "/api/documents", { content, source: `walrus/${d}.md` });
      expect(res.status).toBe(201);
      expect(res.body.chunk_count).toBeGreaterThan(1);
    }

    for (const mode of ["hybrid", "lexical", "vector"]) {
      const chunks = await api("POST", "/api/rag/query", { query: "walrus migrates coast", top_k: 10, mode });
      expect(chunks.status).toBe(200);
      expect(chunks.body.results).toHaveLength(10);
      const chunkDocs = chunks.body.results.map((r: { document_id: string }) => r.document_id);
      expect(new Set(chunkDocs).size).toBeLessThan(10); // several chunks of a document

      const docs = await api("POST", "/api/rag/query", { query: "walrus migrates coast", top_k: 4, mode, group_by: "document" });
      expect(docs.status).toBe(200);
      expect(Object.keys(docs.body).sort()).toEqual(Object.keys(chunks.body).sort());
      expect(Object.keys(docs.body.results[0]).sort()).toEqual(Object.keys(chunks.body.results[0]).sort());
      const ids = docs.body.results.map((r: { document_id: string }) => r.document_id);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(4);
      // Each document appears at its best chunk: the order is that of first appearance among all chunks.
      const all = await api("POST", "/api/rag/query", { query: "walrus migrates coast", top_k: 50, mode });
      const firstSeen = [...new Set(all.body.results.map((r: { document_id: string }) => r.document_id))].slice(0, 4);
      expect(ids).toEqual(firstSeen);
      const best = new Map<string, string>();
      for (const r of all.body.results as { document_id: string; chunk_id: string }[]) if (!best.has(r.document_id)) best.set(r.document_id, r.chunk_id);
      expect(docs.body.results.map((r: { chunk_id: string }) => r.chunk_id)).toEqual(ids.map((id: string) => best.get(id)));
    }

    const all = await api("POST", "/api/rag/query", { query: "walrus", top_k: 50, group_by: "document" });
    expect(all.body.results).toHaveLength(6);
  });

  it("validates group_by", async () => {
    const res = await api("POST", "/api/rag/query", { query: "walrus", group_by: "section" });
    expect(res.status).toBe(422);
  });
});
