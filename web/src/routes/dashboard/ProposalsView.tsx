/**
 * `/dashboard/proposals`: the proposals of the quality loop, newest first, filtered by status and
 * type, one page at a time; the filters and the page live in the URL query string. With a
 * `:proposal_id` the route shows that proposal (ProposalDetail). Auto-refreshed every 30 s.
 */
import { useLocation, useRoute } from "preact-iso";
import { DashboardShell } from "./DashboardShell";
import { ListPager, pageCount } from "./ListPager";
import { LoadState } from "./LoadState";
import { ProposalDetail } from "./ProposalDetail";
import { ProposalFilters } from "./ProposalFilters";
import { fetchProposalList, proposalQueryFrom, proposalsHref, PROPOSALS_PAGE_SIZE, STATUS_LABELS, typeLabel, type ProposalListQuery } from "./proposalsApi";
import { ProposalTable } from "./ProposalTable";
import { useAdminData } from "./useAdminData";
import "./proposals.css";

/** The page component (default export for the lazy route). */
export default function ProposalsView() {
  const { params } = useRoute();
  const id = params.proposal_id;
  return id ? <ProposalDetail id={id} /> : <ProposalList />;
}

function ProposalList() {
  const { query, route } = useLocation();
  const state = proposalQueryFrom(query);
  const key = proposalsHref(state);
  const { data, error, loading, updatedAt, refresh } = useAdminData(() => fetchProposalList(state), [key]);
  const change = (next: Partial<ProposalListQuery>) => route(proposalsHref({ ...state, ...next }));
  const page = data?.page;
  const filtered = Boolean(state.status || state.type);
  const description = [state.status && `status ${STATUS_LABELS[state.status]}`, state.type && `type ${typeLabel(state.type)}`].filter(Boolean).join(" and ");

  return (
    <DashboardShell title="Proposals" updatedAt={updatedAt} loading={loading} onRefresh={() => void refresh()}>
      <p class="muted proposals-intro">
        Changes of config tunables proposed from firing alerts and evaluation runs. Open one to see its changes and validation, and to decide on it. New
        proposals and validations start from <a href="/dashboard/controls">Controls</a>.
      </p>
      <ProposalFilters state={state} stats={data?.stats} onChange={change} />
      <section class="proposal-list" aria-labelledby="proposal-list-title" aria-busy={loading ? "true" : "false"}>
        <h2 id="proposal-list-title" class="visually-hidden">
          Proposal list
        </h2>
        <p class="list-summary" aria-live="polite">
          {page ? `${page.total} ${page.total === 1 ? "proposal" : "proposals"}${filtered ? ` with ${description}` : ""}` : ""}
        </p>
        <LoadState hasData={Boolean(page)} loading={loading} error={error} what="the proposals" />
        {page && page.proposals.length > 0 && <ProposalTable proposals={page.proposals} />}
        {page && page.proposals.length === 0 && (
          <div class="empty-list">
            <p>{filtered ? "No proposal matches these filters." : page.total > 0 ? "No proposal on this page." : "No proposal yet."}</p>
            {(filtered || page.total > 0) && <a href="/dashboard/proposals">Show all proposals</a>}
          </div>
        )}
        {page && page.total > PROPOSALS_PAGE_SIZE && state.page <= pageCount(page.total, PROPOSALS_PAGE_SIZE) && (
          <ListPager
            page={state.page}
            total={page.total}
            pageSize={PROPOSALS_PAGE_SIZE}
            noun="proposals"
            label="Proposal pages"
            hrefFor={(p) => proposalsHref({ ...state, page: p })}
          />
        )}
      </section>
    </DashboardShell>
  );
}
