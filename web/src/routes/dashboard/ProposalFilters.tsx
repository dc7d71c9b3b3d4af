/**
 * The status and type filters of the proposal list, each a labelled select with the counts of
 * GET /proposals/stats, and a reset. A change goes to the URL (one history entry per change).
 */
import { PROPOSAL_STATUSES, STATUS_LABELS, TYPE_LABELS, typeLabel, type ProposalListQuery, type ProposalStats } from "./proposalsApi";

/** Props of {@link ProposalFilters}. */
export interface ProposalFiltersProps {
  state: ProposalListQuery;
  /** Counts by status and type; undefined before they load. */
  stats: ProposalStats | undefined;
  onChange: (next: Partial<ProposalListQuery>) => void;
}

/** The two selects and "Clear filters". */
export function ProposalFilters({ state, stats, onChange }: ProposalFiltersProps) {
  const count = (n: number | undefined) => (stats ? ` (${n ?? 0})` : "");
  // Known types first, then any other type the stats name, then a type from the URL that none has.
  const types = [...Object.keys(TYPE_LABELS)];
  for (const t of Object.keys(stats?.by_type ?? {})) if (!types.includes(t)) types.push(t);
  if (state.type && !types.includes(state.type)) types.push(state.type);
  return (
    <form class="proposal-filters" role="search" aria-label="Proposals" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for="proposal-status">Status</label>
        <select id="proposal-status" value={state.status} onChange={(e) => onChange({ status: e.currentTarget.value as ProposalListQuery["status"], page: 1 })}>
          <option value="">All statuses{count(stats?.total)}</option>
          {PROPOSAL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
              {count(stats?.by_status[s])}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="proposal-type">Type</label>
        <select id="proposal-type" value={state.type} onChange={(e) => onChange({ type: e.currentTarget.value, page: 1 })}>
          <option value="">All types{count(stats?.total)}</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {typeLabel(t)}
              {count(stats?.by_type[t])}
            </option>
          ))}
        </select>
      </div>
      <div class="field actions">
        <button type="button" class="ghost" disabled={!state.status && !state.type} onClick={() => onChange({ status: "", type: "", page: 1 })}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
