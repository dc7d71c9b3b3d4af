/**
 * The alert state machine of the quality loop, as pure functions (no bindings): one rule, the
 * rule's open alert (if any) and one run's observation give the next state and the transitions
 * to append to the log.
 *
 * Semantics follow Prometheus alerting rules
 * (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/), counted in
 * evaluation runs instead of time:
 * - A rule's condition is "breaching" when the metric crosses a threshold with the rule's operator.
 *   The critical threshold is checked first, then the warning threshold; either may be null.
 * - `for_runs` is Prometheus' `for`: an alert is `pending` until the condition has held for
 *   `for_runs` consecutive runs, then `firing`. With `for_runs` = 1 (Prometheus `for: 0`) the
 *   first breaching run fires at once, without a pending state.
 * - A pending alert whose condition clears never fired; Prometheus drops it silently. Here it is
 *   closed as `resolved` (with `fired_at` null and the note "cleared before firing") so that the
 *   transition log stays append-only; no notification is sent for it.
 * - `keep_firing_for_runs` is Prometheus' `keep_firing_for`: a firing alert whose condition
 *   clears stays firing for that many more runs, then resolves. A breach meanwhile keeps it
 *   firing and restarts the count.
 * - After an alert resolved, a new breach opens a new alert (Prometheus starts a new `activeAt`).
 * - Severity comes from the threshold crossed: critical → `critical`, warning → `high`, unless
 *   the rule maps them to other severities (`critical_severity`, `warning_severity`). While an
 *   alert is open its severity follows the latest breach; a change is logged as a firing → firing
 *   (or pending → pending) transition, and an escalation of a firing alert is notified.
 * - A run without the metric (or with a non-finite value, e.g. NaN when a dataset has no
 *   unanswerable question) leaves the alert unchanged: missing data neither breaches nor recovers.
 * - An observation of the run that the alert saw last (`last_run_id`) is ignored, so that a
 *   retried evaluation of the same run counts once.
 */

/** Comparison of a rule: the metric breaches when `value <op> threshold`. */
export type AlertOperator = "<" | "<=" | ">" | ">=";
/** Operators of rules. */
export const ALERT_OPERATORS = ["<", "<=", ">", ">="] as const satisfies readonly AlertOperator[];
/** Severity of an alert. */
export type AlertSeverity = "critical" | "high" | "medium" | "low";
/** Severities, most severe first. */
export const ALERT_SEVERITIES = ["critical", "high", "medium", "low"] as const satisfies readonly AlertSeverity[];
/** Status of an alert. */
export type AlertStatus = "pending" | "firing" | "resolved";
/** Statuses of alerts. */
export const ALERT_STATUSES = ["pending", "firing", "resolved"] as const satisfies readonly AlertStatus[];

/** The parts of an alert rule that the state machine reads. */
export interface AlertRuleSpec {
  metric: string;
  operator: AlertOperator;
  /** Warning threshold; null = none. */
  warning: number | null;
  /** Critical threshold; null = none. */
  critical: number | null;
  /** Consecutive breaching runs before an alert fires (≥ 1). */
  for_runs: number;
  /** Non-breaching runs a firing alert stays firing before it resolves (≥ 0). */
  keep_firing_for_runs: number;
  /** Severity of a warning breach; default "high". */
  warning_severity?: AlertSeverity;
  /** Severity of a critical breach; default "critical". */
  critical_severity?: AlertSeverity;
}

