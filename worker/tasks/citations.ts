/**
 * Citation numbering of task reports (pure). Each part of a report (a sub-question's answer, a
 * document's digest, a code example) is written against its own numbered sources, as chat answers
 * are; the report renumbers every part's `[n]` markers into one sources list in which each cited
 * chunk appears once, numbered in order of first citation.
 */
import type { TaskSource } from "./types";

/** Characters of a source's text kept as its snippet. */
export const SNIPPET_CHARS = 300;

/** A source as a part of a report cites it: `index` is the part's own number for it (1-based). */
export type PartSource = TaskSource;

/** A part of a report: text with `[n]` markers and the sources the markers refer to. */
export interface CitedText {
  text: string;
  sources: readonly PartSource[];
}

/** Fenced code blocks and inline code spans: citation markers inside them are left alone. */
const CODE_RE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`)/;
const MARKER_RE = /\[(\d{1,3})\]/g;

/** The start of `text` as a one-line snippet of at most {@link SNIPPET_CHARS} characters (code fences removed). */
export function snippetOf(text: string): string {
  const flat = text.replace(/```[a-z]*\n?/g, " ").replace(/\s+/g, " ").trim();
  return flat.length <= SNIPPET_CHARS ? flat : flat.slice(0, SNIPPET_CHARS - 1).replace(/\s+\S*$/, "") + "…";
}

/**
 * Applies `replace` to every `[n]` marker of `text` outside code (fenced blocks and inline spans).
 * `replace` returns the new marker text ("" drops the marker).
 */
function mapMarkers(text: string, replace: (n: number) => string): string {
  return text
    .split(CODE_RE)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(MARKER_RE, (_, n: string) => replace(Number(n)))))
    .join("");
}

/** The distinct `[n]` numbers of `text` outside code, in order of first appearance. */
export function markersOf(text: string): number[] {
  const seen: number[] = [];
  mapMarkers(text, (n) => {
    if (!seen.includes(n)) seen.push(n);
    return "";
  });
  return seen;
}

/** What identifies a source across parts: its chunk, else its page and heading (web: its URL). */
function keyOf(s: Omit<PartSource, "index">): string {
  return s.chunk_id ?? `${s.url ?? s.source}\u0000${s.heading}`;
}

/**
 * The sources list of a report under construction. {@link SourceRegistry.cite} renumbers a part
 * into it; {@link SourceRegistry.sources} is the list, numbered 1, 2, … in order of first citation.
 */
export class SourceRegistry {
  private readonly list: TaskSource[] = [];
  private readonly byKey = new Map<string, number>();

  /** Adds a source (or finds it when already listed) and returns its number in the report. */
  add(source: Omit<PartSource, "index"> & { index?: number }): number {
    const { index: _ignored, ...rest } = source;
    const key = keyOf(rest);
    let n = this.byKey.get(key);
    if (n === undefined) {
      n = this.list.length + 1;
      this.byKey.set(key, n);
      this.list.push({ ...rest, index: n });
    }
    return n;
  }

  /**
   * The part's text with its markers renumbered into this list; only the sources the text cites
   * are added. A marker whose number is not among the part's sources is dropped (it cites nothing).
   */
  cite(part: CitedText): string {
    const byIndex = new Map(part.sources.map((s) => [s.index, s]));
    const mapping = new Map<number, number>();
    for (const n of markersOf(part.text)) {
      const s = byIndex.get(n);
      if (s) mapping.set(n, this.add(s));
    }
    return mapMarkers(part.text, (n) => (mapping.has(n) ? `[${mapping.get(n)}]` : "")).replace(/[ \t]+$/gm, "");
  }

  /** The sources cited so far, numbered in order of first citation. */
  get sources(): TaskSource[] {
    return this.list.map((s) => ({ ...s }));
  }
}

/**
 * The Markdown sources list: one numbered line per source, "**title** — heading · `source`"
 * (a web source links its URL).
 */
export function renderSources(sources: readonly TaskSource[]): string {
  if (sources.length === 0) return "No sources were cited.";
  return sources
    .map((s) => {
      const where = s.web && s.url ? `<${s.url}>` : `\`${s.source}\``;
      const heading = s.heading && s.heading !== s.title ? ` — ${s.heading}` : "";
      return `${s.index}. **${escapeInline(s.title)}**${escapeInline(heading)} · ${where}`;
    })
    .join("\n");
}

/** Escapes characters that Markdown would read as emphasis or links in a title. */
export function escapeInline(text: string): string {
  return text.replace(/([*_[\]`])/g, "\\$1");
}
