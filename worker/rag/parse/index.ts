/** Parser dispatch by content type. */
import { parseHtml } from "./html";
import { parseMarkdown } from "./markdown";
import { parsePdf } from "./pdf";
import { parseText } from "./text";
import type { ContentType, ParsedDocument } from "./types";

export type { ContentType, ParsedDocument, Section } from "./types";

/** Content type implied by a file name or URL path, or null when not supported. */
export function contentTypeFromName(name: string): ContentType | null {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(name)?.[1]?.toLowerCase();
  switch (ext) {
    case "md":
    case "markdown":
    case "mdx":
      return "markdown";
    case "html":
    case "htm":
      return "html";
    case "txt":
    case "text":
      return "text";
    case "pdf":
      return "pdf";
    default:
      return null;
  }
}

/** Parses text content of the given type (PDF takes bytes: use `parsePdf`). */
export function parseTextContent(content: string, type: Exclude<ContentType, "pdf">): ParsedDocument {
  if (type === "markdown") return parseMarkdown(content);
  if (type === "html") return parseHtml(content);
  return parseText(content);
}

export { parsePdf };
