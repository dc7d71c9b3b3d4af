import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { ingestDocument } from "../../worker/services/ingest";
import { LocalVectorIndex } from "../../worker/vector/local";
import { api } from "../support/api";
import { makePdf } from "../support/pdf";

const SAMPLING_MD = `---
title: Sampling
description: Learn about sampling and the different sampling options available in OpenTelemetry.
weight: 80
---

With distributed tracing, you observe requests as they move from one service to another.

{{< figure src="traces-venn-diagram.svg" >}}

## Tail sampling {#tail}

Tail sampling is where the decision to sample a trace takes place by considering all or most of the spans within the trace.

{{% alert title="Note" %}}Tail sampling needs a stateful collector.{{% /alert %}}

### Downsides

<Pitfall>
Tail samplers can be difficult to implement and operate.
</Pitfall>
`;

async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

const vectorCount = () => (new LocalVectorIndex(env.VECTOR_STORE as any) as any).stub.count() as Promise<number>;

describe("document ingestion", () => {
  it("ingests Markdown with front matter, shortcodes and MDX components, keeping heading paths", async () => {
    const res = await api("POST", "/api/documents", {
      content: SAMPLING_MD, source: "concepts/sampling/index.md", metadata: { domain: "concepts", tags: ["tracing"] },
    });
    expect(res.status).toBe(201);
    expect(res.body.chunk_count).toBeGreaterThanOrEqual(3);

    const doc = await api("GET", `/api/documents/${res.body.id}`);
    expect(doc.status).toBe(200);
    expect(doc.body.title).toBe("Sampling");
    expect(doc.body.metadata.description).toMatch(/sampling options/);
    expect(doc.body.domain).toBe("concepts");
    expect(doc.body.tags).toEqual(["tracing"]);
    expect(doc.body.chunk_count).toBe(res.body.chunk_count);

    const chunks = await env.DB.prepare("SELECT heading, content FROM chunks WHERE document_id = ? ORDER BY chunk_index").bind(res.body.id).all<{ heading: string; content: string }>();
    const headings = chunks.results.map((c) => c.heading);
    // "concepts" is the breadcrumb from the source path; the index page's own folder is the page.
    expect(headings).toContain("Concepts > Sampling > Tail sampling");
    expect(headings).toContain("Concepts > Sampling > Tail sampling > Downsides");
    const all = chunks.results.map((c) => c.content).join("\n");
    expect(all).toContain("Tail sampling needs a stateful collector.");
    expect(all).toContain("Tail samplers can be difficult to implement and operate.");
    expect(all).not.toMatch(/\{\{|<Pitfall>|\{#tail\}/);
  });

  it("re-ingesting a source replaces its chunks, FTS rows and vectors without duplicates", async () => {
    const source = "guides/reingest.md";
    const first = await api("POST", "/api/documents", { content: "# Alpha\n\nZebraword appears once here.\n\n## More\n\nSecond section text about zebraword.", source });
    expect(first.status).toBe(201);
    const vectorsAfterFirst = await vectorCount();
    const second = await api("POST", "/api/documents", { content: "# Alpha\n\nZebraword appears in the new version only.", source });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.replaced).toBe(true);

    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source = ?", source)).toBe(1);
    expect(await countRows("SELECT count(*) AS n FROM chunks WHERE document_id = ?", first.body.id)).toBe(second.body.chunk_count);
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'zebraword'")).toBe(second.body.chunk_count);
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'section'")).toBe(0);
    expect(await vectorCount()).toBe(vectorsAfterFirst - first.body.chunk_count + second.body.chunk_count);
  });

  it("a failed ingestion leaves the previous version intact and no new vectors", async () => {
    const source = "guides/atomic.md";
    const ok = await api("POST", "/api/documents", { content: "# Atomic\n\nThe original quokka text.", source });
    expect(ok.status).toBe(201);
    const before = await vectorCount();
    const p = providers(env);
    const failing = { ...p, vectorIndex: { ...p.vectorIndex, name: "failing", upsert: async () => { throw new Error("index unavailable"); }, query: p.vectorIndex.query.bind(p.vectorIndex), deleteByIds: p.vectorIndex.deleteByIds.bind(p.vectorIndex) } };
    await expect(ingestDocument(env, failing, { content: "# Atomic\n\nA replacement wombat text.", source })).rejects.toThrow("index unavailable");
    const doc = await api("GET", `/api/documents/${ok.body.id}`);
    expect(doc.body.content).toContain("quokka");
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'wombat'")).toBe(0);
    expect(await vectorCount()).toBe(before);

    // A storage failure after the vectors were written removes them again.
    const db = env.DB;
    const brokenEnv = { ...env, DB: { ...db, prepare: db.prepare.bind(db), batch: async () => { throw new Error("D1 batch failed"); } } } as unknown as Env;
    await expect(ingestDocument(brokenEnv, p, { content: "# Atomic\n\nAnother numbat text.", source })).rejects.toThrow("D1 batch failed");
    expect(await vectorCount()).toBe(before);
    expect((await api("GET", `/api/documents/${ok.body.id}`)).body.content).toContain("quokka");
  });

  it("lists with pagination and domain filter, and deletes with chunks and vectors", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await api("POST", "/api/documents", { content: `Paged document ${i} about lists.`, source: `paged/${i}.txt`, metadata: { domain: "paged" } })).status).toBe(201);
    }
    const page1 = await api("GET", "/api/documents?domain=paged&limit=2&page=1");
    expect(page1.body.total).toBe(3);
    expect(page1.body.documents).toHaveLength(2);
    const page2 = await api("GET", "/api/documents?domain=paged&limit=2&page=2");
    expect(page2.body.documents).toHaveLength(1);
    expect(page2.body.documents[0].domain).toBe("paged");

    const id = page2.body.documents[0].id;
    const before = await vectorCount();
    const del = await api("DELETE", `/api/documents/${id}`);
    expect(del.status).toBe(200);
    expect(await vectorCount()).toBe(before - del.body.chunk_count);
    expect(await countRows("SELECT count(*) AS n FROM chunks WHERE document_id = ?", id)).toBe(0);
    expect((await api("GET", `/api/documents/${id}`)).status).toBe(404);
    expect((await api("DELETE", `/api/documents/${id}`)).status).toBe(404);
  });

  it("accepts multipart uploads of .md, .txt, .html and .pdf", async () => {
    const upload = async (name: string, content: string | Uint8Array, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.set("file", new File([content as string], name));
      for (const [k, v] of Object.entries(extra)) form.set(k, v);
      return api("POST", "/api/documents", form);
    };
    const md = await upload("notes.md", "# Notes\n\nMarkdown upload about exporters.", { domain: "uploads", tags: "a, b" });
    expect(md.status).toBe(201);
    const mdDoc = await api("GET", `/api/documents/${md.body.id}`);
    expect(mdDoc.body).toMatchObject({ title: "Notes", source: "notes.md", domain: "uploads", tags: ["a", "b"], content_type: "markdown" });

    expect((await upload("plain.txt", "Plain text upload about receivers.")).status).toBe(201);

    const html = await upload("page.html", "<html><head><title>HTML Page</title><script>var x=1</script></head><body><h2>Receivers</h2><p>Receivers collect telemetry.</p></body></html>");
    expect(html.status).toBe(201);
    const htmlChunk = await env.DB.prepare("SELECT heading, content FROM chunks WHERE document_id = ?").bind(html.body.id).first<{ heading: string; content: string }>();
    expect(htmlChunk).toEqual({ heading: "HTML Page > Receivers", content: "Receivers collect telemetry." });

    const pdf = await upload("guide.pdf", makePdf(["The PDF explains the batch processor.", "It groups spans before export."]));
    expect(pdf.status).toBe(201);
    const pdfDoc = await api("GET", `/api/documents/${pdf.body.id}`);
    expect(pdfDoc.body.content_type).toBe("pdf");
    expect(pdfDoc.body.content).toContain("batch processor");

    const bad = await upload("slides.docx", "binary");
    expect(bad.status).toBe(415);
    expect(bad.body.error.code).toBe("unsupported_media_type");
    const notPdf = await upload("broken.pdf", "this is not a pdf");
    expect(notPdf.status).toBe(422);
    expect(notPdf.body.error.code).toBe("unprocessable_document");
  });
});

