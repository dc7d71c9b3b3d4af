/**
 * Alerts of the quality loop in workerd: evaluateAlertRules over a sequence of runs (the seeded
 * default rules of migrations/0007_alerts.sql), webhook notifications received by the mock
 * server's sink (test/support/mock-openai.ts), and the /api/meta-monitoring alert endpoints.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { evaluateAlertRules, type AlertEvaluation } from "../../worker/monitoring/alerts-evaluate";
import { ADMIN, adminApi as api, waitFor } from "../support/api";

const GOOD = { answer_keyword_recall: 0.6, citation_validity: 1, citation_precision: 0.8, gold_at_5: 0.9, honest_refusal_rate: 0.9, latency_p95_ms: 1000, llm_calls_per_answer: 1 };
const T0 = Date.UTC(2026, 0, 1);
const sink = `alerts-${crypto.randomUUID().slice(0, 8)}`;
const hookUrl = (name: string) => `${env.MOCK_OPENAI_URL}/webhook/${name}`;
const received = async (name: string): Promise<{ text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] }[]> =>
  (await fetch(hookUrl(name))).json();

/** Evaluates run `n` (at T0 + n hours) with GOOD metrics overridden by `metrics`. */
function evaluate(n: number, metrics: Record<string, number>, url = hookUrl(sink), timeoutMs?: number): Promise<AlertEvaluation> {
  return evaluateAlertRules({ DB: env.DB, ALERT_WEBHOOK_URL: url }, { run_id: `run-${n}`, metrics: { ...GOOD, ...metrics }, at: T0 + n * 3600_000 }, { webhook: { timeoutMs } });
}

const ids: Record<string, string> = {};

