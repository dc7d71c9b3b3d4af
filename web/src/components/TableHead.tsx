/**
 * The header row of the client's data tables: one `<th scope="col">` per column, in order. A
 * column is its label, or an object for a numeric column (right-aligned, class "num") or a column
 * whose label only screen readers read (e.g. "Actions" over a column of buttons). `false`, `null`
 * and `undefined` columns are left out, so a column can be conditional.
 */
import type { ComponentChildren } from "preact";

/** One column header: its label, or the label with how it is shown. */
export type Column = ComponentChildren | { label: ComponentChildren; num?: boolean; hidden?: boolean };

/** Props of {@link TableHead}. */
export interface TableHeadProps {
  /** The columns in order; false, null and undefined are skipped. */
  columns: (Column | false | null | undefined)[];
}

function isSpec(c: Column): c is { label: ComponentChildren; num?: boolean; hidden?: boolean } {
  return typeof c === "object" && c !== null && !Array.isArray(c) && "label" in c;
}

/** The table's `<thead>`. */
export function TableHead({ columns }: TableHeadProps) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => {
          if (c === false || c === null || c === undefined) return null;
          if (!isSpec(c)) return <th key={i} scope="col">{c}</th>;
          return (
            <th key={i} scope="col" class={c.num ? "num" : undefined}>
              {c.hidden ? <span class="visually-hidden">{c.label}</span> : c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
