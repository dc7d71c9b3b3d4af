/**
 * The changes of a proposal as a table: one row per config key, its value in the base version
 * and the proposed one ("from → to").
 */
import type { Proposal } from "./proposalsApi";
import { formatTunable } from "./valueFormat";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link ConfigDiff}. */
export interface ConfigDiffProps {
  changes: Proposal["changes"];
  /** Visible caption, e.g. "Config changes". */
  caption: string;
}

/** The key / from / to table. */
export function ConfigDiff({ changes, caption }: ConfigDiffProps) {
  const rows = Object.entries(changes).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return <p class="muted">This proposal changes no key.</p>;
  return (
    <table class="data-table stack-table config-diff">
      <caption>{caption}</caption>
      <TableHead columns={["Key", "From", "To"]} />
      <tbody>
        {rows.map(([key, c]) => (
          <tr key={key} data-key={key}>
            <th scope="row">
              <code>{key}</code>
            </th>
            <td class="diff-from" data-label="From">
              <code>{formatTunable(c.from)}</code>
            </td>
            <td class="diff-to" data-label="To">
              <span aria-hidden="true" class="diff-arrow">
                →{" "}
              </span>
              <code>{formatTunable(c.to)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