describe("evaluateAlertRules over a sequence of runs", () => {
  it("a healthy run changes nothing", async () => {
    const r = await evaluate(1, {});
    expect(r).toMatchObject({ run_id: "run-1", evaluated: 6, changes: [], webhook_failures: 0 });
    expect((await api("GET", "/api/meta-monitoring/alerts")).body.total).toBe(0);
  });

  it("a critical breach of a for_runs 1 rule fires at once; a for_runs 2 rule is pending", async () => {
    const r = await evaluate(2, { citation_validity: 0.93, latency_p95_ms: 4000 });
    const byMetric = Object.fromEntries(r.changes.map((c) => [c.alert.metric, c]));
    expect(byMetric.citation_validity).toMatchObject({ opened: true, notified: 1, alert: { status: "firing", severity: "critical", threshold: 0.95, value: 0.93 }, transitions: [{ from: null, to: "firing" }] });
    expect(byMetric.latency_p95_ms).toMatchObject({ opened: true, notified: 0, alert: { status: "pending", severity: "medium", threshold: 3000 }, transitions: [{ from: null, to: "pending" }] });
    ids.citation = byMetric.citation_validity!.alert.id;
    ids.latency = byMetric.latency_p95_ms!.alert.id;
    const hooks = await received(sink);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.text).toBe("[FIRING · critical] Citation validity low: citation_validity = 0.93 (threshold < 0.95), run run-2");
    expect(hooks[0]!.blocks[0]!.type).toBe("section");
    expect(hooks[0]!.blocks[1]!.elements![0]!.text).toContain(ids.citation);
  });

  it("an acknowledged alert fires silently; a severity change is logged", async () => {
    const ack = await api("POST", `/api/meta-monitoring/alerts/${ids.latency}/acknowledge`, { note: "known: cold caches" }, ADMIN);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: ids.latency, status: "pending", acknowledged_by: "admin" });
    expect(Date.parse(ack.body.acknowledged_at)).toBeGreaterThan(0);
    const r = await evaluate(3, { citation_validity: 0.97, latency_p95_ms: 4500 });
    const byMetric = Object.fromEntries(r.changes.map((c) => [c.alert.metric, c]));
    expect(byMetric.latency_p95_ms).toMatchObject({ notified: 0, alert: { status: "firing", breaching_runs: 2, acknowledged_by: "admin" }, transitions: [{ from: "pending", to: "firing" }] });
    expect(byMetric.citation_validity).toMatchObject({ notified: 0, alert: { status: "firing", severity: "high", threshold: 0.98 }, transitions: [{ from: "firing", to: "firing", note: "severity critical → high" }] });
    expect(await received(sink)).toHaveLength(1);
  });

  it("a retried run counts once", async () => {
    const r = await evaluate(3, { citation_validity: 0.97, latency_p95_ms: 4500 });
    expect(r.changes).toEqual([]);
  });

  it("keeps firing for keep_firing_for runs, then resolves and notifies only unacknowledged alerts", async () => {
    const r4 = await evaluate(4, {});
    expect(r4.changes.map((c) => [c.alert.metric, c.alert.status, c.alert.recovering_runs]).sort()).toEqual([["citation_validity", "firing", 1], ["latency_p95_ms", "firing", 1]]);
    expect(r4.changes.every((c) => c.transitions.length === 0)).toBe(true);
    const r5 = await evaluate(5, {});
    expect(r5.changes.map((c) => [c.alert.metric, c.alert.status, c.notified]).sort()).toEqual([["citation_validity", "resolved", 1], ["latency_p95_ms", "resolved", 0]]);
    const hooks = await received(sink);
    expect(hooks.map((h) => h.text)).toEqual([
      "[FIRING · critical] Citation validity low: citation_validity = 0.93 (threshold < 0.95), run run-2",
      "[RESOLVED · high] Citation validity low: citation_validity = 1 (threshold < 0.98), run run-5",
    ]);
  });

  it("stores the alerts with their transition log", async () => {
    const res = await api("GET", `/api/meta-monitoring/alerts/${ids.citation}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ids.citation, rule_id: "rule-citation-validity", status: "resolved", first_run_id: "run-2", last_run_id: "run-5",
      started_at: new Date(T0 + 2 * 3600_000).toISOString(), fired_at: new Date(T0 + 2 * 3600_000).toISOString(), resolved_at: new Date(T0 + 5 * 3600_000).toISOString(),
    });
    expect(res.body.transitions.map((t: any) => [t.from_status, t.to_status, t.run_id])).toEqual([[null, "firing", "run-2"], ["firing", "firing", "run-3"], ["firing", "resolved", "run-5"]]);
    const latency = await api("GET", `/api/meta-monitoring/alerts/${ids.latency}`);
    // in the order of the log (an acknowledgement is logged with from = to status)
    expect(latency.body.transitions.map((t: any) => [t.from_status, t.to_status, t.note])).toEqual([
      [null, "pending", "latency_p95_ms 4000 > 3000 (warning)"],
      ["pending", "pending", "acknowledged by admin: known: cold caches"],
      ["pending", "firing", "2 consecutive breaching runs (warning)"],
      ["firing", "resolved", "not breaching for 2 runs"],
    ]);
    // the log is append-only
    await expect(env.DB.prepare("DELETE FROM alert_transitions").run()).rejects.toThrow(/append-only/);
  });

  it("opens a new alert after resolution; webhook failures and timeouts are counted, never thrown", async () => {
    const r6 = await evaluate(6, { citation_validity: 0.97 }, hookUrl("always-500"));
    expect(r6).toMatchObject({ webhook_failures: 1, changes: [{ opened: true, alert: { status: "firing", first_run_id: "run-6" } }] });
    expect(r6.changes[0]!.alert.id).not.toBe(ids.citation);
    ids.citation2 = r6.changes[0]!.alert.id;
    expect(await received("always-500")).toHaveLength(1);
    const started = Date.now();
    const r7 = await evaluate(7, { citation_validity: 0.5 }, hookUrl("slow-alerts"), 200);
    expect(r7.webhook_failures).toBe(1);
    // an escalation of a firing alert is notified
    expect(r7.changes[0]).toMatchObject({ notified: 1, alert: { id: ids.citation2, severity: "critical" }, transitions: [{ from: "firing", to: "firing", note: "severity high → critical" }] });
    expect(Date.now() - started).toBeLessThan(1400);
    // a run without the metric leaves the alert as it is
    const r8 = await evaluateAlertRules({ DB: env.DB }, { run_id: "run-8", metrics: { latency_p95_ms: 100, gold_at_5: Number.NaN } });
    expect(r8).toMatchObject({ evaluated: 1, changes: [] });
  });
});

describe("alert API", () => {
  it("lists alerts newest first with filters, pages and totals", async () => {
    const all = await api("GET", "/api/meta-monitoring/alerts");
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, limit: 20 });
    expect(all.body.alerts.map((a: any) => a.id)).toEqual([ids.citation2, ...[ids.citation, ids.latency].sort().reverse()]);
    const firing = await api("GET", "/api/meta-monitoring/alerts?status=firing");
    expect(firing.body.alerts.map((a: any) => a.id)).toEqual([ids.citation2]);
    const critical = await api("GET", "/api/meta-monitoring/alerts?severity=critical&status=firing");
    expect(critical.body.total).toBe(1);
    expect((await api("GET", "/api/meta-monitoring/alerts?severity=low")).body).toMatchObject({ total: 0, alerts: [] });
    const page2 = await api("GET", "/api/meta-monitoring/alerts?limit=2&page=2");
    expect(page2.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(page2.body.alerts).toHaveLength(1);
  });

  it("rejects a bad query with 422 and an unknown id with 404", async () => {
    const bad = await api("GET", "/api/meta-monitoring/alerts?status=bogus&limit=0");
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("invalid_request");
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["limit", "status"]);
    const unknown = await api("GET", "/api/meta-monitoring/alerts/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    expect((await api("POST", "/api/meta-monitoring/alerts/nope/acknowledge", {}, ADMIN)).status).toBe(404);
  });

  it("counts alerts by status and severity", async () => {
    const stats = await api("GET", "/api/meta-monitoring/alerts/stats");
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({
      total: 3,
      by_status: { pending: 0, firing: 1, resolved: 2 },
      by_severity: { critical: 1, high: 1, medium: 1, low: 0 },
      open_by_severity: { critical: 1, high: 0, medium: 0, low: 0 },
      unacknowledged_firing: 1,
    });
  });

  it("lists the rules", async () => {
    const res = await api("GET", "/api/meta-monitoring/alert-rules");
    expect(res.status).toBe(200);
    expect(res.body.rules).toHaveLength(6);
    expect(res.body.rules.find((r: any) => r.id === "rule-answer-keyword-recall")).toMatchObject({
      metric: "answer_keyword_recall", operator: "<", warning: 0.45, critical: 0.35, for_runs: 2, keep_firing_for_runs: 1, enabled: true,
    });
  });

  it("needs the admin token to acknowledge or resolve", async () => {
    for (const action of ["acknowledge", "resolve"]) {
      const none = await api("POST", `/api/meta-monitoring/alerts/${ids.citation2}/${action}`, { note: "x" }, {});
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe("unauthorized");
      // A wrong token is no admin: 401, as without one (AUTH_MODE=open ignores a bearer that is not a key or JWT).
      const wrong = await api("POST", `/api/meta-monitoring/alerts/${ids.citation2}/${action}`, { note: "x" }, { authorization: "Bearer wrong" });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe("unauthorized");
    }
    expect((await api("GET", `/api/meta-monitoring/alerts/${ids.citation2}`)).body).toMatchObject({ status: "firing", acknowledged_at: null });
  });

  it("refuses to acknowledge or resolve a resolved alert (409) and needs a note to resolve (422)", async () => {
    const ack = await api("POST", `/api/meta-monitoring/alerts/${ids.citation}/acknowledge`, {}, ADMIN);
    expect(ack.status).toBe(409);
    expect(ack.body.error.code).toBe("conflict");
    expect((await api("POST", `/api/meta-monitoring/alerts/${ids.citation}/resolve`, { note: "done" }, ADMIN)).status).toBe(409);
    // the acknowledge body is optional
    expect((await api("POST", `/api/meta-monitoring/alerts/${ids.citation}/acknowledge`, undefined, ADMIN)).status).toBe(409);
    const noNote = await api("POST", `/api/meta-monitoring/alerts/${ids.citation2}/resolve`, {}, ADMIN);
    expect(noNote.status).toBe(422);
    expect(noNote.body.error.details[0].path).toBe("note");
  });

  it("resolves by hand with a transition and a notification", async () => {
    const res = await api("POST", `/api/meta-monitoring/alerts/${ids.citation2}/resolve`, { note: "fixed the citation parser" }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids.citation2, status: "resolved" });
    const detail = await api("GET", `/api/meta-monitoring/alerts/${ids.citation2}`);
    expect(detail.body.transitions.at(-1)).toMatchObject({ from_status: "firing", to_status: "resolved", note: "resolved by admin: fixed the citation parser" });
    // ALERT_WEBHOOK_URL of the tests (vitest.config.ts) is the sink "workerd"
    const hook = await waitFor(async () => (await received("workerd")).find((h) => h.blocks[1]?.elements?.[0]?.text.includes(ids.citation2!)), 5000);
    expect(hook.text).toBe("[RESOLVED · critical] Citation validity low: citation_validity = 0.5 (threshold < 0.95)");
    expect((await api("GET", "/api/meta-monitoring/alerts/stats")).body).toMatchObject({ by_status: { firing: 0, resolved: 3 }, unacknowledged_firing: 0 });
  });
});
