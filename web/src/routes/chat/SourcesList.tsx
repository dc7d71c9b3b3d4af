/** The numbered sources under an answer, each linking to its document in the knowledge explorer (or its web page). */
import type { Source } from "./chatState";
import { sourceHref } from "./sourceLinks";

/** The heading path below the title ("Title > A > B" → "A > B"), or "" when it adds nothing. */
export function sectionOf(s: Source): string {
  const prefix = `${s.title} > `;
  if (!s.heading || s.heading === s.title) return "";
  return s.heading.startsWith(prefix) ? s.heading.slice(prefix.length) : s.heading;
}

export function SourcesList({ sources, labelId }: { sources: Source[]; labelId: string }) {
  if (sources.length === 0) return null;
  return (
    <div class="sources">
      <p class="sources-label" id={labelId}>
        Sources
      </p>
      <ol aria-labelledby={labelId}>
        {sources.map((s) => {
          const link = sourceHref(s);
          return (
            <li key={s.index} value={s.index}>
              {link ? (
                link.external ? (
                  <a href={link.href} target="_blank" rel="noopener noreferrer nofollow">
                    {s.title}
                  </a>
                ) : (
                  <a href={link.href}>{s.title}</a>
                )
              ) : (
                <span>{s.title}</span>
              )}
              {sectionOf(s) && <span class="muted"> — {sectionOf(s)}</span>}
              {s.web && <span class="tag">web</span>}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
