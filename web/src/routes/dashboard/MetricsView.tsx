/**
 * `/dashboard/metrics`: every evaluation metric (METRIC_NAMES of the Worker) over the last 24
 * hours, 7 days or 30 days (the timeframe is in the URL), each as a chart with its alert
 * thresholds and as a table. Refreshed every 30 s; uPlot is loaded only by this page.
 */
import { useLocation } from "preact-iso";
import { DashboardShell } from "./DashboardShell";
import { LoadState } from "./LoadState";
import { MetricCard } from "./MetricCard";
import { loadTrends, METRIC_NAMES, TIMEFRAME_LABEL, TIMEFRAMES, timeframeFrom, DEFAULT_TIMEFRAME, type Timeframe } from "./metricsApi";
import { useAdminData } from "./useAdminData";
import "./metrics.css";

function timeframeHref(tf: Timeframe): string {
  return tf === DEFAULT_TIMEFRAME ? "/dashboard/metrics" : `/dashboard/metrics?timeframe=${tf}`;
}

/** The page component (default export, loaded by MetricsPage.tsx). */
export default function MetricsPage() {
  const { query } = useLocation();
  const timeframe = timeframeFrom(query.timeframe);
  const { data, error, loading, updatedAt, refresh } = useAdminData(() => loadTrends(timeframe), [timeframe]);

  return (
    <DashboardShell title="Metrics" updatedAt={updatedAt} loading={loading} onRefresh={() => void refresh()}>
      <nav class="timeframes" aria-label="Timeframe">
        <span class="timeframes-label" aria-hidden="true">
          Timeframe:
        </span>
        <ul>
          {TIMEFRAMES.map((tf) => (
            <li key={tf}>
              <a class="button ghost" href={timeframeHref(tf)} aria-current={tf === timeframe ? "true" : undefined}>
                Last {TIMEFRAME_LABEL[tf]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <LoadState hasData={Boolean(data)} loading={loading} error={error} what="the metrics" />
      {data && (
        <div class="metric-grid" aria-busy={loading ? "true" : "false"} data-timeframe={data.timeframe}>
          {METRIC_NAMES.map((m) => (
            <MetricCard key={m} metric={m} points={data.points[m]} rules={data.rules} timeframe={data.timeframe} from={data.from} to={data.to} />
          ))}
        </div>
      )}
    </DashboardShell>
  );
}
