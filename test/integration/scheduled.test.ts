/**
 * The Cron Trigger's housekeeping on real D1: it merges the FTS5 indexes' segments into one
 * without changing any search result, and purges finished ingestion jobs past their retention.
 */
import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { database } from "../../worker/db/client";
import { buildMatchExpressions } from "../../worker/rag/fts-query";
import { handleScheduled, JOB_RETENTION_MS } from "../../worker/scheduled";
import { ingestDocuments } from "../../worker/services/ingest";
import { searchPorter, searchTrigram, segmentCount } from "../../worker/storage/lexical";

const TOPICS = ["otter kelp forest", "tide pool urchin", "harbour seal colony", "coral reef current", "sand dune grass"];

describe("scheduled housekeeping", () => {
  it("merges the FTS5 segments of both indexes into one and leaves every search result as it was", async () => {
    // Every ingestion transaction flushes a segment; FTS5's automerge leaves many of them.
    for (let batch = 0; batch < 3; batch++) {
      const docs = TOPICS.map((topic, i) => ({
        source: `coast/${batch}-${i}.txt`,
        title: `${topic} ${batch}`,
        content: `Notes on the ${topic}, batch ${batch}. 바다 상태를 관찰하는 기록 ${i}. ${TOPICS[(i + batch) % TOPICS.length]} again.`,
        content_type: "text" as const,
      }));
      expect((await ingestDocuments(env, providers(env), docs)).every((o) => o.ok)).toBe(true);
    }
    const segmentsBefore = { porter: await segmentCount(env.DB, "chunks_fts"), trigram: await segmentCount(env.DB, "chunks_trigram") };
    expect(segmentsBefore.porter).toBeGreaterThan(2);
    expect(segmentsBefore.trigram).toBeGreaterThan(2);

    const db = database(env.DB);
    const queries = ["otter kelp", "seal harbour reef", "current batch", "상태를 관찰하는"];
    const search = () => Promise.all(queries.map(async (q) => {
      const m = buildMatchExpressions(q);
      return { porter: await searchPorter(db, m.porter!, 20), trigram: m.trigram ? await searchTrigram(db, m.trigram, 20) : [] };
    }));
    const before = await search();
    expect(before.every((r) => r.porter.length > 0)).toBe(true);

    const logs: string[] = [];
    const log = console.log;
    console.log = (line: string) => logs.push(line);
    try {
      await handleScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env);
    } finally {
      console.log = log;
    }
    expect(await segmentCount(env.DB, "chunks_fts")).toBe(1);
    expect(await segmentCount(env.DB, "chunks_trigram")).toBe(1);
    const after = await search();
    after.forEach((r, i) => {
      expect(r.porter.map((h) => h.id), queries[i]).toEqual(before[i].porter.map((h) => h.id));
      expect(r.trigram.map((h) => h.id), queries[i]).toEqual(before[i].trigram.map((h) => h.id));
      r.porter.forEach((h, j) => expect(h.score).toBeCloseTo(before[i].porter[j].score, 9));
    });
    const line = JSON.parse(logs.find((l) => l.includes('"scheduled"'))!);
    expect(line.lexical_indexes).toEqual([
      { index: "chunks_fts", segments_before: segmentsBefore.porter, segments_after: 1, steps: expect.any(Number) },
      { index: "chunks_trigram", segments_before: segmentsBefore.trigram, segments_after: 1, steps: expect.any(Number) },
    ]);

    // A second run finds nothing to merge.
    console.log = () => {};
    try {
      await handleScheduled(createScheduledController({ scheduledTime: Date.now() }), env);
    } finally {
      console.log = log;
    }
    expect(await segmentCount(env.DB, "chunks_fts")).toBe(1);
  });

  it("purges finished ingestion jobs older than the retention and keeps the others", async () => {
    const now = Date.now();
    const insert = (id: string, status: string, updatedAt: number) =>
      env.DB.prepare("INSERT INTO ingest_jobs (id, status, total, created_at, updated_at) VALUES (?, ?, 0, ?, ?)").bind(id, status, updatedAt, updatedAt).run();
    await insert("old-done", "completed", now - JOB_RETENTION_MS - 60_000);
    await insert("old-running", "running", now - JOB_RETENTION_MS - 60_000);
    await insert("new-done", "completed", now - 60_000);
    const log = console.log;
    console.log = () => {};
    try {
      await handleScheduled(createScheduledController({ scheduledTime: now }), env);
    } finally {
      console.log = log;
    }
    const ids = (await env.DB.prepare("SELECT id FROM ingest_jobs ORDER BY id").all<{ id: string }>()).results.map((r) => r.id);
    expect(ids).toEqual(["new-done", "old-running"]);
  });
});
