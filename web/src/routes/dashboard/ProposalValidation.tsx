/**
 * The validation section of a proposal: not validated yet (with "Start validation" for a pending
 * proposal), in progress (both dry-run evaluation runs followed, and the proposal read again until
 * its validation is stored), failed (the error; a pending proposal can be validated again), or
 * completed (ValidationDeltas).
 */
import { useState } from "preact/hooks";
import { describeError } from "../../api/client";
import { fetchProposal, proposalActions, readValidation, type Proposal } from "./proposalsApi";
import { RunProgress } from "./RunProgress";
import { usePolling } from "./usePolling";
import { ValidationDeltas } from "./ValidationDeltas";
import { formatDateTime } from "./format";

/** Props of {@link ProposalValidation}. */
export interface ProposalValidationProps {
  proposal: Proposal;
  /** Reloads the proposal (after a validation starts or finishes). */
  onChanged: () => Promise<void> | void;
}

/** The section. */
export function ProposalValidation({ proposal, onChanged }: ProposalValidationProps) {
  const validation = readValidation(proposal.validation);
  const running = validation?.status === "running";

  // While it runs, read the proposal again (reading it stores a validation whose runs are done).
  usePolling(async () => {
    const next = await fetchProposal(proposal.id);
    if (readValidation(next.validation)?.status !== "running" || next.status !== proposal.status) await onChanged();
  }, running);

  return (
    <section class="proposal-validation" aria-labelledby="validation-title" aria-busy={running ? "true" : "false"} data-validation={validation?.status ?? "none"}>
      <h2 id="validation-title">Validation</h2>
      {!validation && (
        <>
          <p class="muted">
            {proposal.status === "pending"
              ? "Not validated yet. A validation is a dry run: the same questions are asked with the base version and with the candidate version, and production does not change."
              : "This proposal has no validation."}
          </p>
          {proposal.status === "pending" && <StartValidation proposalId={proposal.id} onStarted={onChanged} />}
        </>
      )}
      {validation?.status === "running" && (
        <>
          <p role="status">
            <span class="spinner" aria-hidden="true" /> Validating on {validation.cases} cases since {formatDateTime(validation.startedAt)}…
          </p>
          <div class="run-pair">
            <RunProgress runId={validation.baselineRunId} label="Baseline run" />
            <RunProgress runId={validation.candidateRunId} label="Candidate run" />
          </div>
        </>
      )}
      {validation?.status === "failed" && (
        <>
          <p class="alert" role="alert">
            The validation failed: {validation.error}
          </p>
          {proposal.status === "pending" && <StartValidation proposalId={proposal.id} onStarted={onChanged} again />}
        </>
      )}
      {validation?.status === "completed" && <ValidationDeltas validation={validation} />}
    </section>
  );
}

/** "Start validation": POST /control/validate-proposal, busy state and the API's error. */
function StartValidation({ proposalId, onStarted, again = false }: { proposalId: string; onStarted: () => Promise<void> | void; again?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="start-validation">
      <button
        type="button"
        disabled={busy}
        aria-busy={busy ? "true" : undefined}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await proposalActions.validate(proposalId);
            await onStarted();
          } catch (e) {
            setError(describeError(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Starting…" : again ? "Validate again" : "Start validation"}
      </button>
      {error && (
        <p class="alert" role="alert">
          Could not start the validation: {error}
        </p>
      )}
    </div>
  );
}
