/**
 * Alert evaluation after an evaluation run: the entry point that the runs call with the run's
 * metrics. Applies every enabled rule (worker/monitoring/alerts-state.ts), writes alerts and
 * transitions in one D1 batch with optimistic concurrency (see {@link evaluateAlertRules}), and
 * notifies the webhook of transitions to firing and resolved.
 */
import { database } from "../db/client";
import type { AlertRow, AlertRuleRow, AlertTransitionRow } from "../db/schema";
import { alertRow, alertState, alertView, listAlertRules, openAlertsByRule, ruleSpec, transitionRow, type AlertView } from "../storage/alerts";
import { nextAlertState, type StateTransition } from "./alerts-state";
import { alertMessage, sendWebhook, type AlertNotice, type WebhookOptions } from "./alerts-webhook";

/** Bindings that alert evaluation reads. */
export interface AlertEnv {
  DB: D1Database;
  /** Slack-compatible incoming webhook; empty or absent = no notifications. */
  ALERT_WEBHOOK_URL?: string;
}

/** What alert rules are evaluated on: a completed run's metrics (names of worker/monitoring/alerts-metrics.ts). */
export interface AlertRuleInput {
  run_id: string;
  metrics: Record<string, number>;
  /** Epoch ms (or a Date) of the run's completion; default now. */
  at?: number | Date;
}

/** What changed for one rule. */
export interface AlertChange {
  rule_id: string;
  rule_name: string;
  /** The alert after the run. */
  alert: AlertView;
  /** True when the run opened this alert. */
  opened: boolean;
  transitions: { from: StateTransition["from"]; to: StateTransition["to"]; note: string | null }[];
  /** Transitions sent to the webhook (0 when no URL is configured or the alert is acknowledged). */
  notified: number;
}

/** Result of {@link evaluateAlertRules}. */
export interface AlertEvaluation {
  run_id: string;
  /** Rules applied (enabled rules whose metric the run reported). */
  evaluated: number;
  changes: AlertChange[];
  /** Webhook deliveries that failed (logged). */
  webhook_failures: number;
  /** Rules whose write lost a race with a concurrent evaluation and were re-read and re-applied. */
  retried: number;
  /** Rules whose write lost the race twice and were left unchanged by this run (logged). */
  conflicts: number;
}

/** Options of {@link evaluateAlertRules}. */
export interface EvaluateAlertOptions {
  /** Webhook delivery options (timeout, fetch). */
  webhook?: WebhookOptions;
  /**
   * Where deliveries run: by default they are awaited (at most the 5 s timeout, in parallel);
   * pass `ctx.waitUntil.bind(ctx)` to let them finish after the response.
   */
  waitUntil?: (p: Promise<unknown>) => void;
  /**
   * Called after the open alerts were read and before the changes are written, with the attempt
   * (0, then 1 after a lost race). A test seam: tests run a concurrent evaluation here.
   */
  beforeWrite?: (attempt: number) => void | Promise<void>;
}

/** One rule's write, planned from the alert it read. */
interface PlannedWrite {
  rule: AlertRuleRow;
  row: AlertRow;
  insert: boolean;
  transitions: AlertTransitionRow[];
  /** What the alert was when read (updates only): the write applies only if it still is. */
  expected: { lastRunId: string; status: AlertRow["status"] } | null;
  notify: StateTransition[];
  opened: boolean;
  stepTransitions: StateTransition[];
}

const ALERT_COLUMNS = "id, rule_id, metric, status, severity, value, threshold, breaching_runs, recovering_runs, first_run_id, last_run_id, started_at, fired_at, resolved_at, acknowledged_by, acknowledged_at, updated_at";

/**
 * Writes the planned changes in one D1 batch (one transaction), each guarded by what was read:
 * - a new alert is inserted only if its rule still has no open alert (`NOT EXISTS`), and its
 *   transitions only if the insert happened;
 * - an update applies only if the alert's `last_run_id` and status are still those read
 *   (another run's evaluation, or a manual resolve, changed them otherwise), and its transitions
 *   are inserted under the same condition, checked before the update. The acknowledgement
 *   columns are never written here, so a concurrent acknowledgement is kept.
 *
 * @returns For each plan, whether its write applied.
 */
async function writeGuarded(d1: D1Database, plans: readonly PlannedWrite[]): Promise<boolean[]> {
  const statements: D1PreparedStatement[] = [];
  const decisive: number[] = [];
  const transition = (t: AlertTransitionRow, condition: string, ...params: unknown[]) =>
    d1.prepare(`INSERT INTO alert_transitions (id, alert_id, from_status, to_status, value, run_id, note, at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${condition}`)
      .bind(t.id, t.alertId, t.fromStatus, t.toStatus, t.value, t.runId, t.note, t.at, ...params);
  for (const p of plans) {
    const r = p.row;
    if (p.insert) {
      decisive.push(statements.length);
      statements.push(d1.prepare(`INSERT INTO alerts (${ALERT_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
        WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE rule_id = ? AND status != 'resolved')`)
        .bind(r.id, r.ruleId, r.metric, r.status, r.severity, r.value, r.threshold, r.breachingRuns, r.recoveringRuns, r.firstRunId, r.lastRunId,
          r.startedAt, r.firedAt, r.resolvedAt, r.acknowledgedBy, r.acknowledgedAt, r.updatedAt, r.ruleId));
      for (const t of p.transitions) statements.push(transition(t, "EXISTS (SELECT 1 FROM alerts WHERE id = ?)", r.id));
    } else {
      const { lastRunId, status } = p.expected!;
      for (const t of p.transitions) statements.push(transition(t, "EXISTS (SELECT 1 FROM alerts WHERE id = ? AND last_run_id = ? AND status = ?)", r.id, lastRunId, status));
      decisive.push(statements.length);
      statements.push(d1.prepare(`UPDATE alerts SET status = ?, severity = ?, value = ?, threshold = ?, breaching_runs = ?, recovering_runs = ?, first_run_id = ?,
        last_run_id = ?, started_at = ?, fired_at = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND last_run_id = ? AND status = ?`)
        .bind(r.status, r.severity, r.value, r.threshold, r.breachingRuns, r.recoveringRuns, r.firstRunId, r.lastRunId, r.startedAt, r.firedAt,
          r.resolvedAt, r.updatedAt, r.id, lastRunId, status));
    }
  }
  if (!statements.length) return [];
  const results = await d1.batch(statements);
  return decisive.map((i) => (results[i]?.meta.changes ?? 0) > 0);
}

