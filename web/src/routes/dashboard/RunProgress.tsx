/**
 * One evaluation run followed until it finishes: status, a labelled progress bar with the cases
 * judged, failed and in total (GET /api/meta-monitoring/runs/:id every 1.5 s while queued or
 * running), the error of a failed run, and optionally the metrics of the completed run.
 */
import { useId, useRef, useState } from "preact/hooks";
import { describeError } from "../../api/client";
import { METRIC_NAMES, METRICS } from "../../../../worker/monitoring/alerts-metrics";
import { fetchRun, type EvaluationRun } from "./proposalsApi";
import { usePolling } from "./usePolling";
import { formatDateTime, formatMetricValue } from "./format";
import { shortId } from "./valueFormat";
import "./progress.css";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** True once a run will not change any more. */
export function runFinished(run: Pick<EvaluationRun, "status"> | undefined): boolean {
  return run?.status === "completed" || run?.status === "failed";
}

/** Props of {@link RunProgress}. */
export interface RunProgressProps {
  runId: string;
  /** Heading text of the run, e.g. "Baseline run". */
  label: string;
  /** The run as already known (e.g. the answer of POST /control/evaluate). */
  initial?: EvaluationRun;
  /** Show the metrics table once completed. */
  showMetrics?: boolean;
  /** Called once when the run completes or fails. */
  onFinished?: (run: EvaluationRun) => void;
}

const STATUS_TEXT: Record<EvaluationRun["status"], string> = { queued: "Queued", running: "Running", completed: "Completed", failed: "Failed" };

/** The run's card. */
export function RunProgress({ runId, label, initial, showMetrics = false, onFinished }: RunProgressProps) {
  const [run, setRun] = useState<EvaluationRun | undefined>(initial?.id === runId ? initial : undefined);
  const [error, setError] = useState<string | null>(null);
  const reported = useRef(false);
  const headingId = useId();
  const progressId = useId();

  usePolling(async () => {
    try {
      const next = await fetchRun(runId);
      setRun(next);
      setError(null);
      if (runFinished(next) && !reported.current) {
        reported.current = true;
        onFinished?.(next);
      }
    } catch (e) {
      setError(describeError(e));
      throw e;
    }
  }, !runFinished(run));

  const status = run?.status ?? "queued";
  const processed = run ? run.done + run.failed : 0;
  return (
    <section class={`run-progress run-${status}`} aria-labelledby={headingId} data-run-id={runId} data-status={status}>
      <h3 id={headingId}>
        {label} <code>{shortId(runId)}</code>
      </h3>
      <p class="run-line">
        <span role="status" class="run-status">
          <span class="visually-hidden">{label}: </span>
          <span class={`badge run-status-${status}`}>{STATUS_TEXT[status]}</span>
        </span>{" "}
        {run && (
          <span class="muted">
            dataset {run.dataset}{run.corpus ? `, corpus ${run.corpus}` : ", every corpus in the knowledge base"} · started {formatDateTime(run.started_at ?? run.created_at)}
            {run.completed_at ? ` · finished ${formatDateTime(run.completed_at)}` : ""}
          </span>
        )}
      </p>
      <div class="run-bar">
        <label id={progressId} for={`${progressId}-bar`}>
          Cases: {processed} of {run?.total ?? "…"}
          {run && run.failed > 0 ? ` (${run.failed} failed)` : ""}
        </label>
        <progress id={`${progressId}-bar`} max={run?.total || 1} value={run ? processed : undefined} />
      </div>
      {run?.error && (
        <p class="alert" role="alert">
          The run failed: {run.error}
        </p>
      )}
      {error && (
        <p class="alert" role="alert">
          Could not read the run: {error}
        </p>
      )}
      {showMetrics && run?.status === "completed" && run.metrics && <RunMetricsTable metrics={run.metrics} caption={`Metrics of ${label.toLowerCase()}`} />}
    </section>
  );
}

/** The metrics of a completed run: one row per defined metric it reports, with the counts above. */
export function RunMetricsTable({ metrics, caption }: { metrics: Record<string, number | null>; caption: string }) {
  const shown = METRIC_NAMES.filter((m) => m in metrics);
  const n = (k: string) => metrics[k] ?? 0;
  return (
    <div class="run-metrics">
      <p class="muted">
        {n("cases")} cases judged ({n("answerable")} answerable, {n("unanswerable")} unanswerable), {n("errors")} errors
      </p>
      <table class="data-table stack-table metrics-table">
        <caption class="visually-hidden">{caption}</caption>
        <TableHead columns={["Metric", "Value", "Better"]} />
        <tbody>
          {shown.map((m) => (
            <tr key={m} data-metric={m}>
              <th scope="row">
                <code>{m}</code>
              </th>
              <td class="num" data-label="Value">
                {formatMetricValue(m, metrics[m])}
              </td>
              <td data-label="Better">{METRICS[m].direction === "higher_is_better" ? "higher" : "lower"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
