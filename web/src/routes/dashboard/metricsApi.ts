/**
 * The evaluation metrics' API calls (latest values, trends, alert rules) over the typed client,
 * answer types inferred from the Worker's routes, and how a value stands against the rules'
 * thresholds (the Worker's own `breachOf`, worker/monitoring/alerts-state.ts).
 */
import type { InferResponseType } from "hono/client";
import { api, call } from "../../api/client";
import { METRIC_NAMES, METRICS, type MetricDefinition, type MetricName } from "../../../../worker/monitoring/alerts-metrics";
import { breachOf } from "../../../../worker/monitoring/alerts-state";
import { settle, type Part } from "./partial";

export { METRIC_NAMES, METRICS, type MetricDefinition, type MetricName };

const monitoring = api.api["meta-monitoring"];

/** `GET /api/meta-monitoring/alert-rules`. */
export type AlertRules = InferResponseType<(typeof monitoring)["alert-rules"]["$get"], 200>;
/** One alert rule (thresholds per metric). */
export type AlertRule = AlertRules["rules"][number];
/** `GET /api/meta-monitoring/metrics/latest`. */
export type LatestMetrics = InferResponseType<typeof monitoring.metrics.latest.$get, 200>;
/** `GET /api/meta-monitoring/metrics/trends`. */
export type Trend = InferResponseType<typeof monitoring.metrics.trends.$get, 200>;
/** One point of a trend: a completed run. */
export type TrendPoint = Trend["points"][number];

/** Windows of the trends, as the API names them. */
export const TIMEFRAMES = ["24h", "7d", "30d"] as const;
/** One of {@link TIMEFRAMES}. */
export type Timeframe = (typeof TIMEFRAMES)[number];
/** Length of each window, ms. */
export const TIMEFRAME_MS: Record<Timeframe, number> = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 };
/** Words of each window: "the last 7 days". */
export const TIMEFRAME_LABEL: Record<Timeframe, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days" };
/** The API's default window. */
export const DEFAULT_TIMEFRAME: Timeframe = "7d";

/** The timeframe of a query-string value (default 7d). */
export function timeframeFrom(value: string | undefined): Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value ?? "") ? (value as Timeframe) : DEFAULT_TIMEFRAME;
}

/** All alert rules. */
export function fetchRules(): Promise<AlertRules> {
  return call(monitoring["alert-rules"].$get());
}

/** The latest completed run's metrics. @throws ApiRequestError 404 before the first completed run. */
export function fetchLatestMetrics(): Promise<LatestMetrics> {
  return call(monitoring.metrics.latest.$get());
}

/** One metric over a window: a point per completed run, oldest first. */
export function fetchTrend(metric: MetricName, timeframe: Timeframe): Promise<Trend> {
  return call(monitoring.metrics.trends.$get({ query: { metric, timeframe } }));
}

/** What the metrics page draws: every metric's points over one window, and the rules. */
export interface Trends {
  timeframe: Timeframe;
  /** The window, epoch ms. */
  from: number;
  to: number;
  rules: AlertRule[];
  /** Each metric's points (or its own error), by name. */
  points: Record<MetricName, Part<TrendPoint[]>>;
}

/** The rules and the trend of every metric of METRIC_NAMES over `timeframe`, in parallel. */
export async function loadTrends(timeframe: Timeframe): Promise<Trends> {
  const to = Date.now();
  const [rules, ...trends] = await Promise.all([
    fetchRules(),
    ...METRIC_NAMES.map((m) => settle(fetchTrend(m, timeframe).then((t) => t.points))),
  ]);
  const points = Object.fromEntries(METRIC_NAMES.map((m, i) => [m, trends[i]!])) as Record<MetricName, Part<TrendPoint[]>>;
  return { timeframe, from: to - TIMEFRAME_MS[timeframe], to, rules: rules.rules, points };
}

/** The enabled rules watching `metric`. */
export function rulesOf(rules: readonly AlertRule[], metric: string): AlertRule[] {
  return rules.filter((r) => r.enabled && r.metric === metric);
}

/** How a value stands against the enabled rules of its metric. */
export interface Standing {
  /** "critical" or "warning" when a threshold is crossed, "ok" when none is, "no_rule" without an enabled rule, "no_value" without a value. */
  level: "critical" | "warning" | "ok" | "no_rule" | "no_value";
  /** The rule whose threshold is crossed (the worst), if any. */
  rule?: AlertRule;
  /** The crossed threshold. */
  threshold?: number;
}

/** The worst breach of `value` over `rules` (critical before warning), by the Worker's rule semantics. */
export function standingOf(rules: readonly AlertRule[], value: number | null | undefined): Standing {
  if (value === null || value === undefined || !Number.isFinite(value)) return { level: "no_value" };
  if (!rules.length) return { level: "no_rule" };
  let worst: Standing = { level: "ok" };
  for (const rule of rules) {
    const breach = breachOf(rule, value);
    if (!breach) continue;
    if (breach.level === "critical") return { level: "critical", rule, threshold: breach.threshold };
    if (worst.level === "ok") worst = { level: "warning", rule, threshold: breach.threshold };
  }
  return worst;
}

/** The text of a standing, for people: "Critical breach", "OK", … */
export const STANDING_LABEL: Record<Standing["level"], string> = {
  critical: "Critical breach",
  warning: "Warning breach",
  ok: "Within thresholds",
  no_rule: "No rule",
  no_value: "Not computed",
};
