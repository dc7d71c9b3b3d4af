/**
 * "Generate a proposal": from a firing alert (its rule's metric, its latest run) or from a
 * completed run (any metric), chosen in a select; POST /control/generate-proposal, then a link to
 * the new proposal, or the API's reason when no rule applies (409).
 */
import { useState } from "preact/hooks";
import { generateProposal, type AlertSummary, type RunSummary } from "./controlsApi";
import { formatDateTime, formatMetricValue } from "./format";
import { ControlForm } from "./ControlForm";
import { ItemSelect } from "./ItemSelect";
import { proposalHref, typeLabel } from "./proposalsApi";
import { shortId } from "./valueFormat";

/** Props of {@link GenerateProposalForm}. */
export interface GenerateProposalFormProps {
  /** Firing alerts; undefined while loading. */
  alerts: AlertSummary[] | undefined;
  /** Completed runs, newest first; undefined while loading. */
  runs: RunSummary[] | undefined;
  onGenerated: () => void;
}

/** "gold_at_5 = 0.4 (critical), since 7 Dec, 19:00". */
function alertOption(a: AlertSummary): string {
  return `${a.metric} = ${formatMetricValue(a.metric, a.value)} (${a.severity}), firing since ${formatDateTime(a.fired_at ?? a.started_at)}`;
}

/** "run 1a2b3c4d · test, otel · 10 cases · 7 Dec 2026, 19:00". */
export function runOption(r: RunSummary): string {
  const scope = [r.dataset, r.corpus].filter(Boolean).join(", ");
  return `run ${shortId(r.id)} · ${scope} · ${r.total} cases · ${formatDateTime(r.completed_at ?? r.created_at)}`;
}

/** The form and its outcome. */
export function GenerateProposalForm({ alerts, runs, onGenerated }: GenerateProposalFormProps) {
  const [source, setSource] = useState<"alert" | "run">("alert");
  const [alertId, setAlertId] = useState("");
  const [runId, setRunId] = useState("");
  const [created, setCreated] = useState<{ id: string; type: string } | null>(null);
  // The chosen item, or the first one offered (a reload may have removed the chosen one).
  const alert = alerts?.find((a) => a.id === alertId) ?? alerts?.[0];
  const run = runs?.find((r) => r.id === runId) ?? runs?.[0];
  const chosen = source === "alert" ? alert : run;

  return (
    <ControlForm
      id="generate"
      title="Generate a proposal"
      description="The rules read the metrics and failures of a run and propose a change of config tunables as a new candidate version (not deployed)."
      submitLabel="Generate proposal"
      busyLabel="Generating…"
      errorPrefix="No proposal:"
      canSubmit={Boolean(chosen)}
      onSubmit={async () => {
        if (!chosen) return;
        setCreated(null);
        const p = await generateProposal(source === "alert" ? { alert_id: chosen.id } : { run_id: chosen.id });
        setCreated({ id: p.id, type: p.type });
        onGenerated();
      }}
      outcome={
        <p role="status" class={created ? "success" : "visually-hidden"}>
          {created && (
            <>
              Proposal created: <a href={proposalHref(created.id)}>{typeLabel(created.type)}</a> (pending; validate it next).
            </>
          )}
        </p>
      }
    >
      <fieldset class="field source-choice">
        <legend>Generate from</legend>
        <label>
          <input type="radio" name="proposal-source" value="alert" checked={source === "alert"} onChange={() => setSource("alert")} /> A firing alert
        </label>
        <label>
          <input type="radio" name="proposal-source" value="run" checked={source === "run"} onChange={() => setSource("run")} /> A completed run
        </label>
      </fieldset>
      {source === "alert" ? (
        <ItemSelect id="generate-alert" label="Firing alert" items={alerts} value={alert?.id ?? ""} emptyText="No alert is firing" optionText={alertOption} onChange={setAlertId} />
      ) : (
        <ItemSelect id="generate-run" label="Completed run" items={runs} value={run?.id ?? ""} emptyText="No completed run" optionText={runOption} onChange={setRunId} />
      )}
    </ControlForm>
  );
}
