/**
 * Planning of a research task (pure, deterministic): the description becomes 2 to 5
 * sub-questions, each answered on its own through retrieval and generation.
 *
 * A description that asks several things (a list, several questions, a comparison) gives one
 * sub-question per ask, as the chat's decomposition splits a complex question. A description of
 * one topic or one question gives that question and facets of its topic: what it is, how it
 * works, how it is configured.
 */
import { decomposeOffline } from "../agents/graph/offline";
import { isHangul, isStopWord } from "../rag/text";

/** Fewest sub-questions of a plan. */
export const MIN_SUB_QUESTIONS = 2;
/** Most sub-questions of a plan. */
export const MAX_SUB_QUESTIONS = 5;
/** Sub-questions of a plan made of facets (a one-topic description). */
const FACET_PLAN_SIZE = 3;
/** Words of a topic phrase built from a long description. */
const TOPIC_WORDS = 4;

/** Leading instructions that are not part of what is asked ("Research …", "Write a report on …"). */
const LEAD_RE =
  /^(?:please\s+)?(?:(?:do\s+)?(?:some\s+)?research(?:\s+(?:on|into|about))?|investigate|explore|study|look\s+into|find\s+out(?:\s+about)?|write\s+(?:a|an)\s+(?:\w+\s+)?(?:report|overview|summary)\s+(?:on|about|of)|report\s+on|summari[sz]e|explain|describe|give\s+(?:me\s+)?(?:a|an)\s+(?:\w+\s+)?overview\s+of|tell\s+me\s+about)\s*:?\s+/i;
/** A clause that is already a question. */
const QUESTION_RE = /^(?:how|what|why|when|which|where|who|whether|can|could|does|do|is|are|should|will)\b/i;
/** Words that name no topic in a description ("how it handles", "the different ways"). */
const GENERIC_WORDS = new Set([
  "handle", "handles", "handled", "handling", "work", "works", "working", "use", "uses", "used", "using", "different", "various", "way", "ways",
  "thing", "things", "main", "key", "important", "get", "gets", "make", "makes", "need", "needs", "want", "know", "learn", "understand",
  "explain", "describe", "overview", "report", "research", "topic", "question", "questions", "like", "also", "well",
  "configure", "configured", "configuring", "set", "setup", "install", "enable", "add", "create", "run", "write", "find", "show", "tell", "see",
]);

/** "what is x" → "What is x?": capitalised (unless it starts with an identifier such as "useEffect"), one trailing question mark. */
function asQuestion(text: string): string {
  const t = text.trim().replace(/[\s.!?？;:,]+$/u, "");
  const capitalised = /^[a-z][\w.-]*[A-Z0-9_]/.test(t) ? t : t.charAt(0).toUpperCase() + t.slice(1);
  return `${capitalised}?`;
}

/** The description without a leading instruction ("Research how X works" → "how X works"). */
export function withoutLead(text: string): string {
  return text.replace(LEAD_RE, "").trim();
}

/** Items of a list in the description (lines starting "-", "*", "•" or "1."), when there are at least two. */
function listItems(description: string): string[] {
  const items = description
    .split("\n")
    .map((l) => /^\s*(?:[-*•]|\d+[.)])\s+(.+)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => !!l && l.length > 0);
  return items.length >= 2 ? items : [];
}

/**
 * The topic of a one-topic description: the text itself when short and not a question ("head
 * sampling"), else its first {@link TOPIC_WORDS} content words as written ("how does the
 * OpenTelemetry Collector handle retries" → "OpenTelemetry Collector retries").
 */
