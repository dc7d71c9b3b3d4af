/**
 * Alert evaluation after an evaluation run: the entry point that the runs call with the run's
 * metrics. Applies every enabled rule (worker/monitoring/alerts-state.ts), writes alerts and
 * transitions in one D1 batch, and notifies the webhook of transitions to firing and resolved.
 */
import { database } from "../db/client";
import type { AlertRow, AlertRuleRow, AlertTransitionRow } from "../db/schema";
import { alertRow, alertState, alertView, listAlertRules, openAlertsByRule, ruleSpec, transitionRow, writeAlertChanges, type AlertView } from "../storage/alerts";
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
}

/**
 * Applies every enabled alert rule to a run's metrics: opens, advances and resolves alerts, and
 * appends their transitions, all in one D1 batch (atomic). A rule whose metric the run did not
 * report (or reported as NaN) is skipped; a run already seen by an open alert counts once (safe
 * to retry). Then notifies `ALERT_WEBHOOK_URL`, when set, of each transition to firing or
 * resolved of an alert nobody acknowledged; webhook failures are logged and counted, never thrown.
 */
export async function evaluateAlertRules(env: AlertEnv, input: AlertRuleInput, options: EvaluateAlertOptions = {}): Promise<AlertEvaluation> {
  const db = database(env.DB);
  const at = input.at === undefined ? Date.now() : typeof input.at === "number" ? input.at : input.at.getTime();
  const rules = await listAlertRules(db, true);
  const open = await openAlertsByRule(db, rules.map((r) => r.id));
  const writes: { row: AlertRow; insert: boolean; transitions: AlertTransitionRow[] }[] = [];
  const changes: AlertChange[] = [];
  const notices: AlertNotice[] = [];
  let evaluated = 0;
  for (const rule of rules) {
    const value = input.metrics[rule.metric];
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    evaluated++;
    const current = open.get(rule.id);
    const step = nextAlertState(ruleSpec(rule), current ? alertState(current) : null, { value, run_id: input.run_id, at });
    if (step.unchanged || !step.state) continue;
    const id = step.opened ? crypto.randomUUID() : current!.id;
    const row = alertRow(id, rule, step.state, at);
    writes.push({ row, insert: step.opened, transitions: step.transitions.map((t) => transitionRow(id, t)) });
    for (const t of step.notify) notices.push(notice(rule, id, row, t));
    changes.push({
      rule_id: rule.id, rule_name: rule.name, alert: alertView(row), opened: step.opened,
      transitions: step.transitions.map((t) => ({ from: t.from, to: t.to, note: t.note })), notified: 0,
    });
  }
  await writeAlertChanges(db, writes);

  const url = (env.ALERT_WEBHOOK_URL ?? "").trim();
  let failures = 0;
  if (url && notices.length) {
    for (const n of notices) changes.find((c) => c.alert.id === n.alert_id)!.notified++;
    const deliveries = Promise.all(notices.map(async (n) => (await sendWebhook(url, alertMessage(n), options.webhook)) || failures++));
    if (options.waitUntil) options.waitUntil(deliveries);
    else await deliveries;
  }
  return { run_id: input.run_id, evaluated, changes, webhook_failures: failures };
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
