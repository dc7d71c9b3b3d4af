/**
 * Faults in ingestion through the queue consumer (worker/queue.ts):
 *  - D1 failing inside the transaction that stores a batch's documents: a statement in the middle
 *    of the D1 batch fails after the document row, chunk rows and FTS rows before it were written.
 *    Each document must be all or nothing: no orphan chunks, FTS rows or vectors, the previous
 *    version kept, and the job reporting the failure (retried first, then recorded).
 *  - A queue batch redelivered after the consumer crashed (documents stored, outcomes not yet
 *    recorded, nothing acknowledged): the redelivery must not duplicate documents, chunks, FTS rows
 *    or vectors, and the job's counters must be exact.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { handleIngestBatch } from "../../worker/queue";
import type { DocumentInput } from "../../worker/schemas";
import { createJob, getJob } from "../../worker/storage/jobs";
import { LocalVectorIndex } from "../../worker/vector/local";
import { api } from "../support/api";

const vectorCount = () => (new LocalVectorIndex(env.VECTOR_STORE as any) as any).stub.count() as Promise<number>;
const n = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? 0;

/** The knowledge base's consistency: every chunk has its document, its FTS row and its vector, and nothing else exists. */
async function expectConsistent() {
  expect(await n("SELECT count(*) AS n FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL")).toBe(0);
  expect(await n("SELECT count(*) AS n FROM chunks_fts")).toBe(await n("SELECT count(*) AS n FROM chunks"));
  expect(await n("SELECT count(*) AS n FROM documents d WHERE d.chunk_count != (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)")).toBe(0);
  expect(await vectorCount()).toBe(await n("SELECT count(*) AS n FROM chunks"));
}

/** `env` whose D1 batches fail in the middle when `when(statements)` says so: a failing statement is put halfway through. */
function d1FailingInside(when: (sqls: string[]) => boolean): { env: Env; failures: () => number } {
  const db = env.DB;
  let failures = 0;
  const broken = Object.create(db);
  broken.prepare = (q: string) => db.prepare(q);
  broken.batch = async (statements: D1PreparedStatement[]) => {
    const sqls = statements.map((s: any) => String(s.statement ?? s.sql ?? s.query ?? ""));
    if (!when(sqls)) return db.batch(statements);
    failures++;
    const half = Math.max(1, Math.floor(statements.length / 2));
    return db.batch([...statements.slice(0, half), db.prepare("INSERT INTO no_such_table (x) VALUES (1)"), ...statements.slice(half)]);
  };
  return { env: { ...env, DB: broken } as Env, failures: () => failures };
}

function batchOf(job: { id: string; itemIds: string[] }, attempts: number, prefix: string) {
  return createMessageBatch("edge-rag-ingest", job.itemIds.map((item_id, i) => ({ id: `${prefix}${i}`, timestamp: new Date(), attempts, body: { job_id: job.id, item_id } })));
}

const docs = (tag: string, count: number, word: string): DocumentInput[] =>
  Array.from({ length: count }, (_, i) => ({ source: `${tag}/doc-${i}.md`, content: `# ${tag} ${i}\n\nDocument ${i} about ${word}.\n\n## Details\n\nMore about ${word} in part two of document ${i}.` }));

