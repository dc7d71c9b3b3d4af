/**
 * The overview's latest metrics against the alert rules: each metric of the latest completed run
 * with its value, the enabled rules' warning and critical thresholds, which direction is better,
 * and whether a threshold is crossed (in words, by the Worker's own rule semantics).
 */
import { directionLabel, formatDateTime, formatMetricValue, formatThreshold } from "./format";
import { METRIC_NAMES, rulesOf, standingOf, type AlertRule, type LatestMetrics } from "./metricsApi";
import { StandingBadge } from "./badges";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link LatestMetricsTable}. */
export interface LatestMetricsTableProps {
  latest: LatestMetrics;
  /** All rules; null when they could not be loaded (thresholds then show as unknown). */
  rules: readonly AlertRule[] | null;
}

function thresholds(rules: readonly AlertRule[], metric: string, level: "warning" | "critical"): string {
  const parts = rules.filter((r) => r[level] !== null).map((r) => formatThreshold(metric, r.operator, r[level]));
  return parts.length ? parts.join(", ") : "—";
}

/** One row per metric (in the order of METRIC_NAMES). */
export function LatestMetricsTable({ latest, rules }: LatestMetricsTableProps) {
  const values = (latest.metrics ?? {}) as Record<string, number | null | undefined>;
  return (
    <table class="data-table stack-table latest-metrics">
      <caption>
        Run <code>{latest.run_id.slice(0, 8)}</code>, completed {formatDateTime(latest.completed_at)}
        {latest.corpus ? ` (corpus ${latest.corpus}, ${latest.dataset} split)` : ` (${latest.dataset} split)`}
      </caption>
      <TableHead columns={["Metric", { label: "Value", num: true }, "Warning", "Critical", "Better", "Standing"]} />
      <tbody>
        {METRIC_NAMES.map((name) => {
          const value = values[name];
          const mine = rules ? rulesOf(rules, name) : [];
          const standing = rules ? standingOf(mine, value) : null;
          return (
            <tr key={name} data-metric={name} data-standing={standing?.level}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td class="num" data-label="Value">
                {formatMetricValue(name, value)}
              </td>
              <td data-label="Warning">{rules ? thresholds(mine, name, "warning") : "unknown"}</td>
              <td data-label="Critical">{rules ? thresholds(mine, name, "critical") : "unknown"}</td>
              <td data-label="Better">{directionLabel(name)}</td>
              <td data-label="Standing">{standing ? <StandingBadge level={standing.level} /> : "unknown"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
