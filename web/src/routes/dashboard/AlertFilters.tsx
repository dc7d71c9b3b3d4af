/**
 * Filters of the alert list: severity, status and page size, as selects whose changes go to the
 * URL (AlertsPage reads its state from there), and a reset.
 */
import { ALERT_SEVERITIES, ALERT_STATUSES, DEFAULT_PAGE_SIZE, PAGE_SIZES, type AlertsQuery } from "./alertsApi";
import { label } from "./format";

/** Props of {@link AlertFilters}. */
export interface AlertFiltersProps {
  q: AlertsQuery;
  /** Applies a change (the page goes back to 1). */
  onChange: (next: Partial<AlertsQuery>) => void;
}

function Select(props: { id: string; label: string; value: string; options: { value: string; text: string }[]; onSelect: (value: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onSelect(e.currentTarget.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The filter bar. */
export function AlertFilters({ q, onChange }: AlertFiltersProps) {
  const sizes: number[] = PAGE_SIZES.includes(q.limit as (typeof PAGE_SIZES)[number]) ? [...PAGE_SIZES] : [...PAGE_SIZES, q.limit].sort((a, b) => a - b);
  return (
    <form class="alert-filters" role="search" aria-label="Alerts" onSubmit={(e) => e.preventDefault()}>
      <Select
        id="alert-severity"
        label="Severity"
        value={q.severity}
        options={[{ value: "", text: "All severities" }, ...ALERT_SEVERITIES.map((s) => ({ value: s, text: label(s) }))]}
        onSelect={(v) => onChange({ severity: v as AlertsQuery["severity"] })}
      />
      <Select
        id="alert-status"
        label="Status"
        value={q.status}
        options={[{ value: "", text: "All statuses" }, ...ALERT_STATUSES.map((s) => ({ value: s, text: label(s) }))]}
        onSelect={(v) => onChange({ status: v as AlertsQuery["status"] })}
      />
      <Select
        id="alert-limit"
        label="Per page"
        value={String(q.limit)}
        options={sizes.map((n) => ({ value: String(n), text: String(n) }))}
        onSelect={(v) => onChange({ limit: Number(v) })}
      />
      <div class="field actions">
        <button type="button" class="ghost" disabled={!q.severity && !q.status && q.limit === DEFAULT_PAGE_SIZE} onClick={() => onChange({ severity: "", status: "", limit: DEFAULT_PAGE_SIZE })}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