describe("D1 failing inside an ingestion batch", () => {
  it("keeps every document all or nothing, keeps the previous version, retries, then records the failure", async () => {
    const previous = await api("POST", "/api/documents", { source: "d1fail/doc-0.md", content: "# Old\n\nThe old narwhal version." });
    expect(previous.status).toBe(201);
    const before = { documents: await n("SELECT count(*) AS n FROM documents"), vectors: await vectorCount() };

    // Every batch that writes chunks fails halfway (the group's batch, then each document's own).
    const faulty = d1FailingInside((sqls) => sqls.some((s) => /insert into "chunks"/i.test(s)));
    const job = await createJob(database(env.DB), docs("d1fail", 4, "walruses"));
    const first = batchOf(job, 1, "a");
    await handleIngestBatch(first, faulty.env);
    const r1 = await getQueueResult(first, createExecutionContext());
    expect(faulty.failures()).toBe(1 + 4); // the group of 4, then each alone
    expect(r1.retryMessages.map((m) => m.msgId).sort()).toEqual(["a0", "a1", "a2", "a3"]); // transient: retried
    expect(await n("SELECT count(*) AS n FROM documents WHERE source LIKE 'd1fail/%'")).toBe(1);
    expect((await api("GET", `/api/documents/${previous.body.id}`)).body.content).toContain("narwhal");
    expect(await n("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'walruses'")).toBe(0);
    expect(await n("SELECT count(*) AS n FROM documents")).toBe(before.documents);
    expect(await vectorCount()).toBe(before.vectors);
    await expectConsistent();

    // The last delivery records the failure on the job, in its error list.
    const last = batchOf(job, 3, "c");
    await handleIngestBatch(last, faulty.env);
    expect((await getQueueResult(last, createExecutionContext())).explicitAcks.sort()).toEqual(["c0", "c1", "c2", "c3"]);
    const status = await getJob(database(env.DB), job.id);
    expect(status).toMatchObject({ status: "failed", done: 0, failed: 4 });
    expect(status!.errors).toHaveLength(4);
    expect(status!.errors[0].message).toMatch(/no such table/);
    await expectConsistent();
  });

  it("one document whose statements fail does not take the others of its batch with it", async () => {
    // Fail every D1 batch that holds the poisoned document (seen in the statements' bound values).
    const db = env.DB;
    let failures = 0;
    const broken = Object.create(db);
    broken.prepare = (q: string) => db.prepare(q);
    broken.batch = async (statements: D1PreparedStatement[]) => {
      const poisoned = statements.some((s: any) => JSON.stringify(s.params ?? s.values ?? []).includes("poisoned-vole"));
      if (!poisoned) return db.batch(statements);
      failures++;
      const half = Math.max(1, Math.floor(statements.length / 2));
      return db.batch([...statements.slice(0, half), db.prepare("INSERT INTO no_such_table (x) VALUES (1)"), ...statements.slice(half)]);
    };
    const input = [...docs("mixed", 3, "voles"), { source: "mixed/poison.md", content: "# Poison\n\nA poisoned-vole document." }];
    const job = await createJob(database(env.DB), input);
    const batch = batchOf(job, 3, "m");
    await handleIngestBatch(batch, { ...env, DB: broken } as Env);
    await getQueueResult(batch, createExecutionContext());
    expect(failures).toBe(2); // the group, then the poisoned document alone
    expect(await getJob(database(env.DB), job.id)).toMatchObject({ status: "completed", done: 3, failed: 1 });
    expect(await n("SELECT count(*) AS n FROM documents WHERE source LIKE 'mixed/%'")).toBe(3);
    expect(await n("SELECT count(*) AS n FROM documents WHERE source = 'mixed/poison.md'")).toBe(0);
    await expectConsistent();
  });
});

describe("a queue batch retried after a crash", () => {
  it("stores each document once when the consumer crashed after storing them and before recording their outcome", async () => {
    const input = docs("redeliver", 5, "quokkas");
    const job = await createJob(database(env.DB), input);
    // The crash: the batch that records the items' outcomes fails, so the consumer throws and
    // nothing is acknowledged; Queues redelivers the whole batch.
    const crashing = d1FailingInside((sqls) => sqls.some((s) => /update "ingest_job_items"/i.test(s)));
    const first = batchOf(job, 1, "x");
    await expect(handleIngestBatch(first, crashing.env)).rejects.toThrow(/no such table/);
    expect(await n("SELECT count(*) AS n FROM documents WHERE source LIKE 'redeliver/%'")).toBe(5); // stored before the crash
    expect(await getJob(database(env.DB), job.id)).toMatchObject({ done: 0, failed: 0 }); // outcomes rolled back
    const chunksAfterFirst = await n("SELECT count(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source LIKE 'redeliver/%'");
    const ids = (await env.DB.prepare("SELECT id FROM documents WHERE source LIKE 'redeliver/%' ORDER BY source").all<{ id: string }>()).results.map((r) => r.id);

    // Redelivery, twice (at-least-once delivery may repeat it), with D1 healthy.
    for (const [attempts, prefix] of [[2, "y"], [2, "z"]] as const) {
      const again = batchOf(job, attempts, prefix);
      await handleIngestBatch(again, env);
      expect((await getQueueResult(again, createExecutionContext())).explicitAcks).toHaveLength(5);
    }
    expect(await n("SELECT count(*) AS n FROM documents WHERE source LIKE 'redeliver/%'")).toBe(5);
    expect((await env.DB.prepare("SELECT id FROM documents WHERE source LIKE 'redeliver/%' ORDER BY source").all<{ id: string }>()).results.map((r) => r.id)).toEqual(ids);
    expect(await n("SELECT count(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source LIKE 'redeliver/%'")).toBe(chunksAfterFirst);
    expect(await n("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'quokkas'")).toBe(chunksAfterFirst);
    expect(await getJob(database(env.DB), job.id)).toMatchObject({ status: "completed", total: 5, done: 5, failed: 0, errors: [] });
    await expectConsistent();
  });
});
