/**
 * One page of alerts as a table: severity, status, metric (a link that opens the alert's drawer,
 * keeping the list's filters in the URL), value against the threshold, when it started and who
 * acknowledged it. Below 720 px each row is a card (tables.css).
 */
import { alertsHref, type Alert, type AlertsQuery } from "./alertsApi";
import { SeverityBadge, StatusBadge } from "./badges";
import { formatDateTime, formatMetricValue, formatThreshold } from "./format";
import type { AlertRule } from "./metricsApi";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link AlertsTable}. */
export interface AlertsTableProps {
  alerts: readonly Alert[];
  rules: readonly AlertRule[];
  q: AlertsQuery;
  caption: string;
}

/** The table. Each row has `data-alert-id`; each metric link `data-alert-link` (focus returns there when the drawer closes). */
export function AlertsTable({ alerts, rules, q, caption }: AlertsTableProps) {
  return (
    <table class="data-table stack-table alerts-table">
      <caption>{caption}</caption>
      <TableHead columns={["Severity", "Status", "Metric", "Value vs threshold", "Started", "Acknowledged"]} />
      <tbody>
        {alerts.map((a) => {
          const rule = rules.find((r) => r.id === a.rule_id);
          return (
            <tr key={a.id} data-alert-id={a.id} data-severity={a.severity} data-status={a.status}>
              <td data-label="Severity">
                <SeverityBadge severity={a.severity} />
              </td>
              <td data-label="Status">
                <StatusBadge status={a.status} />
              </td>
              <th scope="row">
                <a href={alertsHref(q, a.id)} data-alert-link={a.id}>
                  <code>{a.metric}</code>
                  <span class="visually-hidden">: open the alert</span>
                </a>
                {rule && <span class="rule-name muted">{rule.name}</span>}
              </th>
              <td data-label="Value">
                {formatMetricValue(a.metric, a.value)} <span class="muted">vs {formatThreshold(a.metric, rule?.operator, a.threshold)}</span>
              </td>
              <td data-label="Started">
                <time dateTime={a.started_at}>{formatDateTime(a.started_at)}</time>
              </td>
              <td data-label="Acknowledged">
                {a.acknowledged_at ? (
                  <>
                    <time dateTime={a.acknowledged_at}>{formatDateTime(a.acknowledged_at)}</time>
                    {a.acknowledged_by ? ` by ${a.acknowledged_by}` : ""}
                  </>
                ) : (
                  "No"
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
