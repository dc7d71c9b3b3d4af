/** An alert's append-only transition log, in the order it was written (the drawer's table). */
import type { AlertTransition } from "./alertsApi";
import { formatDateTime, formatMetricValue, label } from "./format";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** The log as a table: when, from → to, value, run, note. */
export function TransitionLog({ metric, transitions }: { metric: string; transitions: readonly AlertTransition[] }) {
  if (!transitions.length) return <p class="muted">No transition logged.</p>;
  return (
    <table class="data-table stack-table transition-log">
      <caption class="visually-hidden">Transitions of the alert, oldest first</caption>
      <TableHead columns={["When", "Change", "Value", "Run", "Note"]} />
      <tbody>
        {transitions.map((t) => (
          <tr key={t.id} data-transition={`${t.from_status ?? "none"}>${t.to_status}`}>
            <th scope="row">
              <time dateTime={t.at}>{formatDateTime(t.at)}</time>
            </th>
            <td data-label="Change">
              {t.from_status ? `${label(t.from_status)} → ${label(t.to_status)}` : `Opened as ${t.to_status}`}
            </td>
            <td data-label="Value">{formatMetricValue(metric, t.value)}</td>
            <td data-label="Run">{t.run_id ? <code>{t.run_id.slice(0, 8)}</code> : "—"}</td>
            <td data-label="Note" class="note">
              {t.note ?? "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
