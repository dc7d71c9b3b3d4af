/**
 * `/dashboard/proposals/:proposal_id`: one proposal: its status and provenance, the reason, the
 * config changes (ConfigDiff), the validation (ProposalValidation: progress while it runs, the
 * deltas with intervals and the flips once done) and the decisions its status allows
 * (ProposalActions). Refreshed every 30 s, after each action, and while a validation runs.
 */
import { Fragment } from "preact";
import { useRef, useState } from "preact/hooks";
import { ApiRequestError } from "../../api/client";
import { ConfigDiff } from "./ConfigDiff";
import { fetchProduction, fetchVersion, type ConfigVersion, type Production } from "./controlsApi";
import { DashboardShell } from "./DashboardShell";
import { formatDateTime } from "./format";
import { LoadState } from "./LoadState";
import { ProposalActions } from "./ProposalActions";
import { ProposalStatusBadge } from "./ProposalStatusBadge";
import { ProposalValidation } from "./ProposalValidation";
import { fetchProposal, typeLabel, type Proposal } from "./proposalsApi";
import { useAdminData } from "./useAdminData";
import { shortId } from "./valueFormat";
import "./proposals.css";

interface DetailData {
  proposal: Proposal;
  production: Production | null;
  versions: Record<string, ConfigVersion>;
}

async function loadDetail(id: string): Promise<DetailData> {
  const [proposal, production] = await Promise.all([fetchProposal(id), fetchProduction().catch(() => null)]);
  const ids = [proposal.base_version_id, proposal.candidate_version_id];
  const found = await Promise.all(ids.map((v) => fetchVersion(v).catch(() => null)));
  const versions: Record<string, ConfigVersion> = {};
  for (const v of found) if (v) versions[v.id] = v;
  if (production) versions[production.version.id] = production.version;
  return { proposal, production, versions };
}

/** An identifier that may wrap after its underscores ("raise_<wbr>retrieval_<wbr>recall"), not inside a word. */
function breakable(id: string) {
  return id.split("_").map((part, i) => (
    <Fragment key={i}>
      {i > 0 && (
        <>
          _<wbr />
        </>
      )}
      {part}
    </Fragment>
  ));
}

/** The detail page of one proposal. */
export function ProposalDetail({ id }: { id: string }) {
  const { data, error, loading, updatedAt, refresh } = useAdminData(() => loadDetail(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const current = data?.proposal.id === id ? data : undefined;
  const notFound = error instanceof ApiRequestError && error.status === 404;
  const versionName = (v: string) => {
    const known = current?.versions[v];
    return known ? `version ${known.version}` : `version ${shortId(v)}`;
  };

  if (notFound)
    return (
      <DashboardShell title="Proposal not found">
        <p class="back-to-list">
          <a href="/dashboard/proposals">← All proposals</a>
        </p>
        <p class="alert" role="alert">
          There is no proposal {id}.
        </p>
      </DashboardShell>
    );

  const p = current?.proposal;
  return (
    <DashboardShell title={p ? `Proposal: ${typeLabel(p.type)}` : "Proposal"} updatedAt={updatedAt} loading={loading} onRefresh={() => void refresh()}>
      <div class="proposal-detail" aria-busy={loading ? "true" : "false"} data-proposal-id={id} data-status={p?.status}>
        <p class="back-to-list">
          <a href="/dashboard/proposals">← All proposals</a>
        </p>
        <p ref={noticeRef} class={notice ? "success" : "visually-hidden"} role="status" tabIndex={-1}>
          {notice ?? ""}
        </p>
        <LoadState hasData={Boolean(p)} loading={loading} error={error} what="the proposal" />
        {p && current && (
          <>
            <dl class="proposal-facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <ProposalStatusBadge status={p.status} />
                </dd>
              </div>
              <div>
                <dt>Type</dt>
                <dd>
                  <code>{breakable(p.type)}</code>
                </dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{formatDateTime(p.created_at)}</dd>
              </div>
              <div>
                <dt>From</dt>
                <dd>
                  {p.alert_id ? (
                    <>
                      alert <a href={`/dashboard/alerts/${encodeURIComponent(p.alert_id)}`}>{shortId(p.alert_id)}</a>, run <code>{shortId(p.run_id)}</code>
                    </>
                  ) : (
                    <>
                      run <code>{shortId(p.run_id)}</code>
                    </>
                  )}
                </dd>
              </div>
              <div>
                <dt>Base version</dt>
                <dd>{versionName(p.base_version_id)}</dd>
              </div>
              <div>
                <dt>Candidate version</dt>
                <dd>{versionName(p.candidate_version_id)}</dd>
              </div>
              <div>
                <dt>Production now</dt>
                <dd data-production-version={current.production?.version.id}>
                  {current.production ? (
                    <>
                      version {current.production.version.version}
                      {current.production.version.id === p.candidate_version_id && " (the candidate)"}
                      {current.production.version.id === p.base_version_id && " (the base)"}
                    </>
                  ) : (
                    "unknown"
                  )}
                </dd>
              </div>
              {p.decided_at && (
                <div>
                  <dt>Decided</dt>
                  <dd>
                    {formatDateTime(p.decided_at)} by {p.decided_by ?? "unknown"}
                    {p.decision_reason ? `: ${p.decision_reason}` : ""}
                  </dd>
                </div>
              )}
              {p.applied_at && (
                <div>
                  <dt>Applied</dt>
                  <dd>{formatDateTime(p.applied_at)}</dd>
                </div>
              )}
              {p.rolled_back_at && (
                <div>
                  <dt>Rolled back</dt>
                  <dd>{formatDateTime(p.rolled_back_at)}</dd>
                </div>
              )}
            </dl>
            <section aria-labelledby="reason-title">
              <h2 id="reason-title">Reason</h2>
              <p class="proposal-reason">{p.reason}</p>
            </section>
            <section aria-labelledby="changes-title">
              <h2 id="changes-title">Changes</h2>
              <ConfigDiff changes={p.changes} caption={`Config keys changed from ${versionName(p.base_version_id)} to the candidate ${versionName(p.candidate_version_id)}`} />
            </section>
            <ProposalValidation proposal={p} onChanged={refresh} />
            <ProposalActions
              proposal={p}
              versionName={versionName}
              focusAfter={() => noticeRef.current}
              onDone={async (message) => {
                setNotice(message);
                await refresh();
              }}
            />
          </>
        )}
      </div>
    </DashboardShell>
  );
}
