/**
 * The document list as a table (caption, column headers, the title as each row's header), which
 * turns into one card per document on narrow screens (knowledge.css). Each title links to the
 * document's page; each row has a delete button when the caller may delete (`onDelete`).
 */
import { formatBytes } from "./uploads";
import { formatDate, type DocumentSummary } from "./documentsApi";
import { TableHead } from "../../components/TableHead";

/** Props of DocumentTable. */
export interface DocumentTableProps {
  documents: DocumentSummary[];
  /** Caption (what is listed), read before the table. */
  caption: string;
  /** Asks to delete a document (the page confirms first); without it, no delete buttons (a viewer). */
  onDelete?: (doc: DocumentSummary) => void;
}

/** The table of one page of documents. */
export function DocumentTable({ documents, caption, onDelete }: DocumentTableProps) {
  return (
    <div class="doc-table-wrap">
      <table class="doc-table">
        <caption class="visually-hidden">{caption}</caption>
        <TableHead columns={["Title", "Source", "Domain", "Tags", { label: "Chunks", num: true }, { label: "Size", num: true }, "Updated", onDelete && { label: "Actions", hidden: true }]} />
        <tbody>
          {documents.map((d) => (
            <tr key={d.id} data-document-id={d.id}>
              <th scope="row" class="title-cell">
                <a href={`/knowledge/${encodeURIComponent(d.id)}`}>{d.title || d.source}</a>
              </th>
              <td data-label="Source" class="source-cell">
                <code>{d.source}</code>
              </td>
              <td data-label="Domain">{d.domain ?? <span class="muted">—</span>}</td>
              <td data-label="Tags">
                {d.tags.length ? (
                  <ul class="tags">
                    {d.tags.map((t) => (
                      <li key={t}>{t}</li>
                    ))}
                  </ul>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td data-label="Chunks" class="num">
                {d.chunk_count}
              </td>
              <td data-label="Size" class="num">
                {formatBytes(d.size_bytes)}
              </td>
              <td data-label="Updated">
                <time dateTime={d.updated_at}>{formatDate(d.updated_at)}</time>
              </td>
              {onDelete && (
                <td class="actions-cell">
                  <button type="button" class="ghost small" onClick={() => onDelete(d)} aria-label={`Delete ${d.title || d.source}`}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
