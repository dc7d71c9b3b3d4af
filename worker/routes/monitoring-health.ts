/**
 * `GET /api/meta-monitoring/health`: the quality loop's own health (worker/monitoring/health.ts)
 * with the facts it was assessed on: latest completed run, runs in progress, firing alerts by
 * severity, proposals waiting, the production config version, and the evaluation schedule.
 */
import { and, count, desc, eq, inArray, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { database } from "../db/client";
import { alerts, deployments, evaluationRuns, proposals } from "../db/schema";
import { iso } from "../db/time";
import type { AppEnv } from "../http/context";
import { assessLoopHealth, type LoopFacts } from "../monitoring/health";
import { EVALUATION_CRON } from "../scheduled";

export const monitoringHealthRoute = new Hono<AppEnv>().get("/health", async (c) => {
  const db = database(c.env.DB);
  const [latest, active, firing, unack, waiting, production] = await db.batch([
    db.select({ id: evaluationRuns.id, completedAt: evaluationRuns.completedAt }).from(evaluationRuns).where(eq(evaluationRuns.status, "completed"))
      .orderBy(desc(evaluationRuns.completedAt)).limit(1),
    db.select({ id: evaluationRuns.id, status: evaluationRuns.status, createdAt: evaluationRuns.createdAt }).from(evaluationRuns)
      .where(inArray(evaluationRuns.status, ["queued", "running"])).limit(100),
    db.select({ severity: alerts.severity, n: count() }).from(alerts).where(eq(alerts.status, "firing")).groupBy(alerts.severity),
    db.select({ n: count() }).from(alerts).where(and(eq(alerts.status, "firing"), isNull(alerts.acknowledgedAt))),
    db.select({ status: proposals.status, n: count() }).from(proposals).where(inArray(proposals.status, ["pending", "validated"])).groupBy(proposals.status),
    db.select({ versionId: deployments.versionId, updatedAt: deployments.updatedAt }).from(deployments).where(eq(deployments.name, "production")).limit(1),
  ]);
  const facts: LoopFacts = {
    now: Date.now(),
    latestCompleted: latest[0]?.completedAt ? { id: latest[0].id, completedAt: latest[0].completedAt } : null,
    active: active.map((r) => ({ id: r.id, status: r.status as "queued" | "running", createdAt: r.createdAt })),
    firingBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
    unacknowledgedFiring: unack[0]?.n ?? 0,
    proposalsAwaiting: { pending: 0, validated: 0 },
    production: production[0] ?? null,
  };
  for (const f of firing) facts.firingBySeverity[f.severity] += f.n;
  for (const w of waiting) facts.proposalsAwaiting[w.status as "pending" | "validated"] = w.n;
  const { status, checks } = assessLoopHealth(facts);
  return c.json({
    status,
    checks,
    checked_at: iso(facts.now),
    latest_run: facts.latestCompleted && { id: facts.latestCompleted.id, completed_at: iso(facts.latestCompleted.completedAt) },
    active_runs: facts.active.map((r) => ({ id: r.id, status: r.status, created_at: iso(r.createdAt) })),
    firing_alerts: facts.firingBySeverity,
    unacknowledged_firing: facts.unacknowledgedFiring,
    proposals_awaiting: facts.proposalsAwaiting,
    production: facts.production && { version_id: facts.production.versionId, updated_at: iso(facts.production.updatedAt) },
    schedule: { evaluation_cron: EVALUATION_CRON },
  });
});
