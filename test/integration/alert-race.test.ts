/**
 * The alert race (docs/monitoring.md, "Alert states"): two runs completing at once must not both
 * advance the same open alert from the same state. Alert writes are guarded by `last_run_id` (and
 * the status); a lost race re-reads and re-applies once. The interleavings are made exact with
 * the `beforeWrite` seam of evaluateAlertRules: another evaluation runs between a read and its write.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { evaluateAlertRules, type AlertEvaluation } from "../../worker/monitoring/alerts-evaluate";
import { acknowledgeAlert, resolveAlert } from "../../worker/storage/alerts";

const T0 = Date.UTC(2026, 0, 1);
let clock = 0;

/** A rule over its own metric (so tests do not meet), firing after 2 breaching runs (value < 0.5). */
async function rule(metric: string): Promise<string> {
  const id = `rule-${metric}`;
  await env.DB.prepare(`INSERT INTO alert_rules (id, name, metric, operator, warning, critical, for_runs, keep_firing_for_runs, created_at)
    VALUES (?, ?, ?, '<', 0.5, NULL, 2, 1, ?)`).bind(id, `race ${metric}`, metric, T0).run();
  return id;
}

/** Evaluates run `runId` with `metric` = value (0.2 breaches). */
function evaluate(runId: string, metric: string, value = 0.2, beforeWrite?: (attempt: number) => Promise<void>): Promise<AlertEvaluation> {
  return evaluateAlertRules({ DB: env.DB }, { run_id: runId, metrics: { [metric]: value }, at: T0 + ++clock * 1000 }, { beforeWrite });
}

async function alertsOf(ruleId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM alerts WHERE rule_id = ? ORDER BY started_at, id").bind(ruleId).all<any>();
  return results;
}

async function transitionsOf(alertId: string) {
  const { results } = await env.DB.prepare("SELECT from_status, to_status, run_id FROM alert_transitions WHERE alert_id = ? ORDER BY rowid").bind(alertId).all<any>();
  return results.map((t) => `${t.from_status ?? "-"}→${t.to_status} ${t.run_id}`);
}

describe("alert updates under concurrent runs", () => {
  it("re-applies a run whose update lost the race to another run, on top of it", async () => {
    const ruleId = await rule("race_update");
    await evaluate("u1", "race_update");
    // u2 reads the pending alert (last run u1); before it writes, u3 advances it to firing.
    const r2 = await evaluate("u2", "race_update", 0.2, async (attempt) => {
      if (attempt === 0) await evaluate("u3", "race_update");
    });
    expect(r2).toMatchObject({ retried: 1, conflicts: 0 });
    expect(r2.changes[0]!.alert).toMatchObject({ status: "firing", breaching_runs: 3, last_run_id: "u2" });
    const [alert] = await alertsOf(ruleId);
    expect(alert).toMatchObject({ status: "firing", breaching_runs: 3, first_run_id: "u1", last_run_id: "u2" });
    // One opening and one firing: u2's stale pending → firing was never written.
    expect(await transitionsOf(alert.id)).toEqual(["-→pending u1", "pending→firing u3"]);
  });

  it("re-applies a run that opened an alert another run opened meanwhile", async () => {
    const ruleId = await rule("race_open");
    const r1 = await evaluate("o1", "race_open", 0.2, async (attempt) => {
      if (attempt === 0) await evaluate("o2", "race_open");
    });
    expect(r1).toMatchObject({ retried: 1, conflicts: 0 });
    const alerts = await alertsOf(ruleId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "firing", breaching_runs: 2, first_run_id: "o2", last_run_id: "o1" });
    expect(await transitionsOf(alerts[0].id)).toEqual(["-→pending o2", "pending→firing o1"]);
  });

  it("counts a run evaluated twice at once only once", async () => {
    const ruleId = await rule("race_same");
    await evaluate("s1", "race_same");
    const again = await evaluate("s2", "race_same", 0.2, async (attempt) => {
      if (attempt === 0) await evaluate("s2", "race_same");
    });
    expect(again).toMatchObject({ retried: 1, conflicts: 0, changes: [] });
    const [alert] = await alertsOf(ruleId);
    expect(alert).toMatchObject({ status: "firing", breaching_runs: 2, last_run_id: "s2" });
    expect(await transitionsOf(alert.id)).toEqual(["-→pending s1", "pending→firing s2"]);
  });

  it("gives up after losing twice and leaves the alert to the other writers", async () => {
    const ruleId = await rule("race_twice");
    await evaluate("t1", "race_twice");
    const lost = await evaluate("t2", "race_twice", 0.2, async (attempt) => {
      await evaluate(attempt === 0 ? "t3" : "t4", "race_twice");
    });
    expect(lost).toMatchObject({ retried: 1, conflicts: 1, changes: [] });
    const [alert] = await alertsOf(ruleId);
    expect(alert).toMatchObject({ status: "firing", breaching_runs: 3, last_run_id: "t4" });
    expect(await transitionsOf(alert.id)).toEqual(["-→pending t1", "pending→firing t3"]);
  });

  it("keeps a concurrent acknowledgement and follows a concurrent manual resolve", async () => {
    const ruleId = await rule("race_ack");
    await evaluate("a1", "race_ack");
    const [pending] = await alertsOf(ruleId);
    const fired = await evaluate("a2", "race_ack", 0.2, async () => {
      await acknowledgeAlert(env.DB, pending.id, "admin", "looking", T0);
    });
    expect(fired).toMatchObject({ retried: 0, conflicts: 0 });
    const [acked] = await alertsOf(ruleId);
    expect(acked).toMatchObject({ status: "firing", breaching_runs: 2, acknowledged_by: "admin", acknowledged_at: T0 });

    // Resolved by hand between the read and the write: the breach opens a new alert.
    const reopened = await evaluate("a3", "race_ack", 0.2, async (attempt) => {
      if (attempt === 0) await resolveAlert(env.DB, pending.id, "admin", "fixed");
    });
    expect(reopened).toMatchObject({ retried: 1, conflicts: 0, changes: [{ opened: true }] });
    const all = await alertsOf(ruleId);
    expect(all.map((a) => [a.status, a.first_run_id, a.last_run_id])).toEqual([["resolved", "a1", "a2"], ["pending", "a3", "a3"]]);
  });

  it("counts both of two runs that really complete at once", async () => {
    const ruleId = await rule("race_parallel");
    await evaluate("p1", "race_parallel");
    const both = await Promise.all([evaluate("p2", "race_parallel"), evaluate("p3", "race_parallel")]);
    expect(both.map((r) => r.conflicts)).toEqual([0, 0]);
    const [alert] = await alertsOf(ruleId);
    expect(alert).toMatchObject({ status: "firing", breaching_runs: 3 });
    expect((await transitionsOf(alert.id)).filter((t) => t.startsWith("pending→firing"))).toHaveLength(1);
  });
});
