/**
 * A document's chunks in order, each an article with the anchor `#chunk-<id>` (what a citation
 * links to), its heading path as a breadcrumb, its index and length, and its text exactly as it is
 * indexed: wrapped plain text, with the ``` fences that ingestion keeps shown as code blocks.
 * Chunk text of Markdown documents is already plain text (ingestion removed the inline markup), so
 * it is not rendered as Markdown again (`snake_case` would turn into emphasis). Never innerHTML:
 * every string becomes a text node.
 */
import type { Chunk } from "./documentsApi";

/** A run of chunk text: prose, or a fenced code block with its language. */
export type ChunkSegment = { kind: "text"; text: string } | { kind: "code"; lang: string; text: string };

/** Splits chunk text at ``` fences (an unclosed fence runs to the end). */
export function splitFences(content: string): ChunkSegment[] {
  const segments: ChunkSegment[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)(?:\n```[ \t]*$|(?![\s\S]))/gm;
  let last = 0;
  for (let m = re.exec(content); m; m = re.exec(content)) {
    const before = content.slice(last, m.index).trim();
    if (before) segments.push({ kind: "text", text: before });
    segments.push({ kind: "code", lang: m[1]!.trim(), text: m[2]! });
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  const rest = content.slice(last).trim();
  if (rest) segments.push({ kind: "text", text: rest });
  return segments;
}

/** A chunk's text as text nodes: prose blocks and code blocks. */
function ChunkText({ content }: { content: string }) {
  return (
    <div class="chunk-body">
      {splitFences(content).map((s, i) =>
        s.kind === "code" ? (
          <pre key={i} class="chunk-code" data-lang={s.lang || undefined}>
            <code>{s.text}</code>
          </pre>
        ) : (
          <p key={i} class="chunk-text">
            {s.text}
          </p>
        ),
      )}
    </div>
  );
}

/** The anchor id of a chunk: `chunk-<id>` (link to `/knowledge/<document id>#chunk-<chunk id>`). */
export function chunkAnchor(chunkId: string): string {
  return `chunk-${chunkId}`;
}

/** A heading path ("Collector > Configuration > Receivers") as its parts. */
export function headingParts(heading: string): string[] {
  return heading
    .split(" > ")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Props of ChunkList. */
export interface ChunkListProps {
  chunks: Chunk[];
}

/** The list of chunks. */
export function ChunkList({ chunks }: ChunkListProps) {
  return (
    <ol class="chunk-list">
      {chunks.map((c) => {
        const parts = headingParts(c.heading);
        const headingId = `${chunkAnchor(c.id)}-heading`;
        return (
          <li key={c.id}>
            <article id={chunkAnchor(c.id)} class="chunk" tabIndex={-1} aria-labelledby={headingId}>
              <header class="chunk-header">
                <h3 id={headingId} class="chunk-path">
                  <span class="visually-hidden">Chunk {c.index + 1}: </span>
                  {parts.length ? (
                    parts.map((p, i) => (
                      <span key={i} class="crumb">
                        {i > 0 && (
                          <span class="sep" aria-hidden="true">
                            {" › "}
                          </span>
                        )}
                        {p}
                      </span>
                    ))
                  ) : (
                    <span class="crumb muted">(no heading)</span>
                  )}
                </h3>
                <p class="chunk-meta muted">
                  <a href={`#${chunkAnchor(c.id)}`} class="chunk-link">
                    Chunk {c.index + 1} of {chunks.length}
                    <span class="visually-hidden">: link to this chunk</span>
                  </a>
                  {" · "}
                  {c.content.length.toLocaleString("en-US")} chars
                  {c.injection_flags?.length ? (
                    <>
                      {" · "}
                      <span class="badge badge-warning injection-badge" title={`Looks like instructions to an AI: ${c.injection_flags.join(", ")}`}>
                        Possible prompt injection
                      </span>
                    </>
                  ) : null}
                </p>
              </header>
              <ChunkText content={c.content} />
            </article>
          </li>
        );
      })}
    </ol>
  );
}
