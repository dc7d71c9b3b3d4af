/** Where a cited source leads: the knowledge explorer's document page, or the web page of a web result. */
import { safeHref } from "../../components/Markdown";
import type { Source } from "./chatState";

/**
 * The link of a source: `/knowledge/<document_id>#chunk-<chunk_id>` (internal: the knowledge
 * explorer opens the document at the cited chunk), an http(s) URL of a web result (external), or null.
 */
export function sourceHref(source: Source): { href: string; external: boolean } | null {
  if (source.document_id) {
    const chunk = source.chunk_id ? `#chunk-${source.chunk_id}` : "";
    return { href: `/knowledge/${encodeURIComponent(source.document_id)}${chunk}`, external: false };
  }
  if (source.web && source.url) {
    const href = safeHref(source.url);
    if (href && /^https?:/.test(href)) return { href, external: true };
  }
  return null;
}

/** A retrieval score as shown: two decimals. */
export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(2) : "–";
}
