/**
 * D1 storage of alert rules, alerts and their append-only transition log
 * (`migrations/0007_alerts.sql`). The state machine is worker/monitoring/alerts-state.ts; the
 * entry point after an evaluation run is worker/monitoring/alerts-evaluate.ts.
 */
import { and, asc, count, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { alertRules, alerts, alertTransitions, type AlertRow, type AlertRuleRow, type AlertTransitionRow } from "../db/schema";
import { ApiError } from "../http/errors";
import {
  ALERT_SEVERITIES, ALERT_STATUSES, type AlertRuleSpec, type AlertSeverity, type AlertState, type AlertStatus, type StateTransition,
} from "../monitoring/alerts-state";
import { iso } from "../db/time";

/** Public view of an alert rule; `created_at` is ISO 8601. */
export interface AlertRuleView {
  id: string;
  name: string;
  metric: string;
  operator: AlertRuleRow["operator"];
  warning: number | null;
  critical: number | null;
  warning_severity: AlertSeverity;
  critical_severity: AlertSeverity;
  for_runs: number;
  keep_firing_for_runs: number;
  enabled: boolean;
  created_at: string;
}

/** Public view of an alert: its state with timestamps as ISO 8601 (or null), plus ids and the metric. */
export type AlertView = Omit<AlertState, "started_at" | "fired_at" | "resolved_at" | "acknowledged_at"> & {
  id: string;
  rule_id: string;
  metric: string;
  started_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  acknowledged_at: string | null;
  updated_at: string;
};

/** Public view of one transition; `from_status` is null when the alert opened. */
export interface AlertTransitionView {
  id: string;
  alert_id: string;
  from_status: AlertStatus | null;
  to_status: AlertStatus;
  value: number | null;
  run_id: string | null;
  note: string | null;
  at: string;
}


/** The view of a rule row. */
export function ruleView(r: AlertRuleRow): AlertRuleView {
  return {
    id: r.id, name: r.name, metric: r.metric, operator: r.operator, warning: r.warning, critical: r.critical,
    warning_severity: r.warningSeverity, critical_severity: r.criticalSeverity, for_runs: r.forRuns,
    keep_firing_for_runs: r.keepFiringForRuns, enabled: r.enabled, created_at: iso(r.createdAt),
  };
}

/** The view of an alert row. */
export function alertView(r: AlertRow): AlertView {
  return {
    id: r.id, rule_id: r.ruleId, metric: r.metric, status: r.status, severity: r.severity, value: r.value, threshold: r.threshold,
    breaching_runs: r.breachingRuns, recovering_runs: r.recoveringRuns, first_run_id: r.firstRunId, last_run_id: r.lastRunId,
    started_at: iso(r.startedAt), fired_at: iso(r.firedAt), resolved_at: iso(r.resolvedAt), acknowledged_by: r.acknowledgedBy,
    acknowledged_at: iso(r.acknowledgedAt), updated_at: iso(r.updatedAt),
  };
}

function transitionView(r: AlertTransitionRow): AlertTransitionView {
  return { id: r.id, alert_id: r.alertId, from_status: r.fromStatus, to_status: r.toStatus, value: r.value, run_id: r.runId, note: r.note, at: iso(r.at) };
}

/** The state-machine spec of a rule row. */
export function ruleSpec(r: AlertRuleRow): AlertRuleSpec {
  return {
    metric: r.metric, operator: r.operator, warning: r.warning, critical: r.critical, for_runs: r.forRuns,
    keep_firing_for_runs: r.keepFiringForRuns, warning_severity: r.warningSeverity, critical_severity: r.criticalSeverity,
  };
}

/** The state-machine state of an alert row. */
export function alertState(r: AlertRow): AlertState {
  return {
    status: r.status, severity: r.severity, value: r.value, threshold: r.threshold, breaching_runs: r.breachingRuns,
    recovering_runs: r.recoveringRuns, first_run_id: r.firstRunId, last_run_id: r.lastRunId, started_at: r.startedAt,
    fired_at: r.firedAt, resolved_at: r.resolvedAt, acknowledged_by: r.acknowledgedBy, acknowledged_at: r.acknowledgedAt,
  };
}

/** An alert row from a state (for inserts and updates). */
export function alertRow(id: string, rule: AlertRuleRow, s: AlertState, updatedAt: number): AlertRow {
  return {
    id, ruleId: rule.id, metric: rule.metric, status: s.status, severity: s.severity, value: s.value, threshold: s.threshold,
    breachingRuns: s.breaching_runs, recoveringRuns: s.recovering_runs, firstRunId: s.first_run_id, lastRunId: s.last_run_id,
    startedAt: s.started_at, firedAt: s.fired_at, resolvedAt: s.resolved_at, acknowledgedBy: s.acknowledged_by,
    acknowledgedAt: s.acknowledged_at, updatedAt,
  };
}

/** A transition row from a state-machine transition. */
export function transitionRow(alertId: string, t: StateTransition): AlertTransitionRow {
  return { id: crypto.randomUUID(), alertId, fromStatus: t.from, toStatus: t.to, value: t.value, runId: t.run_id, note: t.note, at: t.at };
}

/** All rules (or only the enabled ones), by name. */
export async function listAlertRules(db: Database, enabledOnly = false): Promise<AlertRuleRow[]> {
  return db.select().from(alertRules).where(enabledOnly ? eq(alertRules.enabled, true) : undefined).orderBy(asc(alertRules.name)).all();
}

/** The open (pending or firing) alert of each of `ruleIds`, by rule id. */
export async function openAlertsByRule(db: Database, ruleIds: readonly string[]): Promise<Map<string, AlertRow>> {
  if (!ruleIds.length) return new Map();
  const rows = await db.select().from(alerts).where(and(inArray(alerts.ruleId, [...ruleIds]), ne(alerts.status, "resolved"))).all();
  return new Map(rows.map((r) => [r.ruleId, r]));
}

/** Filters and page of {@link listAlerts}. */
export interface ListAlertsOptions {
  severity?: AlertSeverity;
  status?: AlertStatus;
  /** 1-based. */
  page: number;
  limit: number;
}

/** Alerts matching the filters, newest first (by start), with the total count of matches. */
export async function listAlerts(db: Database, o: ListAlertsOptions): Promise<{ alerts: AlertView[]; total: number; page: number; limit: number }> {
  const where = and(o.severity ? eq(alerts.severity, o.severity) : undefined, o.status ? eq(alerts.status, o.status) : undefined);
  const [rows, [total]] = await db.batch([
    db.select().from(alerts).where(where).orderBy(desc(alerts.startedAt), desc(alerts.id)).limit(o.limit).offset((o.page - 1) * o.limit),
    db.select({ n: count() }).from(alerts).where(where),
  ]);
  return { alerts: rows.map(alertView), total: total?.n ?? 0, page: o.page, limit: o.limit };
}

/** Counts of alerts for the dashboard. */
export interface AlertStats {
  total: number;
  by_status: Record<AlertStatus, number>;
  /** Over all alerts. */
  by_severity: Record<AlertSeverity, number>;
  /** Open (pending or firing) alerts by severity. */
  open_by_severity: Record<AlertSeverity, number>;
  /** Firing alerts that nobody acknowledged. */
  unacknowledged_firing: number;
}

/** Counts by status and severity, and unacknowledged firing alerts. */
export async function alertStats(db: Database): Promise<AlertStats> {
  const [groups, [unack]] = await db.batch([
    db.select({ status: alerts.status, severity: alerts.severity, n: count() }).from(alerts).groupBy(alerts.status, alerts.severity),
    db.select({ n: count() }).from(alerts).where(and(eq(alerts.status, "firing"), isNull(alerts.acknowledgedAt))),
  ]);
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stats: AlertStats = {
    total: 0, by_status: zero(ALERT_STATUSES), by_severity: zero(ALERT_SEVERITIES), open_by_severity: zero(ALERT_SEVERITIES),
    unacknowledged_firing: unack?.n ?? 0,
  };
  for (const g of groups) {
    stats.total += g.n;
    stats.by_status[g.status] += g.n;
    stats.by_severity[g.severity] += g.n;
    if (g.status !== "resolved") stats.open_by_severity[g.severity] += g.n;
  }
  return stats;
}

/** One alert with its transitions in the order they were logged, or 404. */
export async function getAlert(db: Database, id: string): Promise<AlertView & { transitions: AlertTransitionView[] }> {
  const [[row], transitions] = await db.batch([
    db.select().from(alerts).where(eq(alerts.id, id)).limit(1),
    db.select().from(alertTransitions).where(eq(alertTransitions.alertId, id)).orderBy(sql`rowid`),
  ]);
  if (!row) throw new ApiError(404, "not_found", `No alert ${id}`);
  return { ...alertView(row), transitions: transitions.map(transitionView) };
}

async function alertRowOr404(db: Database, id: string): Promise<AlertRow> {
  const row = await db.select().from(alerts).where(eq(alerts.id, id)).get();
  if (!row) throw new ApiError(404, "not_found", `No alert ${id}`);
  return row;
}

/**
 * Acknowledges an open alert (two raw statements in one D1 batch): sets who and when, and logs a transition with the same from and to
 * status and the note. Acknowledged alerts send no more notifications. 404 unknown, 409 resolved;
 * acknowledging again changes nothing and returns the alert.
 */
export async function acknowledgeAlert(d1: D1Database, id: string, actor: string, note?: string, at = Date.now()): Promise<AlertView> {
  const db = database(d1);
  const row = await alertRowOr404(db, id);
  if (row.status === "resolved") throw new ApiError(409, "conflict", "A resolved alert cannot be acknowledged");
  if (row.acknowledgedAt !== null) return alertView(row);
  // The log row is written only when the update applies (same condition, checked before it).
  const [, result] = await d1.batch<Record<string, unknown>>([
    d1.prepare(`INSERT INTO alert_transitions (id, alert_id, from_status, to_status, note, at)
      SELECT ?, id, status, status, ?, ? FROM alerts WHERE id = ? AND status != 'resolved' AND acknowledged_at IS NULL`)
      .bind(crypto.randomUUID(), `acknowledged by ${actor}${note ? `: ${note}` : ""}`, at, id),
    d1.prepare("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?, updated_at = ? WHERE id = ? AND status != 'resolved' AND acknowledged_at IS NULL")
      .bind(actor, at, at, id),
  ]);
  const updated = result!.meta.changes ? await alertRowOr404(db, id) : undefined;
  if (!updated) throw new ApiError(409, "conflict", "The alert changed meanwhile; reload it");
  return alertView(updated);
}

/**
 * Resolves an open alert by hand (one D1 batch) with a transition row carrying the note. 404 unknown, 409
 * already resolved. Returns the alert and the status it had.
 */
export async function resolveAlert(d1: D1Database, id: string, actor: string, note: string, at = Date.now()): Promise<{ alert: AlertView; from: AlertStatus }> {
  const db = database(d1);
  const row = await alertRowOr404(db, id);
  if (row.status === "resolved") throw new ApiError(409, "conflict", "The alert is already resolved");
  const [, result] = await d1.batch<Record<string, unknown>>([
    d1.prepare(`INSERT INTO alert_transitions (id, alert_id, from_status, to_status, value, note, at)
      SELECT ?, id, status, 'resolved', value, ?, ? FROM alerts WHERE id = ? AND status = ?`)
      .bind(crypto.randomUUID(), `resolved by ${actor}: ${note}`, at, id, row.status),
    d1.prepare("UPDATE alerts SET status = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ? AND status = ?").bind(at, at, id, row.status),
  ]);
  const updated = result!.meta.changes ? await alertRowOr404(db, id) : undefined;
  if (!updated) throw new ApiError(409, "conflict", "The alert changed meanwhile; reload it");
  return { alert: alertView(updated), from: row.status };
}

/** A rule's thresholds and settings, as the API names them. */
export interface AlertRuleInput {
  name: string;
  metric: string;
  operator: AlertRuleRow["operator"];
  warning?: number | null;
  critical?: number | null;
  warning_severity?: AlertSeverity;
  critical_severity?: AlertSeverity;
  for_runs?: number;
  keep_firing_for_runs?: number;
  enabled?: boolean;
}

/**
 * Checks a rule's thresholds: at least one of warning and critical, and critical no milder than
 * warning (for `<`/`<=` critical ≤ warning, for `>`/`>=` critical ≥ warning).
 * @throws ApiError 422 otherwise.
 */
function checkThresholds(operator: AlertRuleRow["operator"], warning: number | null, critical: number | null): void {
  const problem = warning === null && critical === null
    ? "warning or critical is required"
    : warning !== null && critical !== null && (operator.startsWith("<") ? critical > warning : critical < warning)
      ? `critical must be ${operator.startsWith("<") ? "at most" : "at least"} warning for operator ${operator}`
      : null;
  if (problem) throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "critical", message: problem }]);
}

