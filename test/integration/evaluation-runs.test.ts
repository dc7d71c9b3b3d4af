/**
 * Evaluation runs through the edge-rag-eval queue: a few OpenTelemetry test-split cases asked
 * through the chat path with their pages ingested, per-case results, metrics equal to the offline
 * harness's aggregate, overrides used by the consumer, redelivery, errors, latest and trends.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { breachOf } from "../../worker/monitoring/alerts-state";
import { caseById } from "../../worker/monitoring/datasets";
import { handleEvalBatch, onRunCompleted } from "../../worker/monitoring/runs";
import { aggregate, type CaseJudgement } from "../../worker/rag/eval/answers";
import { ADMIN, adminApi as api, waitForRun } from "../support/api";
import { ingestSlice } from "../support/answer-slice";

const CASES = ["otel-col-008", "otel-col-011", "otel-col-012", "otel-nc-001"];

const completions = new Map<string, number>();
onRunCompleted((_env, run) => {
  completions.set(run.id, (completions.get(run.id) ?? 0) + 1);
});

async function results(id: string, query = "") {
  const r = await api("GET", `/api/meta-monitoring/runs/${id}/results?limit=100${query}`);
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  const slice = env.TEST_ANSWERS_OTEL;
  const pages = new Set(CASES.flatMap((id) => [...caseById(id)!.gold_pages, ...(caseById(id)!.near_pages ?? [])]));
  const documents = slice.documents.filter((d) => pages.has(d.source) || d.source.includes("/docs/collector/")).slice(0, 40);
  for (const d of slice.documents) if (pages.has(d.source) && !documents.includes(d)) documents.push(d);
  await ingestSlice({ documents, cases: [] });
}, 120_000);

describe("evaluation runs", () => {
  let runId = "";

  it("runs the cases through the queue, stores per-case results and computes the metrics once", async () => {
    const started = await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", corpus: "otel", case_ids: CASES, batch_size: 2 }, ADMIN);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: "queued", dataset: "test", corpus: "otel", total: 4, done: 0, failed: 0, batch_count: 2, trigger: "manual", config_overrides: {} });
    runId = started.body.id;

    const run = await waitForRun(runId, 45_000);
    expect(run).toMatchObject({ status: "completed", total: 4, done: 4, failed: 0, progress: 1, error: null });
    expect(run.started_at).not.toBeNull();
    expect(run.completed_at).not.toBeNull();

    const body = await results(runId);
    expect(body.total).toBe(4);
    expect(body.results.map((r: any) => r.case_id).sort()).toEqual([...CASES].sort());
    for (const r of body.results) {
      expect(r.error).toBeNull();
      expect(["answer", "refusal", "clarification"]).toContain(r.outcome);
      expect(r.response.length).toBeLessThanOrEqual(500);
      expect(r.keywords_total).toBe(caseById(r.case_id)!.keywords.length);
    }
    // The gold page of otel-col-011 is ingested, so it is found.
    expect(body.results.find((r: any) => r.case_id === "otel-col-011").gold_at_5).toBe(true);

    // The metrics are the offline harness's aggregate over the same judgements.
    const cases = CASES.map((id) => caseById(id)!);
    const judgements: CaseJudgement[] = body.results.map((r: any) => ({
      id: r.case_id, answered: r.answered, refusedHonestly: caseById(r.case_id)!.scenario === "not_covered" && r.refused, goldAt5: r.gold_at_5,
      allKeywords: r.keywords_total > 0 && r.keywords_hit === r.keywords_total, keywordRecall: r.keywords_total ? r.keywords_hit / r.keywords_total : 0,
      citations: r.citations, validCitations: r.citations_valid, goldCitations: r.citations_gold, problems: r.problems,
    }));
    const m = aggregate(cases, judgements);
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    const latencies = body.results.map((r: any) => r.latency_ms).sort((a: number, b: number) => a - b);
    expect(run.metrics).toEqual({
      cases: 4, answerable: 3, unanswerable: 1, errors: 0,
      answer_keyword_recall: nan(m.keywordRecall), all_keywords: nan(m.allKeywords), citation_validity: m.citationValidity,
      citation_precision: nan(m.citationPrecision), gold_at_5: nan(m.goldAt5), answered_when_found: nan(m.answeredWhenFound),
      honest_refusal_rate: nan(m.honestRefusal), answered_rate: nan(m.answered),
      latency_p50_ms: latencies[1], latency_p95_ms: latencies[3],
      llm_calls_per_answer: body.results.reduce((s: number, r: any) => s + r.llm_calls, 0) / 4,
      // Offline: no model judges faithfulness.
      faithfulness: null,
    });
    expect(run.metrics).not.toHaveProperty("guardrail_rate");
    expect(completions.get(runId)).toBe(1);

    // The completed run went through the alert rules: every rule its metrics breach has an open alert of this run.
    const rules = (await api("GET", "/api/meta-monitoring/alert-rules")).body.rules;
    const alerts = (await api("GET", "/api/meta-monitoring/alerts?limit=100")).body.alerts;
    let breached = 0;
    for (const rule of rules.filter((r: any) => r.enabled)) {
      const value = run.metrics[rule.metric];
      if (typeof value !== "number") continue;
      const breach = breachOf(rule, value);
      const alert = alerts.find((a: any) => a.rule_id === rule.id && a.last_run_id === runId);
      if (breach) {
        breached++;
        expect(alert, `rule ${rule.name}`).toMatchObject({ value, threshold: breach.threshold, status: rule.for_runs > 1 ? "pending" : "firing" });
      } else expect(alert, `rule ${rule.name}`).toBeUndefined();
    }
    expect(breached).toBe(alerts.filter((a: any) => a.last_run_id === runId).length);

    const failedOnly = await results(runId, "&failed_only=true");
    expect(failedOnly.results.every((r: any) => r.error !== null || r.problems.length > 0)).toBe(true);
    expect(failedOnly.total).toBe(body.results.filter((r: any) => r.problems.length > 0).length);
  });

  it("does not count a redelivered batch twice and completes a run only once", async () => {
    const before = (await api("GET", `/api/meta-monitoring/runs/${runId}`)).body;
    // A finished run: the message is acknowledged and nothing changes.
    const batch = createMessageBatch("edge-rag-eval", [{ id: "e1", timestamp: new Date(), attempts: 1, body: { run_id: runId, batch_index: 0 } }]);
    await handleEvalBatch(batch, env);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(["e1"]);

    // A run whose last batch is delivered twice: reopen it with one result missing.
    const missing = (await results(runId)).results.find((r: any) => r.batch_index === 1).case_id;
    await env.DB.prepare("DELETE FROM evaluation_results WHERE run_id = ? AND case_id = ?").bind(runId, missing).run();
    await env.DB.prepare("UPDATE evaluation_runs SET status = 'running', done = 3, metrics = NULL, completed_at = NULL WHERE id = ?").bind(runId).run();
    for (const id of ["e2", "e3"]) {
      const again = createMessageBatch("edge-rag-eval", [{ id, timestamp: new Date(), attempts: 2, body: { run_id: runId, batch_index: 1 } }]);
      await handleEvalBatch(again, env);
      expect((await getQueueResult(again, createExecutionContext())).explicitAcks).toEqual([id]);
    }
    const after = (await api("GET", `/api/meta-monitoring/runs/${runId}`)).body;
    expect(after).toMatchObject({ status: "completed", total: 4, done: 4, failed: 0 });
    expect((await results(runId)).total).toBe(4);
    expect(after.metrics.cases).toBe(before.metrics.cases);
    expect(after.metrics.answered_rate).toBe(before.metrics.answered_rate);
    expect(completions.get(runId)).toBe(2); // once per reopening, not once per delivery
  });

  it("acknowledges malformed and unknown messages", async () => {
    const batch = createMessageBatch("edge-rag-eval", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { nonsense: true } },
      { id: "m2", timestamp: new Date(), attempts: 1, body: { run_id: "missing", batch_index: 0 } },
    ]);
    await handleEvalBatch(batch, env);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("evaluates with the run's overrides: stored and used by the consumer", async () => {
    // An embedding provider without its key: every turn of this run fails, the run fails, and
    // the error says why, while the current configuration is untouched.
    const started = await api("POST", "/api/meta-monitoring/control/evaluate", {
      dataset: "test", case_ids: ["otel-col-008", "otel-nc-001"], config_overrides: { EMBEDDING_PROVIDER: "openai" },
    }, ADMIN);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ corpus: null, total: 2, batch_count: 1, config_overrides: { EMBEDDING_PROVIDER: "openai" } });
    const run = await waitForRun(started.body.id, 45_000);
    expect(run).toMatchObject({ status: "failed", done: 0, failed: 2, error: "every case of the run failed" });
    const body = await results(run.id, "&failed_only=1");
    expect(body.total).toBe(2);
    for (const r of body.results) expect(r.error).toMatch(/OPENAI_API_KEY/);

    const ok = await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", case_ids: ["otel-col-008"], config_overrides: { PRF_CHUNKS: 0 } }, ADMIN);
    expect(ok.status).toBe(202);
    const done = await waitForRun(ok.body.id, 45_000);
    expect(done).toMatchObject({ status: "completed", done: 1, config_overrides: { PRF_CHUNKS: 0 } });
  });

  it("answers 401 (no token, a wrong token), 422 and 404 in the API's error shape", async () => {
    const body = { dataset: "test", case_ids: CASES };
    expect((await api("POST", "/api/meta-monitoring/control/evaluate", body, {})).status).toBe(401);
    const forbidden = await api("POST", "/api/meta-monitoring/control/evaluate", body, { authorization: "Bearer wrong" });
    expect(forbidden.status).toBe(401);
    expect(forbidden.body.error.code).toBe("unauthorized");
    for (const bad of [
      { dataset: "train" },
      { dataset: "test", corpus: "nope" },
      { dataset: "test", batch_size: 0 },
      { dataset: "test", config_overrides: { PRF_CHUNKS: 99 } },
      { dataset: "test", config_overrides: { DB: "x" } },
      { dataset: "test", config_overrides: { OPENAI_API_KEY: "x" } },
      { dataset: "test", case_ids: ["react-ko-001"] }, // a dev case, of a corpus not ingested
    ]) {
      const r = await api("POST", "/api/meta-monitoring/control/evaluate", bad, ADMIN);
      expect(r.status, JSON.stringify(bad)).toBe(422);
      expect(r.body.error.code).toBe("invalid_request");
    }
    expect((await api("GET", "/api/meta-monitoring/runs/unknown")).status).toBe(404);
    expect((await api("GET", "/api/meta-monitoring/runs/unknown/results")).body.error.code).toBe("not_found");
    expect((await api("GET", "/api/meta-monitoring/runs?status=nope")).status).toBe(422);
    expect((await api("GET", "/api/meta-monitoring/metrics/trends?metric=nope")).status).toBe(422);
    expect((await api("GET", "/api/meta-monitoring/metrics/trends?metric=gold_at_5&timeframe=1y")).status).toBe(422);
  });

  it("lists runs and serves the latest metrics and trends", async () => {
    const list = await api("GET", "/api/meta-monitoring/runs?limit=2");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, limit: 2, total: 3 });
    expect(list.body.runs).toHaveLength(2);
    const failed = await api("GET", "/api/meta-monitoring/runs?status=failed");
    expect(failed.body.runs.map((r: any) => r.status)).toEqual(["failed"]);

    const completed = (await api("GET", "/api/meta-monitoring/runs?status=completed")).body.runs;
    expect(completed).toHaveLength(2);
    const newest = completed.sort((a: any, b: any) => b.completed_at.localeCompare(a.completed_at))[0];
    const latest = await api("GET", "/api/meta-monitoring/metrics/latest");
    expect(latest.status).toBe(200);
    expect(latest.body.run_id).toBe(newest.id);
    expect(latest.body.metrics).toEqual(newest.metrics);

    const trends = await api("GET", "/api/meta-monitoring/metrics/trends?metric=answered_rate&timeframe=24h");
    expect(trends.status).toBe(200);
    expect(trends.body).toMatchObject({ metric: "answered_rate", timeframe: "24h" });
    expect(trends.body.points.map((p: any) => p.run_id).sort()).toEqual(completed.map((r: any) => r.id).sort());
    for (const p of trends.body.points) expect(p.value).toBe(completed.find((r: any) => r.id === p.run_id).metrics.answered_rate);
  });
});
