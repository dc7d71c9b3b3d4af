/** The alert state machine (worker/monitoring/alerts-state.ts), the metric definitions and the webhook message. */
import { describe, expect, it } from "vitest";
import { METRIC_NAMES, METRICS } from "../../worker/monitoring/alerts-metrics";
import { breachOf, nextAlertState, type AlertRuleSpec, type AlertState } from "../../worker/monitoring/alerts-state";
import { alertMessage } from "../../worker/monitoring/alerts-webhook";

const RECALL: AlertRuleSpec = { metric: "answer_keyword_recall", operator: "<", warning: 0.45, critical: 0.35, for_runs: 2, keep_firing_for_runs: 1 };

/** Feeds `values` (run ids r1, r2, …) through the state machine; returns every step. */
function run(rule: AlertRuleSpec, values: number[], start: AlertState | null = null) {
  let state = start;
  return values.map((value, i) => {
    const step = nextAlertState(rule, state, { value, run_id: `r${i + 1}`, at: 1000 * (i + 1) });
    state = step.state;
    return step;
  });
}

describe("alert state machine", () => {
  it("is pending until for_runs consecutive breaches, then fires", () => {
    const [a, b] = run(RECALL, [0.4, 0.42]);
    expect(a!.opened).toBe(true);
    expect(a!.state).toMatchObject({ status: "pending", severity: "high", threshold: 0.45, breaching_runs: 1, first_run_id: "r1", fired_at: null });
    expect(a!.transitions.map((t) => [t.from, t.to])).toEqual([[null, "pending"]]);
    expect(a!.notify).toEqual([]);
    expect(b!.opened).toBe(false);
    expect(b!.state).toMatchObject({ status: "firing", breaching_runs: 2, first_run_id: "r1", last_run_id: "r2", started_at: 1000, fired_at: 2000 });
    expect(b!.transitions.map((t) => [t.from, t.to])).toEqual([["pending", "firing"]]);
    expect(b!.notify).toHaveLength(1);
  });

  it("for_runs 1 fires on the first breach without a pending state", () => {
    const [a] = run({ ...RECALL, for_runs: 1 }, [0.3]);
    expect(a!.state).toMatchObject({ status: "firing", severity: "critical", threshold: 0.35, fired_at: 1000 });
    expect(a!.transitions.map((t) => [t.from, t.to])).toEqual([[null, "firing"]]);
    expect(a!.notify).toHaveLength(1);
  });

  it("takes the severity of the threshold crossed, critical first, and follows it while open", () => {
    expect(breachOf(RECALL, 0.5)).toBeNull();
    expect(breachOf(RECALL, 0.45)).toBeNull();
    expect(breachOf(RECALL, 0.4)).toEqual({ level: "warning", severity: "high", threshold: 0.45 });
    expect(breachOf(RECALL, 0.3)).toEqual({ level: "critical", severity: "critical", threshold: 0.35 });
    const steps = run(RECALL, [0.4, 0.4, 0.3, 0.4]);
    expect(steps.map((s) => s.state!.severity)).toEqual(["high", "high", "critical", "high"]);
    // escalation while firing is logged and notified; de-escalation is logged only
    expect(steps[2]!.transitions.map((t) => [t.from, t.to, t.note])).toEqual([["firing", "firing", "severity high → critical"]]);
    expect(steps[2]!.notify).toHaveLength(1);
    expect(steps[3]!.transitions).toHaveLength(1);
    expect(steps[3]!.notify).toEqual([]);
  });

  it("maps thresholds to the rule's severities", () => {
    const latency: AlertRuleSpec = { metric: "latency_p95_ms", operator: ">", warning: 3000, critical: 6000, for_runs: 1, keep_firing_for_runs: 0, warning_severity: "medium", critical_severity: "high" };
    expect(run(latency, [4000])[0]!.state!.severity).toBe("medium");
    expect(run(latency, [7000])[0]!.state!.severity).toBe("high");
  });

  it("keeps firing for keep_firing_for_runs non-breaching runs, then resolves", () => {
    const steps = run(RECALL, [0.4, 0.4, 0.6, 0.6]);
    expect(steps[2]!.state).toMatchObject({ status: "firing", recovering_runs: 1, breaching_runs: 0, value: 0.6 });
    expect(steps[2]!.transitions).toEqual([]);
    expect(steps[3]!.state).toMatchObject({ status: "resolved", resolved_at: 4000, recovering_runs: 2 });
    expect(steps[3]!.transitions.map((t) => [t.from, t.to])).toEqual([["firing", "resolved"]]);
    expect(steps[3]!.notify).toHaveLength(1);
    // a breach while recovering restarts the count
    const again = run(RECALL, [0.4, 0.4, 0.6, 0.4, 0.6]);
    expect(again.map((s) => s.state!.status)).toEqual(["pending", "firing", "firing", "firing", "firing"]);
    // keep_firing_for 0 resolves on the first non-breaching run
    expect(run({ ...RECALL, keep_firing_for_runs: 0 }, [0.4, 0.4, 0.6])[2]!.state!.status).toBe("resolved");
  });

  it("closes a pending alert whose condition clears without notifying", () => {
    const [, b] = run(RECALL, [0.4, 0.5]);
    expect(b!.state).toMatchObject({ status: "resolved", fired_at: null, resolved_at: 2000 });
    expect(b!.transitions.map((t) => [t.from, t.to, t.note])).toEqual([["pending", "resolved", "cleared before firing"]]);
    expect(b!.notify).toEqual([]);
  });

  it("opens a new alert on a breach after resolution, and nothing without one", () => {
    const steps = run({ ...RECALL, keep_firing_for_runs: 0 }, [0.4, 0.4, 0.6, 0.6, 0.4]);
    expect(steps[3]).toMatchObject({ state: null, unchanged: true, transitions: [] });
    expect(steps[4]).toMatchObject({ opened: true, state: { status: "pending", first_run_id: "r5", breaching_runs: 1 } });
    // a resolved alert passed as current counts as none
    const resolved = steps[2]!.state!;
    expect(nextAlertState(RECALL, resolved, { value: 0.3, run_id: "r9", at: 9 }).opened).toBe(true);
  });

  it("supports every operator and null thresholds", () => {
    const rule = (operator: AlertRuleSpec["operator"], warning: number | null, critical: number | null): AlertRuleSpec => ({ metric: "m", operator, warning, critical, for_runs: 1, keep_firing_for_runs: 0 });
    expect(breachOf(rule("<", 1, null), 1)).toBeNull();
    expect(breachOf(rule("<=", 1, null), 1)?.level).toBe("warning");
    expect(breachOf(rule(">", 1, null), 1)).toBeNull();
    expect(breachOf(rule(">=", 1, null), 1)?.level).toBe("warning");
    expect(breachOf(rule(">", null, 5), 4)).toBeNull();
    expect(breachOf(rule(">", null, 5), 6)).toEqual({ level: "critical", severity: "critical", threshold: 5 });
    expect(breachOf(rule(">", 3, null), 100)).toEqual({ level: "warning", severity: "high", threshold: 3 });
    expect(breachOf(rule(">", null, null), 100)).toBeNull();
  });

  it("ignores missing data and a run it has already seen", () => {
    const [a] = run(RECALL, [0.4]);
    const nan = nextAlertState(RECALL, a!.state, { value: Number.NaN, run_id: "r2", at: 2 });
    expect(nan).toMatchObject({ unchanged: true, state: a!.state, transitions: [] });
    const repeat = nextAlertState(RECALL, a!.state, { value: 0.4, run_id: "r1", at: 2 });
    expect(repeat).toMatchObject({ unchanged: true, state: a!.state });
  });

  it("sends no notifications for an acknowledged alert", () => {
    const [a] = run(RECALL, [0.4]);
    const acked = { ...a!.state!, acknowledged_by: "admin", acknowledged_at: 1500 };
    const fired = nextAlertState(RECALL, acked, { value: 0.4, run_id: "r2", at: 2000 });
    expect(fired.state).toMatchObject({ status: "firing", acknowledged_by: "admin" });
    expect(fired.transitions).toHaveLength(1);
    expect(fired.notify).toEqual([]);
  });
});

