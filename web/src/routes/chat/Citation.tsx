/**
 * An inline `[n]` citation: a button named "Source n: <title>" that shows the source's card on
 * hover, on keyboard focus and on click (click pins it open; Escape closes it). The card sits in
 * the answer's box (positioned against the answer), so it never widens the page.
 */
import { useId, useState } from "preact/hooks";
import type { Source } from "./chatState";
import { formatScore, sourceHref } from "./sourceLinks";

export function Citation({ source }: { source: Source }) {
  const id = useId();
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  const [pinned, setPinned] = useState(false);
  const open = hover || focus || pinned;
  const link = sourceHref(source);
  return (
    <span
      class="cite"
      onMouseEnter={() => setHover(true)}
      onMouseLeave={() => setHover(false)}
      onFocusIn={() => setFocus(true)}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        if (!next || !(e.currentTarget as HTMLElement).contains(next)) {
          setFocus(false);
          setPinned(false);
        }
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          e.stopPropagation();
          setPinned(false);
          setFocus(false);
          setHover(false);
        }
      }}
    >
      <button
        type="button"
        class="cite-btn"
        aria-label={`Source ${source.index}: ${source.title}`}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-describedby={open ? id : undefined}
        onClick={() => setPinned(!pinned)}
      >
        [{source.index}]
      </button>
      {open && (
        <span class="cite-card" id={id} role="note">
          <span class="cite-title">{source.title}</span>
          {source.heading && <span class="cite-heading">{source.heading}</span>}
          <span class="cite-snippet">{source.snippet}</span>
          <span class="cite-meta">
            Score {formatScore(source.score)}
            {link && (
              <>
                {" · "}
                {link.external ? (
                  <a href={link.href} target="_blank" rel="noopener noreferrer nofollow">
                    Open web page
                  </a>
                ) : (
                  <a href={link.href}>Open in knowledge explorer</a>
                )}
              </>
            )}
          </span>
        </span>
      )}
    </span>
  );
}
