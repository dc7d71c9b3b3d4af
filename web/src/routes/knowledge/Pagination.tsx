/**
 * Previous / next links of the document list with "Page X of Y" and the total. Links (not buttons):
 * each page has its own URL, so back, reload and opening in a new tab work.
 */
import { listHref, PAGE_SIZE, type ListQuery } from "./documentsApi";

/** Number of pages for `total` documents (at least 1). */
export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Props of Pagination. */
export interface PaginationProps {
  state: ListQuery;
  total: number;
}

/** The pager under the list. */
export function Pagination({ state, total }: PaginationProps) {
  const pages = pageCount(total);
  const page = state.page;
  const prev = page > 1 ? listHref({ ...state, page: Math.min(page - 1, pages) }) : null;
  const next = page < pages ? listHref({ ...state, page: page + 1 }) : null;
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);
  return (
    <nav class="pagination" aria-label="Pages">
      {prev ? (
        <a class="button ghost" href={prev} rel="prev">
          <span aria-hidden="true">← </span>Previous<span class="visually-hidden"> page</span>
        </a>
      ) : (
        <span class="button ghost disabled" aria-disabled="true">
          <span aria-hidden="true">← </span>Previous<span class="visually-hidden"> page</span>
        </span>
      )}
      <p class="page-status">
        <span class="page-of">
          Page {page} of {pages}
        </span>
        <span class="muted">
          {" · "}
          {first > last ? `none of ${total}` : `${first}–${last} of ${total}`} documents
        </span>
      </p>
      {next ? (
        <a class="button ghost" href={next} rel="next">
          Next<span class="visually-hidden"> page</span><span aria-hidden="true"> →</span>
        </a>
      ) : (
        <span class="button ghost disabled" aria-disabled="true">
          Next<span class="visually-hidden"> page</span><span aria-hidden="true"> →</span>
        </span>
      )}
    </nav>
  );
}
