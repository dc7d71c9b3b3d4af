import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleIngestBatch } from "../../worker/queue";
import { api, waitFor } from "../support/api";

describe("bulk ingestion through the queue", () => {
  it("ingests a job's documents and reports progress and errors", async () => {
    const created = await api("POST", "/api/ingest/jobs", {
      documents: [
        { source: "bulk/one.md", content: "# One\n\nThe first bulk document about spans." },
        { source: "bulk/two.md", content: "# Two\n\nThe second bulk document about metrics.", metadata: { domain: "bulk" } },
        { source: "bulk/empty.md", content: "<!-- nothing but a comment -->" },
      ],
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: "queued", total: 3, done: 0, failed: 0, errors: [] });

    const job = await waitFor(async () => {
      const r = await api("GET", `/api/ingest/jobs/${created.body.id}`);
      return r.body.done + r.body.failed === 3 ? r.body : undefined;
    });
    expect(job).toMatchObject({ status: "completed", total: 3, done: 2, failed: 1 });
    expect(job.errors).toEqual([{ source: "bulk/empty.md", message: expect.stringMatching(/no text/) }]);

    const list = await api("GET", "/api/documents?limit=100");
    expect(list.body.documents.map((d: { source: string }) => d.source)).toEqual(expect.arrayContaining(["bulk/one.md", "bulk/two.md"]));
    expect(list.body.documents.map((d: { source: string }) => d.source)).not.toContain("bulk/empty.md");
  });

  it("validates job requests and unknown jobs", async () => {
    expect((await api("POST", "/api/ingest/jobs", { documents: [] })).status).toBe(422);
    expect((await api("POST", "/api/ingest/jobs", { documents: [{ content: "no source" }] })).status).toBe(422);
    expect((await api("GET", "/api/ingest/jobs/unknown")).status).toBe(404);
  });

  it("acknowledges malformed and already-processed messages without failing the batch", async () => {
    const batch = createMessageBatch("edge-rag-ingest", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { nonsense: true } },
      { id: "m2", timestamp: new Date(), attempts: 1, body: { job_id: "missing", item_id: "missing" } },
    ]);
    const ctx = createExecutionContext();
    await handleIngestBatch(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
  });
});