/**
 * Creates an enabled-by-default rule (defaults as in the migration: severities high/critical,
 * for_runs 1, keep_firing_for_runs 0).
 * @throws ApiError 422 for inconsistent thresholds, 409 `conflict` when the name is taken.
 */
export async function createAlertRule(db: Database, input: AlertRuleInput, at = Date.now()): Promise<AlertRuleView> {
  const warning = input.warning ?? null;
  const critical = input.critical ?? null;
  checkThresholds(input.operator, warning, critical);
  const taken = await db.select({ id: alertRules.id }).from(alertRules).where(eq(alertRules.name, input.name)).get();
  if (taken) throw new ApiError(409, "conflict", `An alert rule named "${input.name}" exists`, { id: taken.id });
  const row: AlertRuleRow = {
    id: `rule-${crypto.randomUUID()}`, name: input.name, metric: input.metric, operator: input.operator, warning, critical,
    warningSeverity: input.warning_severity ?? "high", criticalSeverity: input.critical_severity ?? "critical",
    forRuns: input.for_runs ?? 1, keepFiringForRuns: input.keep_firing_for_runs ?? 0, enabled: input.enabled ?? true, createdAt: at,
  };
  await db.insert(alertRules).values(row);
  return ruleView(row);
}

/**
 * Changes a rule's thresholds or settings; its open alert keeps its state and follows the new
 * settings from the next run on.
 * @throws ApiError 404 for an unknown rule, 422 for inconsistent thresholds.
 */
export async function updateAlertRule(db: Database, id: string, patch: Omit<Partial<AlertRuleInput>, "name" | "metric" | "operator">): Promise<AlertRuleView> {
  const rule = await db.select().from(alertRules).where(eq(alertRules.id, id)).get();
  if (!rule) throw new ApiError(404, "not_found", "Alert rule not found");
  const next: AlertRuleRow = {
    ...rule,
    warning: patch.warning === undefined ? rule.warning : patch.warning,
    critical: patch.critical === undefined ? rule.critical : patch.critical,
    warningSeverity: patch.warning_severity ?? rule.warningSeverity,
    criticalSeverity: patch.critical_severity ?? rule.criticalSeverity,
    forRuns: patch.for_runs ?? rule.forRuns,
    keepFiringForRuns: patch.keep_firing_for_runs ?? rule.keepFiringForRuns,
    enabled: patch.enabled ?? rule.enabled,
  };
  checkThresholds(next.operator, next.warning, next.critical);
  const { id: _id, createdAt: _c, ...set } = next;
  await db.update(alertRules).set(set).where(eq(alertRules.id, id));
  return ruleView(next);
}
