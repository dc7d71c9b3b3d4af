/**
 * The decisions a proposal's status allows, each behind a confirmation (ConfirmDialog) with a busy
 * state and the API's error: Approve (validated; optional reason), Reject (pending or validated;
 * reason required), Apply (approved: production moves to the candidate version), Roll back
 * (applied: production moves back to the base version; optional reason).
 */
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { proposalActions, type Proposal, type ProposalStatus } from "./proposalsApi";

type Action = "approve" | "reject" | "apply" | "rollback";

/** The actions of each status, in the order shown. */
export const ACTIONS_BY_STATUS: Record<ProposalStatus, Action[]> = {
  pending: ["reject"],
  validated: ["approve", "reject"],
  approved: ["apply"],
  applied: ["rollback"],
  rejected: [],
  rolled_back: [],
};

const BUTTON_LABEL: Record<Action, string> = { approve: "Approve", reject: "Reject", apply: "Apply", rollback: "Roll back" };
const DONE_TEXT: Record<Action, string> = {
  approve: "Proposal approved.",
  reject: "Proposal rejected.",
  apply: "Proposal applied: production runs the candidate version.",
  rollback: "Proposal rolled back: production runs the base version again.",
};

/** Props of {@link ProposalActions}. */
export interface ProposalActionsProps {
  proposal: Proposal;
  /** "version 3" for a version id, when known. */
  versionName: (id: string) => string;
  /** After a successful action: its message; the caller reloads and moves focus. */
  onDone: (message: string) => Promise<void> | void;
  /** Where focus goes after an action (the buttons change with the status). */
  focusAfter: () => HTMLElement | null | undefined;
}

/** The buttons and the open dialog. */
export function ProposalActions({ proposal, versionName, onDone, focusAfter }: ProposalActionsProps) {
  const [open, setOpen] = useState<Action | null>(null);
  const actions = ACTIONS_BY_STATUS[proposal.status];
  const base = versionName(proposal.base_version_id);
  const candidate = versionName(proposal.candidate_version_id);

  const run = async (action: Action, reason: string) => {
    const id = proposal.id;
    if (action === "approve") await proposalActions.approve(id, reason || undefined);
    else if (action === "reject") await proposalActions.reject(id, reason);
    else if (action === "apply") await proposalActions.apply(id);
    else await proposalActions.rollback(id, reason || undefined);
    setOpen(null);
    await onDone(DONE_TEXT[action]);
  };

  return (
    <section class="proposal-actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Decision</h2>
      {actions.length === 0 ? (
        <p class="muted">No action: a {proposal.status === "rejected" ? "rejected" : "rolled back"} proposal is final.</p>
      ) : (
        <>
          <p class="muted">
            {proposal.status === "pending" && "Validate the proposal before approving it; it can be rejected now."}
            {proposal.status === "validated" && "Approve the proposal to apply it next, or reject it."}
            {proposal.status === "approved" && `Applying deploys the candidate version (${candidate}) to production.`}
            {proposal.status === "applied" && `Rolling back deploys the base version (${base}) to production again.`}
          </p>
          <div class="action-buttons">
            {actions.map((a) => (
              <button key={a} type="button" class={a === "reject" || a === "rollback" ? "danger" : undefined} data-action={a} onClick={() => setOpen(a)}>
                {BUTTON_LABEL[a]}
              </button>
            ))}
          </div>
        </>
      )}
      {open === "approve" && (
        <ConfirmDialog
          title="Approve this proposal?"
          confirmLabel="Approve"
          reason={{ label: "Reason", required: false }}
          onConfirm={(reason) => run("approve", reason)}
          onCancel={() => setOpen(null)}
          focusAfterConfirm={focusAfter}
        >
          <p>The proposal becomes approved. Production does not change until it is applied.</p>
        </ConfirmDialog>
      )}
      {open === "reject" && (
        <ConfirmDialog
          title="Reject this proposal?"
          confirmLabel="Reject"
          danger
          reason={{ label: "Reason", required: true, hint: "Why the change should not be made." }}
          onConfirm={(reason) => run("reject", reason)}
          onCancel={() => setOpen(null)}
          focusAfterConfirm={focusAfter}
        >
          <p>A rejected proposal is final: it cannot be approved or applied later.</p>
        </ConfirmDialog>
      )}
      {open === "apply" && (
        <ConfirmDialog title="Apply this proposal?" confirmLabel="Apply to production" onConfirm={() => run("apply", "")} onCancel={() => setOpen(null)} focusAfterConfirm={focusAfter}>
          <p>
            Production moves from {base} to the candidate version {candidate}. Every chat turn and API request uses it within a minute. The move is recorded in the
            audit log.
          </p>
        </ConfirmDialog>
      )}
      {open === "rollback" && (
        <ConfirmDialog
          title="Roll this proposal back?"
          confirmLabel="Roll back"
          danger
          reason={{ label: "Reason", required: false }}
          onConfirm={(reason) => run("rollback", reason)}
          onCancel={() => setOpen(null)}
          focusAfterConfirm={focusAfter}
        >
          <p>Production moves back to the base version {base}. The move is recorded in the audit log.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