describe("metrics and messages", () => {
  it("defines every metric with a direction, unit and range", () => {
    expect(Object.keys(METRICS)).toEqual([...METRIC_NAMES]);
    for (const m of Object.values(METRICS)) {
      expect(m.unit === "ratio" ? m.max : null).toBe(m.unit === "ratio" ? 1 : null);
      expect(m.direction).toBe(m.unit === "ratio" ? "higher_is_better" : "lower_is_better");
    }
  });

  it("formats a Slack-compatible message", () => {
    const msg = alertMessage({
      alert_id: "a1", rule_name: "Latency p95 high", metric: "latency_p95_ms", operator: ">", status: "firing", from: "pending",
      severity: "medium", value: 4321.4, threshold: 3000, run_id: "r7", note: null, at: 0,
    });
    expect(msg.text).toBe("[FIRING · medium] Latency p95 high: latency_p95_ms = 4321 ms (threshold > 3000 ms), run r7");
    expect(msg.blocks).toHaveLength(2);
    expect(alertMessage({ alert_id: "a1", rule_name: "R", metric: "citation_validity", operator: "<", status: "resolved", from: "firing", severity: "critical", value: 0.99, threshold: 0.95, run_id: "r8", note: null, at: 0 }).text)
      .toBe("[RESOLVED · critical] R: citation_validity = 0.99 (threshold < 0.95), run r8");
  });
});
