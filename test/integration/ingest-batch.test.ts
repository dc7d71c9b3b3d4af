/**
 * Batched ingestion: the queue consumer ingests a whole batch of messages together
 * (ingestDocuments), with the guarantees of single-document ingestion kept per document.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providers, type Providers } from "../../worker/config";
import { database } from "../../worker/db/client";
import { handleIngestBatch } from "../../worker/queue";
import type { DocumentInput } from "../../worker/schemas";
import { ingestDocuments } from "../../worker/services/ingest";
import { createJob, getJob } from "../../worker/storage/jobs";
import { LocalVectorIndex } from "../../worker/vector/local";
import { api } from "../support/api";

const vectorCount = () => (new LocalVectorIndex(env.VECTOR_STORE as any) as any).stub.count() as Promise<number>;

async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Creates a job for `docs` (without queueing it) and runs the consumer on one batch of its items. */
async function runBatch(docs: DocumentInput[], attempts = 1) {
  const job = await createJob(database(env.DB), docs);
  const batch = createMessageBatch(
    "edge-rag-ingest",
    job.itemIds.map((item_id, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body: { job_id: job.id, item_id } })),
  );
  const ctx = createExecutionContext();
  await handleIngestBatch(batch, env);
  return { job: job.id, itemIds: job.itemIds, result: await getQueueResult(batch, ctx) };
}

