/** The audit log of the production pointer: its latest moves, newest first (when, deploy or rollback, from → to, who, why). */
import type { DeploymentEvent } from "./controlsApi";
import { formatDateTime } from "./format";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link DeploymentLog}. */
export interface DeploymentLogProps {
  events: DeploymentEvent[] | undefined;
  versionName: (id: string | null) => string;
}

/** The section. */
export function DeploymentLog({ events, versionName }: DeploymentLogProps) {
  return (
    <section class="control-panel deployment-log" aria-labelledby="audit-title">
      <h2 id="audit-title">Deployment audit log</h2>
      {events && events.length === 0 && <p class="muted">No deployment yet.</p>}
      {events && events.length > 0 && (
        <table class="data-table stack-table audit-table">
          <caption class="visually-hidden">Moves of the production pointer, newest first</caption>
          <TableHead columns={["When", "Action", "Versions", "By", "Reason"]} />
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event-id={e.id} data-action={e.action}>
                <th scope="row">
                  <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
                </th>
                <td data-label="Action">
                  <span class={`badge audit-${e.action}`}>{e.action === "rollback" ? "Rollback" : "Deploy"}</span>
                </td>
                <td data-label="Versions">
                  {e.from_version_id ? versionName(e.from_version_id) : "none"}
                  <span aria-hidden="true"> → </span>
                  <span class="visually-hidden"> to </span>
                  {versionName(e.to_version_id)}
                </td>
                <td data-label="By">{e.actor}</td>
                <td data-label="Reason" class="reason-cell">
                  {e.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
