/**
 * Builds SQLite FTS5 MATCH expressions from user text. Every term is emitted as a quoted FTS5
 * string (inner `"` doubled), so no user input can change the expression's syntax
 * (FTS5 query syntax: https://sqlite.org/fts5.html#full_text_query_syntax).
 */
import { isHangul, isStopWord, stripKoreanSuffix, wordDelimiterParts, words } from "./text";

/** Upper bound on terms in one expression, to bound query cost. */
export const MAX_MATCH_TERMS = 32;

/** The MATCH expressions for one query; `null` means "nothing to search in that index". */
export interface MatchExpressions {
  /**
   * For the `porter unicode61` index: OR of quoted terms; Hangul terms and the sub-words of
   * alphanumeric identifiers ({@link wordDelimiterParts}) as prefix queries.
   */
  porter: string | null;
  /** For the `trigram` index: OR of quoted Hangul terms of at least 3 characters. */
  trigram: string | null;
}

function quote(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/**
 * Turns free text into FTS5 expressions. Stop words are dropped (all of them, if nothing else is
 * left, are kept so that "the who" still searches). Hangul words are matched by prefix in the
 * unicode61 index, which finds 2-syllable stems that the trigram tokenizer cannot
 * (Korean particles are suffixes: "상태" matches "상태를"). Alphanumeric identifiers also search
 * their letter runs by prefix ("hTRPML2" adds "trpml" *, which matches "TRPML1"; "log4j" adds
 * "log" *): on SciFact train this raised BM25 nDCG@10 from 0.696 to 0.702.
 */
export function buildMatchExpressions(text: string): MatchExpressions {
  const all = [...new Set(words(text))];
  let terms = all.filter((w) => !isStopWord(w));
  if (terms.length === 0) terms = all;
  terms = terms.slice(0, MAX_MATCH_TERMS);
  if (terms.length === 0) return { porter: null, trigram: null };

  // Hangul: the stem without its particle, as a prefix ("상태를" → "상태" *).
  const porterParts = [...new Set(terms.map((t) => (isHangul(t) ? `${quote(stripKoreanSuffix(t))} *` : quote(t))))];
  for (const part of wordDelimiterParts(text)) {
    if (porterParts.length >= MAX_MATCH_TERMS) break;
    if (!terms.includes(part)) porterParts.push(`${quote(part)} *`);
  }
  const trigramTerms = [...new Set(terms.filter(isHangul).map(stripKoreanSuffix))].filter((t) => [...t].length >= 3);
  return {
    porter: porterParts.join(" OR "),
    trigram: trigramTerms.length > 0 ? trigramTerms.map(quote).join(" OR ") : null,
  };
}

/**
 * The porter MATCH expression of a query widened with expansion terms (index terms, e.g. from
 * pseudo-relevance feedback): `<porter> OR "t1" OR "t2" …`, Hangul terms as prefix queries like
 * {@link buildMatchExpressions}. Returns `porter` unchanged when there is no term, and the
 * expansion alone when `porter` is null. At most {@link MAX_MATCH_TERMS} expansion terms are used.
 */
export function expandMatchExpression(porter: string | null, terms: readonly string[]): string | null {
  const parts = [...new Set(terms.slice(0, MAX_MATCH_TERMS).map((t) => (isHangul(t) ? `${quote(t)} *` : quote(t))))];
  if (parts.length === 0) return porter;
  return [porter, ...parts].filter(Boolean).join(" OR ");
}
