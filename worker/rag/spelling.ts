/**
 * Spelling correction of query words against the index vocabulary: a word the index has never
 * seen ("colektor", "propagtion") is matched to the nearest index term by Levenshtein distance
 * (the `leven` package), so a misspelt question still finds its documents. Pure logic; the
 * vocabulary lookup is in storage/lexical.ts.
 */
import leven from "leven";
import { isStopWord, stem, words } from "./text";

/** An index term and its chunk frequency. */
export interface VocabularyTerm {
  term: string;
  df: number;
}

/** Shortest word (in characters) that is corrected: shorter words have too many neighbours. */
export const MIN_CORRECTED_LENGTH = 5;

/** At most this many words of one query are corrected. */
export const MAX_CORRECTED_WORDS = 4;

/**
 * Largest edit distance accepted for a stem of `length` characters: 1 up to 7 characters, 2 from 8.
 */
export function maxEditDistance(length: number): number {
  return length >= 8 ? 2 : 1;
}

/**
 * The index terms (Porter stems) of the query words that may be misspelt: Latin-letter words of at
 * least {@link MIN_CORRECTED_LENGTH} characters that are not stop words, stemmed, distinct, in
 * query order. The caller keeps those whose chunk frequency is 0.
 */
export function correctionCandidates(query: string): string[] {
  const out = new Set<string>();
  for (const w of words(query)) {
    if (w.length < MIN_CORRECTED_LENGTH || !/^[a-z]+$/.test(w) || isStopWord(w)) continue;
    out.add(stem(w));
  }
  return [...out];
}

/** True when `b` is `a` with exactly one pair of adjacent letters swapped. */
export function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/**
 * The nearest vocabulary term to `term` within {@link maxEditDistance}, ties broken by the higher
 * chunk frequency, then alphabetically; null when none is close enough. `term` itself never
 * matches (it is assumed absent from the index).
 *
 * @param term An index term (stem) the index does not contain.
 * @param vocabulary Candidate index terms, e.g. those sharing its first two letters.
 */
export function nearestTerm(term: string, vocabulary: readonly VocabularyTerm[]): string | null {
  const max = maxEditDistance(term.length);
  let best: (VocabularyTerm & { distance: number }) | null = null;
  for (const v of vocabulary) {
    if (v.term === term || Math.abs(v.term.length - term.length) > max) continue;
    // A swap of two adjacent letters ("reciev" for "receiv") counts as one edit, as in Damerau's distance.
    const distance = isTransposition(term, v.term) ? 1 : leven(term, v.term, { maxDistance: max + 1 });
    if (distance > max) continue;
    if (!best || distance < best.distance || (distance === best.distance && (v.df > best.df || (v.df === best.df && v.term < best.term)))) {
      best = { ...v, distance };
    }
  }
  return best?.term ?? null;
}