describe("batched queue ingestion", () => {
  it("ingests a batch together: replaces existing sources, keeps the last duplicate, fails bad documents alone", async () => {
    const first = await api("POST", "/api/documents", { content: "# Old\n\nThe old capybara version.\n\n## More\n\nA second old section.", source: "batch/replaced.md" });
    expect(first.status).toBe(201);
    const vectorsBefore = await vectorCount();

    const docs: DocumentInput[] = [
      ...Array.from({ length: 8 }, (_, i) => ({ source: `batch/doc-${i}.md`, content: `# Doc ${i}\n\nBatch document number ${i} about ocelots.` })),
      { source: "batch/replaced.md", content: "# New\n\nThe new axolotl version." },
      { source: "batch/empty.md", content: "<!-- nothing -->" },
      { source: "batch/dup.md", content: "# Dup\n\nFirst version mentions gerbils." },
      { source: "batch/dup.md", content: "# Dup\n\nSecond version mentions hamsters." },
    ];
    const { job, itemIds, result } = await runBatch(docs);
    expect(result.explicitAcks.sort()).toEqual(docs.map((_, i) => `m${i}`).sort());
    expect(result.retryMessages).toEqual([]);

    const status = await getJob(database(env.DB), job);
    expect(status).toMatchObject({ status: "completed", total: docs.length, done: docs.length - 1, failed: 1 });
    expect(status!.errors).toEqual([{ source: "batch/empty.md", message: expect.stringMatching(/no text/) }]);

    // The replaced source keeps its id; old chunks, FTS rows and vectors are gone.
    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source = ?", "batch/replaced.md")).toBe(1);
    const replaced = await env.DB.prepare("SELECT id, content FROM documents WHERE source = ?").bind("batch/replaced.md").first<{ id: string; content: string }>();
    expect(replaced!.id).toBe(first.body.id);
    expect(replaced!.content).toContain("axolotl");
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'capybara'")).toBe(0);
    // The duplicate source ends with its last version.
    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source = ?", "batch/dup.md")).toBe(1);
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'gerbils'")).toBe(0);
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'hamsters'")).toBe(1);
    expect(await countRows("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'ocelots'")).toBe(8);

    // Vectors: one per stored chunk, none left over from the replaced versions.
    const stored = await countRows("SELECT count(*) AS n FROM chunks");
    expect(await vectorCount()).toBe(stored);
    expect(stored - (vectorsBefore - first.body.chunk_count)).toBe(8 + 1 + 1);

    // Redelivered messages of finished items are acknowledged without work.
    const again = createMessageBatch("edge-rag-ingest", [{ id: "r1", timestamp: new Date(), attempts: 2, body: { job_id: job, item_id: itemIds[0] } }]);
    await handleIngestBatch(again, env);
    expect((await getQueueResult(again, createExecutionContext())).explicitAcks).toEqual(["r1"]);
  });

  it("a failing document does not fail the others of its group, and leaves no vectors", async () => {
    const p = providers(env);
    // The vector index refuses any upsert holding a vector of the "poison" domain.
    const picky: Providers = {
      ...p,
      vectorIndex: {
        name: "picky",
        upsert: async (records) => {
          if (records.some((r) => r.metadata?.domain === "poison")) throw new Error("poisoned upsert");
          await p.vectorIndex.upsert(records);
        },
        query: p.vectorIndex.query.bind(p.vectorIndex),
        deleteByIds: p.vectorIndex.deleteByIds.bind(p.vectorIndex),
        getByIds: p.vectorIndex.getByIds.bind(p.vectorIndex),
      },
    };
    const before = await vectorCount();
    const outcomes = await ingestDocuments(env, picky, [
      { source: "group/a.md", content: "# A\n\nFirst good document about lemurs." },
      { source: "group/poison.md", content: "# P\n\nThe poisoned document about lemurs.", metadata: { domain: "poison" } },
      { source: "group/b.md", content: "# B\n\nSecond good document about lemurs." },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1].ok ? undefined : String(outcomes[1].error)).toMatch(/poisoned upsert/);
    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source LIKE 'group/%'")).toBe(2);
    expect(await vectorCount()).toBe(before + 2);
  });

  it("a storage failure leaves the previous versions and no new vectors; transient errors are retried", async () => {
    const ok = await api("POST", "/api/documents", { content: "# Keep\n\nThe original pangolin text.", source: "storage/keep.md" });
    expect(ok.status).toBe(201);
    const before = await vectorCount();
    const db = env.DB;
    const brokenEnv = { ...env, DB: { ...db, prepare: db.prepare.bind(db), batch: async () => { throw new Error("D1 batch failed"); } } } as unknown as Env;
    const outcomes = await ingestDocuments(brokenEnv, providers(env), [
      { source: "storage/keep.md", content: "# Keep\n\nA replacement tapir text." },
      { source: "storage/new.md", content: "# New\n\nA brand new okapi text." },
    ]);
    expect(outcomes.every((o) => !o.ok && String(o.error).includes("D1 batch failed"))).toBe(true);
    expect(await vectorCount()).toBe(before);
    expect((await api("GET", `/api/documents/${ok.body.id}`)).body.content).toContain("pangolin");
    expect(await countRows("SELECT count(*) AS n FROM documents WHERE source = 'storage/new.md'")).toBe(0);

    // Through the consumer, a transient (non-API) failure is retried while attempts remain, then
    // recorded as failed.
    const down = { idFromName: () => "down", get: () => ({ upsert: async () => { throw new Error("vector store down"); }, deleteByIds: async () => undefined }) };
    const failingEnv = { ...env, VECTOR_STORE: down } as unknown as Env;
    const job = await createJob(database(env.DB), [{ source: "storage/retry.md", content: "Retry me about quolls." }]);
    for (const attempts of [1, 3]) {
      const batch = createMessageBatch("edge-rag-ingest", [{ id: `t${attempts}`, timestamp: new Date(), attempts, body: { job_id: job.id, item_id: job.itemIds[0] } }]);
      await handleIngestBatch(batch, failingEnv);
      const result = await getQueueResult(batch, createExecutionContext());
      if (attempts === 1) expect(result.retryMessages.map((m) => m.msgId)).toEqual(["t1"]);
      else expect(result.explicitAcks).toEqual(["t3"]);
    }
    expect(await getJob(database(env.DB), job.id)).toMatchObject({ status: "failed", done: 0, failed: 1, errors: [{ source: "storage/retry.md", message: "vector store down" }] });
  });
});