/** State of one alert, as stored in the `alerts` table (timestamps in epoch ms). */
export interface AlertState {
  status: AlertStatus;
  severity: AlertSeverity;
  /** Latest observed value. */
  value: number;
  /** Threshold of the latest breach. */
  threshold: number;
  /** Consecutive breaching runs up to the latest (0 after a non-breaching run). */
  breaching_runs: number;
  /** Consecutive non-breaching runs of a firing alert. */
  recovering_runs: number;
  first_run_id: string;
  last_run_id: string;
  started_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

/** One run's value of the rule's metric. */
export interface Observation {
  value: number;
  run_id: string;
  /** Epoch ms. */
  at: number;
}

/** One row of the transition log; `from` is null when the alert opens. */
export interface StateTransition {
  from: AlertStatus | null;
  to: AlertStatus;
  value: number;
  run_id: string;
  note: string | null;
  at: number;
}

/** Result of {@link nextAlertState}. */
export interface AlertStep {
  /**
   * The alert after the observation: the updated open alert, a newly opened alert (`opened`
   * true), or null when no alert is open and none opens (also when `current` stays unchanged
   * and was null).
   */
  state: AlertState | null;
  /** True when `state` is a new alert (the previous one, if any, stays resolved). */
  opened: boolean;
  /** True when the observation changed nothing (ignored run, missing data, no breach). */
  unchanged: boolean;
  /** Transitions to append, in order. */
  transitions: StateTransition[];
  /**
   * Transitions that warrant a notification: to firing (also a severity escalation while firing)
   * or from firing to resolved; empty for acknowledged alerts.
   */
  notify: StateTransition[];
}

/** A breach of a rule's threshold. */
export interface Breach {
  level: "critical" | "warning";
  severity: AlertSeverity;
  threshold: number;
}

const RANK: Record<AlertSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** True when `value <op> threshold`. */
export function compare(value: number, operator: AlertOperator, threshold: number): boolean {
  switch (operator) {
    case "<": return value < threshold;
    case "<=": return value <= threshold;
    case ">": return value > threshold;
    case ">=": return value >= threshold;
  }
}

/** The threshold that `value` crosses (critical before warning), or null when it breaches none. */
export function breachOf(rule: AlertRuleSpec, value: number): Breach | null {
  if (!Number.isFinite(value)) return null;
  if (rule.critical !== null && compare(value, rule.operator, rule.critical)) {
    return { level: "critical", severity: rule.critical_severity ?? "critical", threshold: rule.critical };
  }
  if (rule.warning !== null && compare(value, rule.operator, rule.warning)) {
    return { level: "warning", severity: rule.warning_severity ?? "high", threshold: rule.warning };
  }
  return null;
}

/** True when severity `a` is more severe than `b`. */
export function moreSevere(a: AlertSeverity, b: AlertSeverity): boolean {
  return RANK[a] < RANK[b];
}

/**
 * Applies one observation to a rule's alert. `current` is the rule's open (pending or firing)
 * alert, or null (a resolved alert may be passed too: it counts as no open alert).
 */
export function nextAlertState(rule: AlertRuleSpec, current: AlertState | null, obs: Observation): AlertStep {
  const open = current && current.status !== "resolved" ? current : null;
  const same: AlertStep = { state: open, opened: false, unchanged: true, transitions: [], notify: [] };
  if (!Number.isFinite(obs.value)) return same;
  if (open && open.last_run_id === obs.run_id) return same;
  const breach = breachOf(rule, obs.value);
  const forRuns = Math.max(1, Math.floor(rule.for_runs));
  const keep = Math.max(0, Math.floor(rule.keep_firing_for_runs));
  const t = (from: AlertStatus | null, to: AlertStatus, note: string | null): StateTransition => ({ from, to, value: obs.value, run_id: obs.run_id, note, at: obs.at });

  if (!open) {
    if (!breach) return same;
    const fires = forRuns <= 1;
    const state: AlertState = {
      status: fires ? "firing" : "pending", severity: breach.severity, value: obs.value, threshold: breach.threshold,
      breaching_runs: 1, recovering_runs: 0, first_run_id: obs.run_id, last_run_id: obs.run_id,
      started_at: obs.at, fired_at: fires ? obs.at : null, resolved_at: null, acknowledged_by: null, acknowledged_at: null,
    };
    const opening = t(null, state.status, `${rule.metric} ${obs.value} ${rule.operator} ${breach.threshold} (${breach.level})`);
    return { state, opened: true, unchanged: false, transitions: [opening], notify: fires ? [opening] : [] };
  }

  const acknowledged = open.acknowledged_at !== null;
  const base = { ...open, value: obs.value, last_run_id: obs.run_id };
  const transitions: StateTransition[] = [];
  const notify: StateTransition[] = [];

  if (breach) {
    const state: AlertState = { ...base, breaching_runs: open.breaching_runs + 1, recovering_runs: 0, severity: breach.severity, threshold: breach.threshold };
    if (open.status === "pending" && state.breaching_runs >= forRuns) {
      state.status = "firing";
      state.fired_at = obs.at;
      const firing = t("pending", "firing", `${state.breaching_runs} consecutive breaching runs (${breach.level})`);
      transitions.push(firing);
      notify.push(firing);
    } else if (breach.severity !== open.severity) {
      const change = t(open.status, open.status, `severity ${open.severity} → ${breach.severity}`);
      transitions.push(change);
      if (open.status === "firing" && moreSevere(breach.severity, open.severity)) notify.push(change);
    }
    return { state, opened: false, unchanged: false, transitions, notify: acknowledged ? [] : notify };
  }

  if (open.status === "pending") {
    const state: AlertState = { ...base, status: "resolved", breaching_runs: 0, resolved_at: obs.at };
    return { state, opened: false, unchanged: false, transitions: [t("pending", "resolved", "cleared before firing")], notify: [] };
  }
  const recovering = open.recovering_runs + 1;
  if (recovering > keep) {
    const state: AlertState = { ...base, status: "resolved", breaching_runs: 0, recovering_runs: recovering, resolved_at: obs.at };
    const resolved = t("firing", "resolved", keep ? `not breaching for ${recovering} runs` : "not breaching");
    return { state, opened: false, unchanged: false, transitions: [resolved], notify: acknowledged ? [] : [resolved] };
  }
  return { state: { ...base, breaching_runs: 0, recovering_runs: recovering }, opened: false, unchanged: false, transitions: [], notify: [] };
}
