/**
 * `/dashboard/controls`: the admin's levers of the quality loop: run an evaluation and follow it,
 * generate a proposal from a firing alert or a run, start the validation of a pending proposal,
 * and the config versions (production pointer, versions with their values, deploy, roll back,
 * the audit log of deployments). Auto-refreshed every 30 s and after every action.
 */
import { useRef, useState } from "preact/hooks";
import { ConfigVersions } from "./ConfigVersions";
import { fetchFiringAlerts, fetchPendingProposals, fetchProduction, fetchRuns, fetchVersions } from "./controlsApi";
import { DashboardShell } from "./DashboardShell";
import { DeploymentLog } from "./DeploymentLog";
import { EvaluateForm } from "./EvaluateForm";
import { GenerateProposalForm } from "./GenerateProposalForm";
import { LoadState } from "./LoadState";
import { useAdminData } from "./useAdminData";
import { ValidateProposalForm } from "./ValidateProposalForm";
import { shortId } from "./valueFormat";
import "./controls.css";

/** Versions named in the page (parents, audit events) beyond the shown page. */
const NAMED_VERSIONS = 100;

async function loadControls(versionsPage: number) {
  const [alerts, runs, pending, production, versions, named] = await Promise.all([
    fetchFiringAlerts(),
    fetchRuns(50, "completed"),
    fetchPendingProposals(),
    fetchProduction(),
    fetchVersions(versionsPage),
    fetchVersions(1, NAMED_VERSIONS),
  ]);
  const numbers = new Map<string, number>();
  for (const v of [...named.versions, ...versions.versions, production.version]) numbers.set(v.id, v.version);
  // Proposals come from the runs that measured a configuration, not from the dry runs of validations.
  const measured = runs.runs.filter((r) => r.trigger !== "validation");
  return { alerts: alerts.alerts, runs: measured, pending: pending.proposals, production, versions, numbers };
}

/** The page component (default export for the lazy route). */
export default function ControlsView() {
  const [versionsPage, setVersionsPage] = useState(1);
  const { data, error, loading, updatedAt, refresh } = useAdminData(() => loadControls(versionsPage), [versionsPage]);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const versionName = (id: string | null) => {
    if (!id) return "none";
    const n = data?.numbers.get(id);
    return n === undefined ? `version ${shortId(id)}` : `version ${n}`;
  };
  const reload = () => void refresh();

  return (
    <DashboardShell title="Controls" updatedAt={updatedAt} loading={loading} onRefresh={reload}>
      <div class="controls" aria-busy={loading ? "true" : "false"}>
        <LoadState hasData={Boolean(data)} loading={loading} error={error} what="the controls' data" />
        <div class="control-grid">
          <EvaluateForm onChanged={reload} />
          <GenerateProposalForm alerts={data?.alerts} runs={data?.runs} onGenerated={reload} />
          <ValidateProposalForm pending={data?.pending} onStarted={reload} />
        </div>
        <p ref={noticeRef} class={notice ? "success" : "visually-hidden"} role="status" tabIndex={-1}>
          {notice ?? ""}
        </p>
        <ConfigVersions
          production={data?.production}
          versions={data?.versions}
          page={versionsPage}
          onPage={setVersionsPage}
          versionName={versionName}
          onChanged={async (message) => {
            setNotice(message);
            await refresh();
          }}
        />
        <DeploymentLog events={data?.production.events} versionName={versionName} />
      </div>
    </DashboardShell>
  );
}
