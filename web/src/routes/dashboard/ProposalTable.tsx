/**
 * One page of proposals as a table (one card per proposal below 720 px): type (linking to the
 * detail), status, an excerpt of the reason, when it was created and decided.
 */
import { formatDateTime } from "./format";
import { ProposalStatusBadge } from "./ProposalStatusBadge";
import { proposalHref, typeLabel, type Proposal } from "./proposalsApi";
import { excerpt } from "./valueFormat";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** The table of one page. */
export function ProposalTable({ proposals }: { proposals: Proposal[] }) {
  return (
    <table class="data-table stack-table proposal-table">
      <caption class="visually-hidden">Proposals, newest first</caption>
      <TableHead columns={["Type", "Status", "Reason", "Created", "Decided"]} />
      <tbody>
        {proposals.map((p) => (
          <tr key={p.id} data-proposal-id={p.id} data-status={p.status} data-type={p.type}>
            <th scope="row" class="proposal-type-cell">
              <a href={proposalHref(p.id)}>
                {typeLabel(p.type)}
                <span class="visually-hidden">, created {formatDateTime(p.created_at)}</span>
              </a>
            </th>
            <td data-label="Status">
              <ProposalStatusBadge status={p.status} />
            </td>
            <td data-label="Reason" class="reason-cell">
              <span title={p.reason}>{excerpt(p.reason)}</span>
            </td>
            <td data-label="Created">
              <time dateTime={p.created_at ?? undefined}>{formatDateTime(p.created_at)}</time>
            </td>
            <td data-label="Decided">
              {p.decided_at ? (
                <>
                  <time dateTime={p.decided_at}>{formatDateTime(p.decided_at)}</time>
                  {p.decided_by && <span class="muted"> by {p.decided_by}</span>}
                </>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
