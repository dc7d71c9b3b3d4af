/**
 * How a chunk's page and section are named to people (citations, clarification options): by the
 * page's title and its heading path, never by the folders of its source path. Stored heading paths
 * start with breadcrumbs derived from the source path ("Docs opentelemetry > Content > … > Title >
 * Section"), which BM25 and the embedding still use; these functions cut them off for display and
 * qualify pages whose titles collide by the title of their section's index page.
 */

/** Separator of heading paths. */
export const HEADING_SEPARATOR = " > ";

/**
 * The display heading path of a chunk: the stored path from the page title on ("Configuration >
 * Receivers"), or the stored path unchanged when it does not contain the title.
 */
export function headingPath(title: string, storedHeading: string): string {
  const parts = storedHeading.split(HEADING_SEPARATOR);
  const at = parts.indexOf(title);
  return at > 0 ? parts.slice(at).join(HEADING_SEPARATOR) : storedHeading;
}

/**
 * Sources of the section page that contains the page `source` ("languages/python/exporters.md" →
 * "languages/python/_index.md", "languages/python/index.md", with .md, .mdx and .html endings; an
 * index page's section is its parent folder's). Empty for URLs, absolute paths and top-level pages.
 */
export function sectionPageSources(source: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith("/")) return [];
  const parts = source.split(/[\\/]/).filter(Boolean);
  const file = parts.pop() ?? "";
  if (/^_?index\.[a-z]+$/i.test(file)) parts.pop();
  if (parts.length === 0) return [];
  const dir = parts.join("/");
  return ["_index.md", "index.md", "_index.mdx", "index.mdx", "index.html"].map((f) => `${dir}/${f}`);
}

/**
 * Prefixes the heading path of every chunk whose page title is shared by another page among
 * `chunks` with the title of its section page ("Exporters" → "Python > Exporters"), so that options
 * and citations of different pages read differently. `sectionTitle(source)` gives that title or
 * undefined (the chunk is then left as it is). Returns new objects; order is kept.
 */
export function qualifyCollidingTitles<T extends { title: string; heading: string; source: string; document_id: string }>(
  chunks: readonly T[],
  sectionTitle: (source: string) => string | undefined,
): T[] {
  const docsByTitle = new Map<string, Set<string>>();
  for (const c of chunks) docsByTitle.set(c.title, (docsByTitle.get(c.title) ?? new Set()).add(c.document_id));
  return chunks.map((c) => {
    if ((docsByTitle.get(c.title)?.size ?? 0) < 2) return c;
    const section = sectionTitle(c.source);
    if (!section || section === c.title) return c;
    const heading = c.heading.startsWith(c.title) ? `${section}${HEADING_SEPARATOR}${c.heading}` : c.heading;
    return { ...c, heading, title: `${section}${HEADING_SEPARATOR}${c.title}` };
  });
}
