/**
 * One metric on the metrics page: its name, what it measures, which direction is better, its
 * latest value in the window and the rules' thresholds, then the chart (with threshold lines and
 * a text legend) and the same points as a table.
 */
import { useMemo } from "preact/hooks";
import { directionLabel, formatMetricValue, formatThreshold } from "./format";
import { MetricChart, type ThresholdLine } from "./MetricChart";
import { MetricTable } from "./MetricTable";
import { METRICS, rulesOf, standingOf, STANDING_LABEL, TIMEFRAME_LABEL, type AlertRule, type MetricName, type Timeframe, type TrendPoint } from "./metricsApi";
import type { Part } from "./partial";

/** Props of {@link MetricCard}. */
export interface MetricCardProps {
  metric: MetricName;
  points: Part<TrendPoint[]>;
  rules: readonly AlertRule[];
  timeframe: Timeframe;
  from: number;
  to: number;
}

const UNIT_LABEL = { ratio: "ratio, 0 to 1", ms: "milliseconds", calls: "calls" } as const;

/** The card. */
export function MetricCard({ metric, points, rules, timeframe, from, to }: MetricCardProps) {
  const def = METRICS[metric];
  const mine = rulesOf(rules, metric);
  const lines = useMemo<ThresholdLine[]>(
    () =>
      mine.flatMap((r) =>
        (["warning", "critical"] as const)
          .filter((level) => r[level] !== null)
          .map((level) => ({ level, value: r[level]!, operator: r.operator, text: `${level} ${formatThreshold(metric, r.operator, r[level])}` })),
      ),
    [JSON.stringify(mine)],
  );
  const list = points.ok ? points.value : [];
  const latest = [...list].reverse().find((p) => p.value !== null);
  const standing = standingOf(mine, latest?.value);
  const span = `the last ${TIMEFRAME_LABEL[timeframe]}`;
  const valued = list.filter((p) => p.value !== null).length;
  const label =
    `${metric} over ${span}: ` +
    (valued ? `${valued} of ${list.length} runs with a value, latest ${formatMetricValue(metric, latest?.value)}` : `no value in ${list.length} runs`) +
    (lines.length ? `; threshold lines ${lines.map((l) => l.text).join(", ")}` : "; no alert rule") +
    (standing.level === "critical" || standing.level === "warning" ? `; ${STANDING_LABEL[standing.level].toLowerCase()}` : "");
  const titleId = `metric-${metric}`;

  return (
    <section class="metric-card" aria-labelledby={titleId} data-metric={metric}>
      <h2 id={titleId}>
        <code>{metric}</code>
      </h2>
      <p class="metric-description">{def.description}</p>
      <p class="metric-meta muted">
        {directionLabel(metric)} · {UNIT_LABEL[def.unit]} · latest {formatMetricValue(metric, latest?.value)}
        {(standing.level === "critical" || standing.level === "warning") && (
          <strong class="breach-note">
            {" "}
            <span aria-hidden="true">⚠ </span>
            {STANDING_LABEL[standing.level]}
          </strong>
        )}
      </p>
      {points.ok ? (
        <>
          <MetricChart metric={metric} points={list} lines={lines} from={from} to={to} label={label} />
          <ul class="chart-legend">
            <li class="legend-series">
              <span class="swatch" aria-hidden="true" />
              Value per run
            </li>
            {lines.map((l) => (
              <li key={`${l.level}-${l.value}`} class={`legend-${l.level}`}>
                <span class="swatch" aria-hidden="true" />
                {l.level === "critical" ? "Critical" : "Warning"} threshold {formatThreshold(metric, l.operator, l.value)}
              </li>
            ))}
            {!lines.length && <li class="muted">No alert rule watches this metric.</li>}
          </ul>
          <MetricTable metric={metric} points={list} caption={`${metric} per run, ${span}`} />
        </>
      ) : (
        <p class="alert" role="alert">
          Could not load the trend: {points.message}
        </p>
      )}
    </section>
  );
}
