/**
 * Previous / next of a paged dashboard list with "Page X of Y · a–b of N". With `hrefFor` the
 * pages are links (the page is in the URL: back, reload and shared links work); with `onPage`
 * they are buttons (the page is the component's state).
 */
import "./pager.css";

/** Props of {@link ListPager}. */
export interface ListPagerProps {
  page: number;
  total: number;
  pageSize: number;
  /** What is counted, plural ("proposals"). */
  noun: string;
  /** Accessible name of the navigation, e.g. "Proposal pages". */
  label: string;
  hrefFor?: (page: number) => string;
  onPage?: (page: number) => void;
}

/** Number of pages for `total` items (at least 1). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The pager. */
export function ListPager({ page, total, pageSize, noun, label, hrefFor, onPage }: ListPagerProps) {
  const pages = pageCount(total, pageSize);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const step = (to: number, enabled: boolean, text: "Previous" | "Next") => {
    const content =
      text === "Previous" ? (
        <>
          <span aria-hidden="true">← </span>Previous<span class="visually-hidden"> page</span>
        </>
      ) : (
        <>
          Next<span class="visually-hidden"> page</span>
          <span aria-hidden="true"> →</span>
        </>
      );
    if (hrefFor)
      return enabled ? (
        <a class="button ghost" href={hrefFor(to)} rel={text === "Previous" ? "prev" : "next"}>
          {content}
        </a>
      ) : (
        <span class="button ghost disabled" aria-disabled="true">
          {content}
        </span>
      );
    return (
      <button type="button" class="ghost" disabled={!enabled} onClick={() => onPage?.(to)}>
        {content}
      </button>
    );
  };
  return (
    <nav class="list-pager" aria-label={label}>
      {step(Math.min(page - 1, pages), page > 1, "Previous")}
      <p class="pager-status">
        <span class="page-of">
          Page {page} of {pages}
        </span>
        <span class="muted">
          {" · "}
          {first > last ? `none of ${total}` : `${first}–${last} of ${total}`} {noun}
        </span>
      </p>
      {step(page + 1, page < pages, "Next")}
    </nav>
  );
}
