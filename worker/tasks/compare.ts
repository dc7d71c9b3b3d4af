/**
 * The comparison of an analysis task (pure): which topics the analysed documents' digests share,
 * and which only one of them has. Topics are words of the digests themselves (stemmed terms
 * counted, shown as a word that stems to them), so the comparison states nothing the documents
 * do not say.
 */
import { termsAndWords } from "../rag/text";
import { escapeInline } from "./citations";

/** Topics shown as shared, and per document as its own. */
const SHARED_TOPICS = 8;
const OWN_TOPICS = 6;
/** Own topics said at least twice that suffice to leave out the words said once. */
const MIN_RECURRING = 3;

/** One analysed document's digest. */
export interface DigestText {
  title: string;
  /** The digest's Markdown (citation markers and code are ignored). */
  text: string;
}

/** Shared topics (in every digest) and each digest's own topics (in no other), most frequent first. */
export interface Comparison {
  shared: string[];
  own: string[][];
}

/** Term counts of a digest and a display word per term (prose only: code, markers and bold headings removed). */
function topicsOf(text: string): { counts: Map<string, number>; words: Map<string, string> } {
  const prose = text.replace(/```[\s\S]*?(?:```|$)/g, " ").replace(/\[\d{1,3}\]/g, " ").replace(/\*\*/g, " ");
  const { terms, wordOf } = termsAndWords(prose);
  const counts = new Map<string, number>();
  for (const t of terms) if (wordOf.has(t) && t.length >= 3) counts.set(t, (counts.get(t) ?? 0) + 1);
  return { counts, words: wordOf };
}

/** Compares the digests (see {@link Comparison}); `exclude` are terms not worth listing (e.g. the description's). */
export function compareDigests(digests: readonly DigestText[], exclude: ReadonlySet<string> = new Set()): Comparison {
  const topics = digests.map((d) => topicsOf(d.text));
  const word = (t: string) => topics.find((x) => x.words.has(t))!.words.get(t)!;
  const total = (t: string) => topics.reduce((s, x) => s + (x.counts.get(t) ?? 0), 0);
  const byFrequency = (a: string, b: string) => total(b) - total(a) || a.localeCompare(b);
  const candidates = [...new Set(topics.flatMap((x) => [...x.counts.keys()]))].filter((t) => !exclude.has(t));
  const shared = digests.length < 2 ? [] : candidates.filter((t) => topics.every((x) => x.counts.has(t))).sort(byFrequency).slice(0, SHARED_TOPICS);
  const own = topics.map((x, i) => {
    const only = [...x.counts.keys()]
      .filter((t) => !exclude.has(t) && topics.every((y, j) => j === i || !y.counts.has(t)))
      .sort((a, b) => (x.counts.get(b) ?? 0) - (x.counts.get(a) ?? 0) || a.localeCompare(b));
    // Words said once are often incidental ("brevity"): shown only when few words recur.
    const recurring = only.filter((t) => (x.counts.get(t) ?? 0) >= 2);
    return (recurring.length >= MIN_RECURRING ? recurring : only).slice(0, OWN_TOPICS);
  });
  return { shared: shared.map(word), own: own.map((ts) => ts.map(word)) };
}

/**
 * The comparison as Markdown ("## Comparison"): the topics every document covers, then a table of
 * each document's own topics. Empty for fewer than two documents.
 */
export function renderComparison(digests: readonly DigestText[], comparison: Comparison): string {
  if (digests.length < 2) return "";
  const rows = digests.map((d, i) => `| ${escapeInline(d.title).replace(/\|/g, "\\|")} | ${comparison.own[i].join(", ") || "—"} |`);
  return [
    "## Comparison",
    "",
    comparison.shared.length ? `Topics in every document: ${comparison.shared.join(", ")}.` : "The documents' digests share no topic.",
    "",
    "| Document | Topics only in this document |",
    "| --- | --- |",
    ...rows,
  ].join("\n");
}
