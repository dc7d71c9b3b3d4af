/** Lexical evidence: how much of a query's content appears in a text. */
import { contentTerms, distinctContentTerms, hasTerm } from "../text";

/**
 * Share (0..1) of the distinct content terms of `query` that occur in `text` after stemming
 * (Hangul stems also by prefix). A query with no content terms has coverage 0.
 */
export function termCoverage(query: string, text: string): number {
  const q = distinctContentTerms(query);
  if (q.length === 0) return 0;
  const t = new Set(contentTerms(text));
  return q.filter((term) => hasTerm(t, term)).length / q.length;
}
