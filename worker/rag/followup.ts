/**
 * Follow-up resolution: a question that leans on the conversation ("and how do I configure it?")
 * is expanded with the topic of the previous user turn before retrieval.
 */
import { distinctContentTerms, stripKoreanSuffix, words } from "./text";

/** Words that refer to something said before (pronouns, "the same", Korean demonstratives). */
const REFERRING = new Set([
  "it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "one", "ones",
  "above", "same", "former", "latter", "그것", "이것", "저것", "그거", "이거", "그", "이", "거기",
]);
const GENERIC = new Set(["configur", "instal", "set", "setup", "enabl", "disabl", "work", "exampl", "run", "deploi", "start", "more", "detail"]);
const CONTINUATION_RE = /^(and|also|what about|how about|then|so|but|or|plus|그리고|그럼|그러면|또)(?=[\s,.?!]|$)/iu;

/** A previous turn as seen by the resolver. */
export interface PriorTurn {
  role: "user" | "assistant";
  content: string;
  /** The query actually used for retrieval on that turn, when it was rewritten. */
  resolved_query?: string | null;
}

/**
 * True when the text contains a referring word ("it", "these", "the same", "그것"): a word that
 * leans on something said before. Korean words match with or without their particle ("그것을").
 */
export function hasReferringWord(text: string): boolean {
  return words(text).some((w) => REFERRING.has(w) || REFERRING.has(stripKoreanSuffix(w)));
}

/** True when `query` reads as a follow-up that needs the previous turn's topic. */
export function isFollowUp(query: string): boolean {
  if (CONTINUATION_RE.test(query.trim())) return true;
  if (hasReferringWord(query)) return true;
  // A question with no topic of its own ("how do I install?") continues the previous one.
  return distinctContentTerms(query).every((t) => GENERIC.has(t));
}

/**
 * Returns the question to work on for `query` given earlier turns (oldest first): the query itself
 * when it stands alone or there is no earlier user turn, else the query followed by the topic of
 * the previous user turn in parentheses: "and how do I install it? (OpenTelemetry Collector)".
 */
export function resolveFollowUp(query: string, history: readonly PriorTurn[]): string {
  const previous = [...history].reverse().find((t) => t.role === "user");
  if (!previous || !isFollowUp(query)) return query;
  const topic = (previous.resolved_query || previous.content).match(/[\p{L}\p{N}][\p{L}\p{N}'’._-]*/gu) ?? [];
  const topicWords = [...new Set(topic.filter((w) => distinctContentTerms(w).length > 0))];
  if (topicWords.length === 0) return query;
  return `${query} (${topicWords.join(" ")})`.slice(0, 4000);
}
