/** The quality loop's health assessment (worker/monitoring/health.ts): each check's status and the overall worst. */
import { describe, expect, it } from "vitest";
import { assessLoopHealth, STALE_EVALUATION_MS, STUCK_RUN_MS, type LoopFacts } from "../../worker/monitoring/health";

const NOW = Date.UTC(2026, 11, 7, 12);
const healthy: LoopFacts = {
  now: NOW,
  latestCompleted: { id: "r1", completedAt: NOW - 3600_000 },
  active: [],
  firingBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
  unacknowledgedFiring: 0,
  proposalsAwaiting: { pending: 0, validated: 0 },
  production: { versionId: "v1", updatedAt: NOW - 86_400_000 },
};
const check = (f: LoopFacts, name: string) => assessLoopHealth(f).checks.find((c) => c.name === name)!;

describe("assessLoopHealth", () => {
  it("is ok when a recent run completed and nothing fires or waits", () => {
    const h = assessLoopHealth(healthy);
    expect(h.status).toBe("ok");
    expect(h.checks.map((c) => c.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(check(healthy, "last_evaluation").message).toBe("The latest run completed 1.0 h ago");
  });

  it("calls a missing or stale evaluation degraded", () => {
    expect(assessLoopHealth({ ...healthy, latestCompleted: null }).status).toBe("degraded");
    const stale = { ...healthy, latestCompleted: { id: "r1", completedAt: NOW - STALE_EVALUATION_MS - 1 } };
    expect(check(stale, "last_evaluation")).toMatchObject({ status: "degraded", message: "The latest completed run is 48.0 h old (the schedule is daily)" });
    const fresh = { ...healthy, latestCompleted: { id: "r1", completedAt: NOW - STALE_EVALUATION_MS + 60_000 } };
    expect(check(fresh, "last_evaluation").status).toBe("ok");
  });

  it("calls a run queued or running for over an hour critical, a younger one fine", () => {
    const young = { ...healthy, active: [{ id: "r2", status: "running" as const, createdAt: NOW - STUCK_RUN_MS + 1000 }] };
    expect(check(young, "active_runs")).toMatchObject({ status: "ok", message: "1 run(s) in progress" });
    const stuck = { ...healthy, active: [{ id: "r3", status: "queued" as const, createdAt: NOW - STUCK_RUN_MS - 1000 }] };
    expect(assessLoopHealth(stuck).status).toBe("critical");
    expect(check(stuck, "active_runs").message).toContain("r3");
  });

  it("ranks firing alerts: critical → critical, any other → degraded", () => {
    const high = { ...healthy, firingBySeverity: { ...healthy.firingBySeverity, high: 2 }, unacknowledgedFiring: 1 };
    expect(check(high, "alerts")).toMatchObject({ status: "degraded", message: "2 alert(s) firing (1 unacknowledged)" });
    const critical = { ...high, firingBySeverity: { ...high.firingBySeverity, critical: 1 } };
    expect(assessLoopHealth(critical).status).toBe("critical");
  });

  it("asks for a decision on validated proposals, and notes a missing deployment", () => {
    const waiting = { ...healthy, proposalsAwaiting: { pending: 1, validated: 1 } };
    expect(check(waiting, "proposals").status).toBe("degraded");
    expect(check({ ...healthy, proposalsAwaiting: { pending: 2, validated: 0 } }, "proposals")).toMatchObject({ status: "ok", message: "2 proposal(s) pending validation" });
    expect(check({ ...healthy, production: null }, "production_config").status).toBe("degraded");
  });
});
