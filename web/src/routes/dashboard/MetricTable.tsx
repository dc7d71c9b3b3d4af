/**
 * The points of a metric chart as a table (time, value), behind a disclosure under the chart: the
 * same data for screen readers, keyboard users and anyone who wants the numbers.
 */
import { formatDateTime, formatMetricValue } from "./format";
import type { TrendPoint } from "./metricsApi";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link MetricTable}. */
export interface MetricTableProps {
  metric: string;
  points: readonly TrendPoint[];
  /** Caption, e.g. "gold_at_5 per run, last 7 days". */
  caption: string;
}

/** A <details> "Table (n points)" with the table inside. */
export function MetricTable({ metric, points, caption }: MetricTableProps) {
  return (
    <details class="metric-table" data-metric={metric}>
      <summary>
        Table<span class="muted"> ({points.length} {points.length === 1 ? "point" : "points"})</span>
      </summary>
      {points.length ? (
        <table class="data-table">
          <caption>{caption}</caption>
          <TableHead columns={["Time", { label: "Value", num: true }]} />
          <tbody>
            {points.map((p) => (
              <tr key={p.run_id} data-run-id={p.run_id}>
                <th scope="row">
                  <time dateTime={p.at ?? undefined}>{formatDateTime(p.at)}</time>
                </th>
                <td class="num">{formatMetricValue(metric, p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No completed run in this timeframe.</p>
      )}
    </details>
  );
}
