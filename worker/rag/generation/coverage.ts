/** Lexical evidence: how much of a query's content appears in a text. */
import { distinctContentTerms, contentTerms } from "../text";

/**
 * Share (0..1) of the distinct content terms of `query` that occur in `text` after stemming.
 * A query with no content terms has coverage 0.
 */
export function termCoverage(query: string, text: string): number {
  const q = distinctContentTerms(query);
  if (q.length === 0) return 0;
  const t = new Set(contentTerms(text));
  return q.filter((term) => t.has(term) || (term.length >= 2 && [...t].some((x) => x.startsWith(term) && isPrefixMatch(term, x)))).length / q.length;
}

/** Hangul stems match longer inflected tokens by prefix ("상태" ⊂ "상태를"). */
function isPrefixMatch(term: string, token: string): boolean {
  return /\p{Script=Hangul}/u.test(term) && token.length > term.length;
}
