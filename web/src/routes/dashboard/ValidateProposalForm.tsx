/**
 * "Validate a proposal": a pending proposal chosen in a select; POST /control/validate-proposal
 * starts the dry run (baseline and candidate runs on the same questions), followed here
 * (RunProgress) with a link to the proposal, which shows the deltas once both runs are done.
 */
import { useState } from "preact/hooks";
import { formatDateTime } from "./format";
import { errorText } from "./LoadState";
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Proposal | null>(null);
  const chosen = pending?.find((p) => p.id === chosenId) ?? pending?.[0];
  const validation = started ? readValidation(started.validation) : null;

  return (
    <section class="control-panel" aria-labelledby="validate-title">
      <h2 id="validate-title">Validate a proposal</h2>
      <p class="muted">A dry run: the proposal's questions are asked with its base version and with its candidate version. Production does not change.</p>
      <form
        class="control-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!chosen) return;
          setBusy(true);
          setError(null);
          try {
            setStarted(await proposalActions.validate(chosen.id));
            onStarted();
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field grow">
          <label for="validate-proposal">Pending proposal</label>
          <select id="validate-proposal" value={chosen?.id ?? ""} disabled={!pending?.length} onChange={(e) => setChosenId(e.currentTarget.value)}>
            {!pending?.length && <option value="">{pending ? "No pending proposal" : "Loading…"}</option>}
            {pending?.map((p) => (
              <option key={p.id} value={p.id}>
                {proposalOption(p)}
              </option>
            ))}
          </select>
        </div>
        <div class="field submit">
          <button type="submit" disabled={busy || !chosen} aria-busy={busy ? "true" : undefined}>
            {busy ? "Starting…" : "Start validation"}
          </button>
        </div>
      </form>
      {error && (
        <p class="alert" role="alert">
          Could not start the validation: {error}
        </p>
      )}
      {started && (
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
      )}
    </section>
  );
}