describe("errors", () => {
  it("uses one JSON error shape for 400, 404, 413, 415 and 422", async () => {
    const malformed = await api("POST", "/api/documents", "{not json", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: { code: "malformed_json", message: expect.any(String) } });

    const invalid = await api("POST", "/api/documents", { content: "text" });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe("invalid_request");
    expect(invalid.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "source" })]));

    const empty = await api("POST", "/api/documents", { content: "   \n  ", source: "blank.txt" });
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe("unprocessable_document");

    const tooLarge = await api("POST", "/api/documents", { content: "x".repeat(5_000_001), source: "big.txt" });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe("payload_too_large");

    const wrongType = await api("POST", "/api/documents", "hello", { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);

    const missing = await api("GET", "/api/documents/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");

    const route = await api("GET", "/api/nothing-here");
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe("not_found");

    const badChat = await api("POST", "/api/chat", "[1,", { "content-type": "application/json" });
    expect(badChat.status).toBe(400);
    expect(badChat.body.error.code).toBe("malformed_json");

    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source IN ('big.txt', 'blank.txt')")).toBe(0);
  });
});

describe("health", () => {
  it("reports version, providers and limits", async () => {
    const res = await api("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ok",
      version: "0.1.0",
      providers: { embedding: "offline-hashing", generation: "offline-extractive", vector_index: "local-exact", agent: "offline", web_search: "disabled" },
      limits: { max_document_bytes: 1_500_000 },
    });
  });
});
