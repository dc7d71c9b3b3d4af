/**
 * Health of the quality loop itself (`GET /api/meta-monitoring/health`, docs/monitoring.md): is
 * it evaluating, is a run stuck, is an alert firing, is a proposal waiting for the admin. Pure:
 * the route gathers the facts from D1 (worker/routes/monitoring-health.ts).
 */

/** Overall status: `ok`, `degraded` (needs a look) or `critical` (needs action now). */
export type LoopStatus = "ok" | "degraded" | "critical";

/** Facts the assessment reads. Times are epoch ms. */
export interface LoopFacts {
  now: number;
  /** The most recently completed run, or null. */
  latestCompleted: { id: string; completedAt: number } | null;
  /** Runs queued or running, with when they were created. */
  active: { id: string; status: "queued" | "running"; createdAt: number }[];
  /** Firing alerts by severity. */
  firingBySeverity: Record<"critical" | "high" | "medium" | "low", number>;
  /** Firing alerts nobody acknowledged. */
  unacknowledgedFiring: number;
  /** Proposals waiting for validation or a decision: pending and validated. */
  proposalsAwaiting: { pending: number; validated: number };
  /** The version production points at, or null when nothing is deployed yet. */
  production: { versionId: string; updatedAt: number } | null;
}

/** One check of the assessment. */
export interface LoopCheck {
  name: "last_evaluation" | "active_runs" | "alerts" | "proposals" | "production_config";
  status: LoopStatus;
  message: string;
}

/** Age after which the latest completed run counts as stale: two daily schedules, ms. */
export const STALE_EVALUATION_MS = 48 * 3600_000;
/** Age after which a queued or running run counts as stuck, ms. */
export const STUCK_RUN_MS = 3600_000;

const worst = (statuses: LoopStatus[]): LoopStatus => (statuses.includes("critical") ? "critical" : statuses.includes("degraded") ? "degraded" : "ok");

function hours(ms: number): string {
  const h = ms / 3600_000;
  return h < 1 ? `${Math.max(0, Math.round(ms / 60_000))} min` : `${h.toFixed(1)} h`;
}

/**
 * Assesses the loop: the status of each check and the worst of them.
 *  - last_evaluation: degraded without a completed run or when the latest is older than {@link STALE_EVALUATION_MS};
 *  - active_runs: critical when a run is queued or running for longer than {@link STUCK_RUN_MS};
 *  - alerts: critical with a firing critical alert, degraded with any other firing alert;
 *  - proposals: degraded when a validated proposal waits for approval (pending ones are informational);
 *  - production_config: degraded when nothing is deployed yet (the wrangler vars then apply).
 */
export function assessLoopHealth(f: LoopFacts): { status: LoopStatus; checks: LoopCheck[] } {
  const checks: LoopCheck[] = [];
  if (!f.latestCompleted) checks.push({ name: "last_evaluation", status: "degraded", message: "No evaluation run has completed yet" });
  else {
    const age = f.now - f.latestCompleted.completedAt;
    checks.push(age > STALE_EVALUATION_MS
      ? { name: "last_evaluation", status: "degraded", message: `The latest completed run is ${hours(age)} old (the schedule is daily)` }
      : { name: "last_evaluation", status: "ok", message: `The latest run completed ${hours(age)} ago` });
  }
  const stuck = f.active.filter((r) => f.now - r.createdAt > STUCK_RUN_MS);
  checks.push(stuck.length
    ? { name: "active_runs", status: "critical", message: `${stuck.length} run(s) queued or running for over ${hours(STUCK_RUN_MS)}: ${stuck.map((r) => r.id).join(", ")}` }
    : { name: "active_runs", status: "ok", message: f.active.length ? `${f.active.length} run(s) in progress` : "No run in progress" });
  const firing = Object.values(f.firingBySeverity).reduce((a, b) => a + b, 0);
  checks.push(f.firingBySeverity.critical
    ? { name: "alerts", status: "critical", message: `${f.firingBySeverity.critical} critical alert(s) firing (${f.unacknowledgedFiring} unacknowledged in all)` }
    : firing
      ? { name: "alerts", status: "degraded", message: `${firing} alert(s) firing (${f.unacknowledgedFiring} unacknowledged)` }
      : { name: "alerts", status: "ok", message: "No alert is firing" });
  const { pending, validated } = f.proposalsAwaiting;
  checks.push(validated
    ? { name: "proposals", status: "degraded", message: `${validated} validated proposal(s) wait for approval; ${pending} pending` }
    : { name: "proposals", status: "ok", message: pending ? `${pending} proposal(s) pending validation` : "No proposal waits" });
  checks.push(f.production
    ? { name: "production_config", status: "ok", message: `Production runs config version ${f.production.versionId}` }
    : { name: "production_config", status: "degraded", message: "Nothing is deployed yet: the wrangler vars apply" });
  return { status: worst(checks.map((c) => c.status)), checks };
}
