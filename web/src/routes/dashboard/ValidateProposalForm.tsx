/**
 * "Validate a proposal": a pending proposal chosen in a select; POST /control/validate-proposal
 * starts the dry run (baseline and candidate runs on the same questions), followed here
 * (RunProgress) with a link to the proposal, which shows the deltas once both runs are done.
 */
import { useState } from "preact/hooks";
import { formatDateTime } from "./format";
import { ControlForm } from "./ControlForm";
import { ItemSelect } from "./ItemSelect";
import { proposalActions, proposalHref, readValidation, typeLabel, type Proposal } from "./proposalsApi";
import { RunProgress } from "./RunProgress";
import { shortId } from "./valueFormat";

/** Props of {@link ValidateProposalForm}. */
export interface ValidateProposalFormProps {
  /** Pending proposals; undefined while loading. */
  pending: Proposal[] | undefined;
  onStarted: () => void;
}

/** "Restore retrieval defaults · 7 Dec 2026, 19:00 · 1a2b3c4d", marked when a validation already runs. */
function proposalOption(p: Proposal): string {
  const running = readValidation(p.validation)?.status === "running";
  return `${typeLabel(p.type)} · ${formatDateTime(p.created_at)} · ${shortId(p.id)}${running ? " (validating)" : ""}`;
}

/** The form and the validation it started. */
export function ValidateProposalForm({ pending, onStarted }: ValidateProposalFormProps) {
  const [chosenId, setChosenId] = useState("");
  const [started, setStarted] = useState<Proposal | null>(null);
  const chosen = pending?.find((p) => p.id === chosenId) ?? pending?.[0];
  const validation = started ? readValidation(started.validation) : null;

  return (
    <ControlForm
      id="validate"
      title="Validate a proposal"
      description="A dry run: the proposal's questions are asked with its base version and with its candidate version. Production does not change."
      submitLabel="Start validation"
      busyLabel="Starting…"
      errorPrefix="Could not start the validation:"
      canSubmit={Boolean(chosen)}
      onSubmit={async () => {
        if (!chosen) return;
        setStarted(await proposalActions.validate(chosen.id));
        onStarted();
      }}
      outcome={
        started && (
          <div class="started-validation">
            <p>
              Validating <a href={proposalHref(started.id)}>{typeLabel(started.type)}</a>
              {validation?.status === "running" && ` on ${validation.cases} cases`}. The proposal shows the deltas when both runs are done.
            </p>
            {validation?.status === "running" && (
              <div class="run-pair">
                <RunProgress key={validation.baselineRunId} runId={validation.baselineRunId} label="Baseline run" />
                <RunProgress key={validation.candidateRunId} runId={validation.candidateRunId} label="Candidate run" onFinished={() => onStarted()} />
              </div>
            )}
          </div>
        )
      }
    >
      <ItemSelect id="validate-proposal" label="Pending proposal" items={pending} value={chosen?.id ?? ""} emptyText="No pending proposal" optionText={proposalOption} onChange={setChosenId} />
    </ControlForm>
  );
}
