/** Plain text to one section (paragraph breaks are kept for the splitter). */
import type { ParsedDocument } from "./types";

/** Parses plain text: no title, one section with normalised line endings. */
export function parseText(source: string): ParsedDocument {
  const text = source.replace(/\r\n?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  return { title: null, metadata: {}, sections: text ? [{ headings: [], text }] : [] };
}