export function topicOf(core: string): string {
  const text = core.replace(/[\s.!?？;:,]+$/u, "").trim();
  if (!QUESTION_RE.test(text) && text.split(/\s+/).length <= TOPIC_WORDS) return text;
  const words = (text.match(/[\p{L}\p{N}][\p{L}\p{N}._/-]*/gu) ?? []).filter((w) => {
    const lower = w.toLowerCase();
    return !isStopWord(lower) && !GENERIC_WORDS.has(lower) && !QUESTION_RE.test(lower) && (lower.length >= 2 || /\d/.test(lower));
  });
  return words.slice(0, TOPIC_WORDS).join(" ") || text;
}

/**
 * The subject of a topic without its qualifier ("sampling in OpenTelemetry" → "sampling"): a
 * definition asks about the subject, as documentation pages are titled by it.
 */
export function subjectOf(topic: string): string {
  const head = topic.split(/\s+(?:in|of|for|with|within|on|using|across)\s+/i)[0].trim();
  return head.length > 0 ? head : topic;
}

/** Facet questions about a topic, most general first. */
function facets(topic: string): string[] {
  const subject = subjectOf(topic);
  if (isHangul(topic)) return [`${subject}란 무엇인가요?`, `${topic}는 어떻게 동작하나요?`, `${topic}는 어떻게 설정하나요?`, `${topic}의 모범 사례는 무엇인가요?`];
  return [`What is ${subject}?`, `How does ${topic} work?`, `How do you configure ${topic}?`, `What are the best practices for ${topic}?`];
}

/** The kind of a question, so that a facet does not repeat what the question already asks. */
function facetKind(question: string): "definition" | "mechanism" | "configuration" | "practice" | null {
  const q = question.toLowerCase();
  if (/^(?:what\s+(?:is|are)\b|.*란 무엇)/.test(q)) return "definition";
  if (/\bconfigur|\bset\s*up\b|\bsetting|설정/.test(q)) return "configuration";
  if (/\bhow\s+(?:does|do)\b.*\bwork|동작/.test(q)) return "mechanism";
  if (/best\s+practice|모범 사례/.test(q)) return "practice";
  return null;
}

const FACET_KINDS = ["definition", "mechanism", "configuration", "practice"] as const;

/** Case- and punctuation-insensitive form of a question, to drop repeats. */
const fold = (q: string) => q.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/**
 * Plans a research task: 2 to 5 sub-questions for `description` (1 to 4,000 characters).
 * Explicit asks (a list, several questions or a comparison) are kept as they are asked, at most
 * 5; a single ask gives itself plus facets of its topic, 3 sub-questions in all.
 */
export function planSubQuestions(description: string): string[] {
  const text = description.trim();
  let asks = listItems(text).map(withoutLead);
  if (asks.length < MIN_SUB_QUESTIONS) {
    const flat = withoutLead(text.replace(/\s+/g, " "));
    const decomposed = decomposeOffline(flat).sub_questions.map((s) => s.question);
    asks = decomposed.length >= MIN_SUB_QUESTIONS ? decomposed.map(withoutLead) : [];
    if (asks.length === 0) {
      const core = flat.replace(/[\s.!?？;:,]+$/u, "");
      const own = QUESTION_RE.test(core) ? [asQuestion(core)] : [];
      const skip = new Set(own.map(facetKind));
      const topic = topicOf(core);
      const extra = facets(topic).filter((_, i) => !skip.has(FACET_KINDS[i]));
      asks = [...own, ...extra].slice(0, FACET_PLAN_SIZE);
    }
  }
  const seen = new Set<string>();
  const plan: string[] = [];
  for (const ask of asks) {
    const q = asQuestion(ask);
    const key = fold(q);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    plan.push(q);
  }
  // A plan of one (every ask repeated the same question) gets a facet of its topic.
  if (plan.length < MIN_SUB_QUESTIONS) {
    for (const f of facets(topicOf(withoutLead(text.replace(/\s+/g, " "))))) {
      if (plan.length >= MIN_SUB_QUESTIONS) break;
      if (!seen.has(fold(f))) plan.push(f);
    }
  }
  return plan.slice(0, MAX_SUB_QUESTIONS);
}
