/**
 * The `replays` dataset of evaluation runs, offline: the questions of thumbs-down answers
 * (POST /api/feedback) replayed through the chat path via the edge-rag-eval queue, judged without
 * gold, with the earlier and the new answer side by side; filters, the 422s, and a session
 * deleted after its rating.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { adminApi as api, ADMIN, waitForRun } from "../support/api";

const DOCS = [
  { source: "replays/collector.md", content: "# Collector\n\nThe Collector receives and exports telemetry data from many sources. It runs as an agent or as a gateway." },
  { source: "replays/sampling.md", content: "# Sampling\n\nSampling restricts the amount of traces that a system generates. Head sampling decides at the start of a trace whether to keep it." },
];

/** Asks a question in a new session and rates its answer; returns the answer and the rating. */
async function askAndRate(sessionId: string, query: string, rating: "up" | "down", reasons?: string[], comment?: string) {
  const answer = await api("POST", "/api/chat", { query, session_id: sessionId }, {});
  expect(answer.status).toBe(200);
  const rated = await api("POST", "/api/feedback", { session_id: sessionId, message_id: answer.body.message_id, rating, reasons, comment }, {});
  expect(rated.status).toBe(201);
  return { answer: answer.body, feedback: rated.body };
}

const evaluate = (body: unknown) => api("POST", "/api/meta-monitoring/control/evaluate", body, ADMIN);

beforeAll(async () => {
  for (const d of DOCS) expect((await api("POST", "/api/documents", d, {})).status).toBe(201);
});