/**
 * Applies every enabled alert rule to a run's metrics: opens, advances and resolves alerts, and
 * appends their transitions, all in one D1 batch (atomic). A rule whose metric the run did not
 * report (or reported as NaN) is skipped; a run already seen by an open alert counts once (safe
 * to retry). Then notifies `ALERT_WEBHOOK_URL`, when set, of each transition to firing or
 * resolved of an alert nobody acknowledged; webhook failures are logged and counted, never thrown.
 *
 * Two runs completing at once must not both advance the same open alert from the same state (one
 * run's breach would be lost). Each write is therefore guarded by what was read (optimistic
 * concurrency on `last_run_id` and the status, see {@link writeGuarded}); the rules whose write
 * lost the race are read again and applied once more, on top of the other run's change. A rule
 * that loses twice is logged and left to the other writer (counted in `conflicts`).
 */
export async function evaluateAlertRules(env: AlertEnv, input: AlertRuleInput, options: EvaluateAlertOptions = {}): Promise<AlertEvaluation> {
  const db = database(env.DB);
  const at = input.at === undefined ? Date.now() : typeof input.at === "number" ? input.at : input.at.getTime();
  const rules = (await listAlertRules(db, true)).filter((r) => {
    const value = input.metrics[r.metric];
    return typeof value === "number" && Number.isFinite(value);
  });
  const applied: PlannedWrite[] = [];
  let pending = rules;
  let retried = 0;
  for (let attempt = 0; attempt < 2 && pending.length; attempt++) {
    const open = await openAlertsByRule(db, pending.map((r) => r.id));
    const plans: PlannedWrite[] = [];
    for (const rule of pending) {
      const current = open.get(rule.id);
      const step = nextAlertState(ruleSpec(rule), current ? alertState(current) : null, { value: input.metrics[rule.metric]!, run_id: input.run_id, at });
      if (step.unchanged || !step.state) continue;
      const id = step.opened ? crypto.randomUUID() : current!.id;
      plans.push({
        rule, row: alertRow(id, rule, step.state, at), insert: step.opened, transitions: step.transitions.map((t) => transitionRow(id, t)),
        expected: current && !step.opened ? { lastRunId: current.lastRunId, status: current.status } : null,
        notify: step.notify, opened: step.opened, stepTransitions: step.transitions,
      });
    }
    await options.beforeWrite?.(attempt);
    const outcome = await writeGuarded(env.DB, plans);
    applied.push(...plans.filter((_, i) => outcome[i]));
    pending = plans.filter((_, i) => !outcome[i]).map((p) => p.rule);
    if (attempt === 0) retried = pending.length;
  }
  if (pending.length) {
    console.error(JSON.stringify({ level: "warn", message: "alert update lost the race twice; left to the concurrent evaluation", run_id: input.run_id, rules: pending.map((r) => r.id) }));
  }
  const changes: AlertChange[] = [];
  const notices: AlertNotice[] = [];
  for (const p of applied) {
    const { row, rule } = p;
    for (const t of p.notify) notices.push(notice(rule, row.id, row, t));
    changes.push({
      rule_id: rule.id, rule_name: rule.name, alert: alertView(row), opened: p.opened,
      transitions: p.stepTransitions.map((t) => ({ from: t.from, to: t.to, note: t.note })), notified: 0,
    });
  }

  const url = (env.ALERT_WEBHOOK_URL ?? "").trim();
  let failures = 0;
  if (url && notices.length) {
    for (const n of notices) changes.find((c) => c.alert.id === n.alert_id)!.notified++;
    const deliveries = Promise.all(notices.map(async (n) => (await sendWebhook(url, alertMessage(n), options.webhook)) || failures++));
    if (options.waitUntil) options.waitUntil(deliveries);
    else await deliveries;
  }
  return { run_id: input.run_id, evaluated: rules.length, changes, webhook_failures: failures, retried, conflicts: pending.length };
}

function notice(rule: AlertRuleRow, alertId: string, row: AlertRow, t: StateTransition): AlertNotice {
  return {
    alert_id: alertId, rule_name: rule.name, metric: rule.metric, operator: rule.operator, status: t.to, from: t.from,
    severity: row.severity, value: t.value, threshold: row.threshold, run_id: t.run_id, note: t.note, at: t.at,
  };
}

/** Notifies the webhook (when configured) of a manual transition, e.g. a resolve from the API. */
export async function notifyAlertTransition(env: AlertEnv, n: AlertNotice, options?: WebhookOptions): Promise<boolean> {
  const url = (env.ALERT_WEBHOOK_URL ?? "").trim();
  return url ? sendWebhook(url, alertMessage(n), options) : false;
}
