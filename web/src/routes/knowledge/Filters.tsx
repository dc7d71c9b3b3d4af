/**
 * Search and filters of the document list: a title/source search box (debounced: the list follows
 * the typing after a pause, and Enter applies it at once), domain and tag selects filled from the
 * facets with their counts, and a reset.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Facets, ListQuery } from "./documentsApi";

/** Pause after the last keystroke before the search applies (ms). */
export const SEARCH_DEBOUNCE_MS = 300;

/** Props of Filters. */
export interface FiltersProps {
  state: ListQuery;
  /** Domains and tags with counts; null while loading or when they failed. */
  facets: Facets | null;
  /** Applies a change; `replace` when typing (no history entry per keystroke). */
  onChange: (next: Partial<ListQuery>, replace?: boolean) => void;
}

/** The search box and the selects. */
export function Filters({ state, facets, onChange }: FiltersProps) {
  const [text, setText] = useState(state.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const applied = useRef(state.q);

  // The URL changed from elsewhere (back, a link, reset): show its search.
  useEffect(() => {
    if (state.q !== applied.current) {
      applied.current = state.q;
      setText(state.q);
    }
  }, [state.q]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const apply = (value: string, replace: boolean) => {
    clearTimeout(timer.current);
    if (value.trim() === applied.current.trim()) return;
    applied.current = value;
    onChange({ q: value, page: 1 }, replace);
  };

  // A selected value missing from the facets (no document has it any more) is still offered, so the select shows it.
  const domains = withSelected(facets?.domains ?? [], state.domain);
  const tags = withSelected(facets?.tags ?? [], state.tag);
  const filtered = state.q || state.domain || state.tag;

  return (
    <form
      class="filters"
      role="search"
      aria-label="Documents"
      onSubmit={(e) => {
        e.preventDefault();
        apply(text, false);
      }}
    >
      <div class="field grow">
        <label for="doc-search">Search title or source</label>
        <input
          id="doc-search"
          type="search"
          value={text}
          maxLength={200}
          autoComplete="off"
          placeholder="e.g. collector"
          onInput={(e) => {
            const value = e.currentTarget.value;
            setText(value);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(value, true), SEARCH_DEBOUNCE_MS);
          }}
        />
      </div>
      <FacetSelect id="doc-domain" label="Domain" allLabel="All domains" options={domains} value={state.domain} onSelect={(domain) => onChange({ domain, page: 1 })} />
      <FacetSelect id="doc-tag" label="Tag" allLabel="All tags" options={tags} value={state.tag} onSelect={(tag) => onChange({ tag, page: 1 })} />
      <div class="field actions">
        <button
          type="button"
          class="ghost"
          disabled={!filtered}
          onClick={() => {
            clearTimeout(timer.current);
            applied.current = "";
            setText("");
            onChange({ q: "", domain: "", tag: "", page: 1 });
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

function withSelected(options: { value: string; count: number }[], selected: string): { value: string; count: number }[] {
  if (!selected || options.some((o) => o.value === selected)) return options;
  return [{ value: selected, count: 0 }, ...options];
}

/** A labelled select of one facet (domain or tag): "all" first, then each value with its document count. */
function FacetSelect(props: { id: string; label: string; allLabel: string; options: { value: string; count: number }[]; value: string; onSelect: (value: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onSelect(e.currentTarget.value)}>
        <option value="">{props.allLabel}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.value} ({o.count})
          </option>
        ))}
      </select>
    </div>
  );
}
