/** A proposal's status as a text badge ("Pending", "Rolled back"): the word always carries the meaning, colour only adds to it. */
import { STATUS_LABELS, type ProposalStatus } from "./proposalsApi";
import "./proposals.css";

/** The badge. */
export function ProposalStatusBadge({ status }: { status: ProposalStatus }) {
  return (
    <span class={`badge proposal-status ps-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