describe("replays of thumbs-down answers", () => {
  let collector: Awaited<ReturnType<typeof askAndRate>>;
  let bread: Awaited<ReturnType<typeof askAndRate>>;
  let sampling: Awaited<ReturnType<typeof askAndRate>>;

  it("answers 422 with a clear message when nothing got a thumbs-down", async () => {
    const r = await evaluate({ dataset: "replays" });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("invalid_request");
    expect(r.body.error.message).toMatch(/^Nothing to replay: no answer got a thumbs-down\. Rate answers with POST \/api\/feedback/);
  });

  it("replays the thumbs-down questions and shows the earlier and the new answer", async () => {
    collector = await askAndRate("replay-a", "What does the Collector do?", "down", ["irrelevant_documents"]);
    bread = await askAndRate("replay-b", "How do I bake a sourdough bread at home?", "down", ["other"], "should have answered");
    sampling = await askAndRate("replay-c", "What does head sampling decide?", "up");
    expect(collector.answer.has_sufficient_info).toBe(true);
    expect(bread.answer.has_sufficient_info).toBe(false);

    const started = await evaluate({ dataset: "replays", batch_size: 1 });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ dataset: "replays", corpus: null, total: 2, batch_count: 2, replay_filter: { since: null, reasons: null } });
    expect(started.body.config_version_id).toEqual(expect.any(String));
    const run = await waitForRun(started.body.id, 45_000);
    expect(run).toMatchObject({ status: "completed", done: 2, failed: 0 });

    const results = (await api("GET", `/api/meta-monitoring/runs/${run.id}/results?limit=100`)).body;
    expect(results).toMatchObject({ dataset: "replays", total: 2 });
    const byId = new Map(results.results.map((r: any) => [r.case_id, r]));
    expect([...byId.keys()].sort()).toEqual([collector.feedback.id, bread.feedback.id].sort());
    const c = byId.get(collector.feedback.id) as any;
    expect(c).toMatchObject({
      question: "What does the Collector do?", outcome: "answer", answered: true, changed: false, faithfulness: null,
      gold_at_5: false, keywords_total: 0, citation_precision: null, error: null,
      previous: { outcome: "answer", reasons: ["irrelevant_documents"], comment: null, session_id: "replay-a", message_id: collector.answer.message_id },
    });
    // The same configuration answers the same: the new answer is the earlier one.
    expect(c.response).toBe(collector.answer.response.slice(0, 500));
    expect(c.previous.response).toBe(collector.answer.response.slice(0, 500));
    expect(c.previous.rated_at).toBe(collector.feedback.created_at);
    const b = byId.get(bread.feedback.id) as any;
    expect(b).toMatchObject({ question: "How do I bake a sourdough bread at home?", outcome: "refusal", answered: false, refused: true, changed: false, previous: { outcome: "refusal", reasons: ["other"], comment: "should have answered" } });

    // No gold: the gold metrics are null; what needs no gold is computed; offline, no faithfulness.
    expect(run.metrics).toMatchObject({
      cases: 2, answerable: 0, unanswerable: 0, errors: 0, answered_rate: 0.5, changed: 0, faithfulness: null,
      answer_keyword_recall: null, all_keywords: null, citation_precision: null, gold_at_5: null, answered_when_found: null, honest_refusal_rate: null,
    });
    expect(run.metrics.citation_validity).toBe(c.citations ? c.citations_valid / c.citations : 1);
    expect(run.metrics.latency_p95_ms).toBeGreaterThanOrEqual(0);
    expect(run.metrics.llm_calls_per_answer).toBe(0);
  });

  it("selects by reason, by time and by feedback id", async () => {
    const byReason = await evaluate({ dataset: "replays", reasons: ["other", "wrong_citation"] });
    expect(byReason.status).toBe(202);
    expect(byReason.body).toMatchObject({ total: 1, replay_filter: { since: null, reasons: ["other", "wrong_citation"] } });
    const one = await waitForRun(byReason.body.id, 45_000);
    expect((await api("GET", `/api/meta-monitoring/runs/${one.id}/results`)).body.results.map((r: any) => r.case_id)).toEqual([bread.feedback.id]);

    const since = bread.feedback.created_at;
    const recent = await evaluate({ dataset: "replays", since });
    expect(recent.status).toBe(202);
    expect(recent.body.replay_filter).toEqual({ since, reasons: null });
    expect(recent.body.total).toBe(1);
    await waitForRun(recent.body.id, 45_000);

    const later = await evaluate({ dataset: "replays", since: new Date(Date.parse(sampling.feedback.created_at) + 1).toISOString() });
    expect(later.status).toBe(422);
    expect(later.body.error.message).toMatch(/^Nothing to replay: no answer got a thumbs-down since .*Z\./);

    const picked = await evaluate({ dataset: "replays", case_ids: [collector.feedback.id] });
    expect(picked.status).toBe(202);
    expect(picked.body.total).toBe(1);
    await waitForRun(picked.body.id, 45_000);
    const upvoted = await evaluate({ dataset: "replays", case_ids: [sampling.feedback.id] });
    expect(upvoted.status).toBe(422);
    expect(upvoted.body.error.details[0]).toMatchObject({ path: "case_ids" });
  });

  it("validates the body: corpus is for splits, since and reasons for replays", async () => {
    for (const bad of [
      { dataset: "replays", corpus: "otel" },
      { dataset: "replays", reasons: [] },
      { dataset: "replays", reasons: ["nope"] },
      { dataset: "replays", since: "yesterday" },
      { dataset: "replays", limit: 501 },
      { dataset: "test", since: new Date().toISOString() },
      { dataset: "dev", reasons: ["other"] },
    ]) {
      const r = await evaluate(bad);
      expect(r.status, JSON.stringify(bad)).toBe(422);
      expect(r.body.error.code).toBe("invalid_request");
    }
    expect((await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "replays" }, {})).status).toBe(401);
  });

  it("leaves out a rating whose session was deleted, and says so when none is left", async () => {
    expect((await api("DELETE", "/api/chat/replay-b", undefined, {})).status).toBeLessThan(300);
    const rest = await evaluate({ dataset: "replays" });
    expect(rest.status).toBe(202);
    expect(rest.body.total).toBe(1);
    await waitForRun(rest.body.id, 45_000);
    const gone = await evaluate({ dataset: "replays", reasons: ["other"] });
    expect(gone.status).toBe(422);
    expect(gone.body.error.message).toMatch(/^Nothing to replay: the 1 thumbs-down answer\(s\) with reason other are no longer in their sessions\./);
  });
});
