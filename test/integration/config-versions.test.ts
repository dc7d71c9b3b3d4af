/**
 * Versioned configuration: version 1 from the vars (made once under concurrency), new versions as
 * changes of a parent, the production pointer that the API and ingestion read, deploy and
 * rollback with their audit rows, and the admin and validation errors.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../worker/config";
import { deployedEnv } from "../../worker/config-versions/deployed";
import { TUNABLE_KEYS } from "../../worker/config-versions/tunables";
import { database } from "../../worker/db/client";
import { ensureProduction } from "../../worker/storage/config-versions";
import { ADMIN, adminApi as api, waitFor } from "../support/api";


const TOPICS = [
  ["sampling", "Head sampling and tail sampling decide which traces are kept by the collector. The sampler uses a ratio of trace identifiers."],
  ["exporters", "Exporters send spans, metrics and logs from the collector to a backend over OTLP with batching and retries."],
  ["baggage", "Baggage propagates key value pairs between services next to the trace context headers."],
  ["metrics", "Histograms, counters and gauges are metric instruments; the collector aggregates metric points before export."],
  ["resources", "Resource attributes such as service name describe the entity that produces spans and metrics."],
] as const;

const rag = (query: string) => api("POST", "/api/rag/query", { query, top_k: 5 });

beforeAll(async () => {
  // Before any API request (whose middleware would make version 1): concurrent first reads.
  const db = database(env.DB);
  const made = await Promise.all(Array.from({ length: 6 }, () => ensureProduction(db, env)));
  expect(new Set(made.map((v) => v.id)).size).toBe(1);
  for (const [topic, text] of TOPICS) {
    const res = await api("POST", "/api/documents", {
      source: `config-versions/${topic}.md`, title: topic,
      content: `# ${topic}\n\n${text}\n\n## More about ${topic}\n\n${text} The collector pipeline handles ${topic} for every span.`,
    });
    expect(res.status).toBe(201);
  }
});

describe("config versions", () => {
  it("makes exactly one version 1 from the vars, deployed by the system", async () => {
    const rows = await env.DB.prepare("SELECT version FROM config_versions").all<{ version: number }>();
    expect(rows.results.map((r) => r.version)).toEqual([1]);
    const events = await env.DB.prepare("SELECT action, actor, reason, from_version_id FROM deployment_events").all();
    expect(events.results).toEqual([{ action: "deploy", actor: "system", reason: "initial version from wrangler vars", from_version_id: null }]);

    const list = await api("GET", "/api/config/versions");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, limit: 20, total: 1 });
    const [v1] = list.body.versions;
    expect(v1).toMatchObject({ version: 1, parent_id: null, created_by: "system", deployed: true });
    const config = readConfig(env);
    expect(Object.keys(v1.values).sort()).toEqual([...TUNABLE_KEYS].sort());
    for (const k of TUNABLE_KEYS) expect(v1.values[k], k).toBe(config[k]);

    const prod = await api("GET", "/api/config/production");
    expect(prod.status).toBe(200);
    expect(prod.body).toMatchObject({ name: "production", updated_by: "system", version: { id: v1.id, version: 1 } });
    expect(prod.body.events).toHaveLength(1);
    expect((await api("GET", `/api/config/versions/${v1.id}`)).body).toEqual(v1);
    expect((await api("GET", "/api/config/versions/nope")).status).toBe(404);
    const nothing = await api("POST", "/api/config/rollback", { reason: "nothing before" }, ADMIN);
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe("conflict");
  });

  it("deploys a version to the retrieval and ingestion paths, and rolls back", async () => {
    const before = await rag("how does the collector sample traces");
    expect(before.status).toBe(200);
    expect(before.body.expansion_terms.length).toBeGreaterThan(0);
    const v1 = (await api("GET", "/api/config/production")).body.version;

    const created = await api("POST", "/api/config/versions", { values: { PRF_CHUNKS: 0, CHUNK_SIZE: 200, CHUNK_OVERLAP: 0 }, description: "no feedback, small chunks" }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 2, parent_id: v1.id, created_by: "admin", deployed: false, description: "no feedback, small chunks" });
    expect(created.body.values).toEqual({ ...v1.values, PRF_CHUNKS: 0, CHUNK_SIZE: 200, CHUNK_OVERLAP: 0 });
    // Not deployed yet.
    expect((await rag("how does the collector sample traces")).body.expansion_terms.length).toBeGreaterThan(0);

    const deployed = await api("POST", "/api/config/deploy", { version_id: created.body.id, reason: "try without feedback" }, ADMIN);
    expect(deployed.status).toBe(200);
    expect(deployed.body.event).toMatchObject({ action: "deploy", actor: "admin", reason: "try without feedback", from_version_id: v1.id, to_version_id: created.body.id });
    expect(deployed.body.production.version.id).toBe(created.body.id);

    // This isolate sees it at once: retrieval without feedback, documents chunked at 200 chars.
    expect((await rag("how does the collector sample traces")).body.expansion_terms).toEqual([]);
    const long = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} explains how processors batch spans before the exporter sends them.`).join("\n\n");
    const small = await api("POST", "/api/documents", { source: "config-versions/long-v2.md", content: `# Long\n\n${long}` });
    expect(small.status).toBe(201);
    // The ingestion queue consumer too.
    const job = await api("POST", "/api/ingest/jobs", { documents: [{ source: "config-versions/long-queue.md", content: `# Long\n\n${long}` }] });
    expect(job.status).toBe(202);
    await waitFor(async () => (await api("GET", `/api/ingest/jobs/${job.body.id}`)).body.done === 1);
    const queued = (await api("GET", "/api/documents?q=long-queue")).body.documents[0];
    expect(queued.chunk_count).toBe(small.body.chunk_count);
    // The ChatSession's turn reads the same version (and still answers).
    const chat = await api("POST", "/api/chat", { query: "How do exporters send spans?" });
    expect(chat.status).toBe(200);
    expect((await api("GET", "/api/config/versions")).body.versions.map((v: { version: number; deployed: boolean }) => [v.version, v.deployed])).toEqual([[2, true], [1, false]]);

    const rolled = await api("POST", "/api/config/rollback", { reason: "feedback helps" }, ADMIN);
    expect(rolled.status).toBe(200);
    expect(rolled.body.event).toMatchObject({ action: "rollback", actor: "admin", reason: "feedback helps", from_version_id: created.body.id, to_version_id: v1.id });
    expect((await rag("how does the collector sample traces")).body.expansion_terms.length).toBeGreaterThan(0);
    const big = await api("POST", "/api/documents", { source: "config-versions/long-v1.md", content: `# Long\n\n${long}` });
    expect(big.body.chunk_count).toBeLessThan(small.body.chunk_count);

    // The audit log, newest first.
    const prod = await api("GET", "/api/config/production");
    expect(prod.body.version.id).toBe(v1.id);
    expect(prod.body.updated_by).toBe("admin");
    expect(prod.body.events.map((e: { action: string; to_version_id: string }) => [e.action, e.to_version_id])).toEqual([
      ["rollback", v1.id], ["deploy", created.body.id], ["deploy", v1.id],
    ]);

    // A rollback to an earlier deployed version by id, then the 409s.
    expect((await api("POST", "/api/config/rollback", { reason: "again", version_id: created.body.id }, ADMIN)).status).toBe(200);
    expect((await deployedEnv(env, { refresh: true })).PRF_CHUNKS).toBe("0");
    const again = await api("POST", "/api/config/deploy", { version_id: created.body.id, reason: "twice" }, ADMIN);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
    const v3 = await api("POST", "/api/config/versions", { values: { FUSION_VECTOR_WEIGHT: 0 }, description: "lexical only", parent_id: v1.id }, ADMIN);
    expect(v3.status).toBe(201);
    expect(v3.body).toMatchObject({ version: 3, parent_id: v1.id, values: { ...v1.values, FUSION_VECTOR_WEIGHT: 0 } });
    const never = await api("POST", "/api/config/rollback", { reason: "never deployed", version_id: v3.body.id }, ADMIN);
    expect(never.status).toBe(409);
    expect((await api("POST", "/api/config/rollback", { reason: "unknown", version_id: "nope" }, ADMIN)).status).toBe(404);
    expect((await api("POST", "/api/config/deploy", { version_id: "nope", reason: "unknown" }, ADMIN)).status).toBe(404);
    expect((await api("POST", "/api/config/rollback", { reason: "back to 1" }, ADMIN)).body.event.to_version_id).toBe(v1.id);
    const page = await api("GET", "/api/config/versions?page=2&limit=2");
    expect(page.body).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(page.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it("needs the admin token for writes", async () => {
    for (const [path, body] of [
      ["/api/config/versions", { values: { PRF_TERMS: 5 }, description: "x" }],
      ["/api/config/deploy", { version_id: "x", reason: "x" }],
      ["/api/config/rollback", { reason: "x" }],
    ] as const) {
      const none = await api("POST", path, body, {});
      expect(none.status, path).toBe(401);
      expect(none.body.error.code).toBe("unauthorized");
      const wrong = await api("POST", path, body, { authorization: "Bearer wrong" });
      expect(wrong.status, path).toBe(401);
      expect(wrong.body.error.code).toBe("unauthorized");
    }
  });

  it("rejects invalid values with 422 and details", async () => {
    const post = (values: Record<string, unknown>) => api("POST", "/api/config/versions", { values, description: "bad" }, ADMIN);
    const overlap = await post({ CHUNK_SIZE: 300, CHUNK_OVERLAP: 300 });
    expect(overlap.status).toBe(422);
    expect(overlap.body.error.code).toBe("invalid_request");
    expect(overlap.body.error.details).toEqual([expect.objectContaining({ path: "values.CHUNK_OVERLAP" })]);
    const unknown = await post({ OPENAI_API_KEY: "sk-x" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toBe("values.OPENAI_API_KEY");
    const range = await post({ PRF_CHUNKS: 11 });
    expect(range.status).toBe(422);
    expect(range.body.error.details[0].path).toBe("values.PRF_CHUNKS");
    expect((await post({ GENERATION_PROVIDER: "nope" })).status).toBe(422);
    expect((await api("POST", "/api/config/deploy", { version_id: "x" }, ADMIN)).status).toBe(422);
    expect((await api("POST", "/api/config/versions", { values: {}, description: "x", parent_id: "nope" }, ADMIN)).status).toBe(404);
    expect((await api("GET", "/api/config/versions?limit=1000")).status).toBe(422);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM config_versions").first<{ n: number }>();
    expect(count?.n).toBe(3);
  });
});
