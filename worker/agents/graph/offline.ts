/**
 * Deterministic offline implementations of the graph's model-backed steps (English and Korean
 * heuristics), used by default and as the fallback when a model provider fails. Pure functions:
 * the retrieval evidence they need is passed in.
 */
import { contentTerms, distinctContentTerms, hasTerm, isHangul, sentences, words } from "../../rag/text";
import { hasReferringWord } from "../../rag/followup";
import type { RetrievedChunk } from "../../services/retrieve";
import { confidenceFrom, relevanceLevel } from "./routing";
import type { ClarificationOption, QualityScores, QueryAnalysis, RelevanceGrade, SubQuestion } from "./state";

/** Longest question accepted by the analyzer, in characters. */
export const MAX_QUERY_CHARS = 2000;

/** "What is X?" asks for a definition, which does not depend on a language or platform. */
const DEFINITION_RE = /^\s*(what\s+(is|are)|what's|define|explain|describe)\b|(이란|란)\s*(무엇|뭔가)|(은|는)\s*무엇/i;
/** Stems of task verbs that say what to do, not what about. */
const TASK_VERBS = new Set(["configur", "instal", "set", "setup", "use", "enabl", "disabl", "run", "start", "deploi", "add", "creat", "get", "make", "work"]);
/** True for questions asking what something is ("What is X?", "X란 무엇인가요?"). */
export function isDefinitionQuestion(question: string): boolean {
  return DEFINITION_RE.test(question);
}

const COMPARISON_RE = /\b(difference between|differences between|compare|comparison|versus|vs\.?)\b|차이|비교|어떻게 다르|어떻게 다른|다른가요|다른지|다릅니/i;
/** A second ask after some first one: "… and how …" (a question that merely starts with "and" is a follow-up). */
const SECOND_ASK_RE = /\S\s+(?:and|also|then)\s+(?:how|what|why|when|which|where|can|does|do|is|are|should)\b|\S\s*(?:그리고|또한)\s/i;
/** A Korean message whose later sentence asks for something more ("…나요? 주의할 점도 알려주세요."). */
const KOREAN_SECOND_ASK_RE = /[?？.!]\s+[^?？.!]*(?:알려\s?주세요|궁금(?:해요|합니다|하고)|설명해\s?주세요)/;

/**
 * The topic of a retrieved chunk for clarification: its page title (qualified by its section page
 * when titles collide, see rag/headings.ts); for a heading path that does not start with the title,
 * the path up to the title (or its first two levels).
 */
export function topicOf(chunk: Pick<RetrievedChunk, "heading" | "title">): string {
  if (chunk.heading === chunk.title || chunk.heading.startsWith(`${chunk.title} > `)) return chunk.title;
  const parts = chunk.heading.split(" > ");
  const titleAt = parts.indexOf(chunk.title);
  return parts.slice(0, titleAt >= 0 ? titleAt + 1 : Math.min(parts.length, 2)).join(" > ");
}

/** Distinct topics among retrieved chunks, most supported first, with their source counts. */
export function topicsOf(chunks: readonly RetrievedChunk[]): { label: string; count: number; domain?: string }[] {
  const byTopic = new Map<string, { label: string; count: number; domain?: string; best: number }>();
  chunks.forEach((c, i) => {
    const label = topicOf(c);
    const t = byTopic.get(label) ?? { label, count: 0, domain: c.domain ?? undefined, best: i };
    t.count++;
    byTopic.set(label, t);
  });
  return [...byTopic.values()].sort((a, b) => b.count - a.count || a.best - b.best).map(({ label, count, domain }) => ({ label, count, domain }));
}

/**
 * Offline query analysis. `probe` is a first retrieval for the question (best first). The question
 * is ambiguous when it leans on missing context (a pronoun with no earlier topic) or when several
 * different pages are each titled by the question's own terms (e.g. "exporters" has a page per
 * language); complex when it asks for a comparison or holds several asks.
 */
export function analyzeOffline(question: string, probe: readonly RetrievedChunk[], hasContext: boolean): QueryAnalysis {
  const refined = question.replace(/\s+/g, " ").trim().slice(0, MAX_QUERY_CHARS);
  const ws = words(refined);
  const terms = distinctContentTerms(refined);
  const questionMarks = (refined.match(/[?？]/g) ?? []).length;
  const complex = COMPARISON_RE.test(refined) || SECOND_ASK_RE.test(refined) || KOREAN_SECOND_ASK_RE.test(refined) || questionMarks >= 2 || refined.includes(";") || ws.length > 30;

  // Domains by how many probe results back them.
  const domainCounts = new Map<string, number>();
  for (const c of probe) if (c.domain) domainCounts.set(c.domain, (domainCounts.get(c.domain) ?? 0) + 1);
  const domains = [...domainCounts].sort((a, b) => b[1] - a[1]).map(([d]) => d);
  let ambiguity: QueryAnalysis["ambiguity_type"] = "none";
  let clarity = 0.9;
  if (!hasContext && hasReferringWord(refined) && terms.length <= 2) {
    ambiguity = "missing_context";
    clarity = 0.3;
  } else if (!complex && !DEFINITION_RE.test(refined) && terms.length > 0 && terms.length <= 2) {
    // Pages whose own title carries every topical term of the question (task verbs such as
    // "configure" aside), in different sections: "exporters" has a page per language.
    const topical = terms.filter((t) => !TASK_VERBS.has(t));
    const titled = new Map<string, string>();
    for (const c of probe) {
      const titleTerms = new Set(contentTerms(c.title));
      if (topical.length > 0 && topical.every((t) => titleTerms.has(t))) titled.set(topicOf(c), c.document_id);
    }
    const distinctDocs = new Set(titled.values()).size;
    if (titled.size >= 2 && distinctDocs >= 2) {
      ambiguity = "vague_term";
      clarity = Math.round((1 / titled.size) * 100) / 100;
    }
  }
  return {
    complexity: complex ? "complex" : "simple",
    is_ambiguous: ambiguity !== "none",
    ambiguity_type: ambiguity,
    clarity_confidence: clarity,
    detected_domains: domains.slice(0, 5),
    refined_query: refined,
  };
}

/** Clarification question and 2..5 options grounded in the retrieved topics. */
export function clarifyOffline(question: string, probe: readonly RetrievedChunk[], korean: boolean): { question: string; options: ClarificationOption[] } {
  const topics = topicsOf(probe).slice(0, 5);
  const options = topics.map((t, i) => ({ id: String(i + 1), label: t.label, source_count: t.count, ...(t.domain ? { domain: t.domain } : {}) }));
  const q = korean
    ? `"${question}" 질문은 여러 주제에 해당합니다. 어떤 주제에 대해 알고 싶으신가요?`
    : `"${question}" matches several topics in the knowledge base. Which one do you mean?`;
  return { question: q, options };
}

/**
 * Offline decomposition into at most 5 sub-questions that can be retrieved in parallel: each side of
 * a comparison then the whole question, or one part per ask unless a later ask refers back to an
 * earlier one (then the message is one part).
 */
export function decomposeOffline(question: string): { sub_questions: SubQuestion[]; parallel_groups: number[][]; synthesis_guide: string } {
  const korean = isHangul(question);
  let parts: string[] = [];
  const comparison = comparedSides(question);
  if (comparison) {
    // Each side, then the whole question for the passages that contrast them.
    parts = [...comparison.map((side) => (korean ? `${side}란 무엇인가요?` : `What is ${side}?`)), question];
  } else {
    parts = question
      .split(/[?？;]\s*|\s*,?\s+(?:and|also|then)\s+(?=(?:how|what|why|when|which|where|can|does|do|is|are|should)\b)|\s*(?:그리고|또한)\s*/i)
      .map((p) => p.trim().replace(/[,，、\s]+$/, ""))
      .filter((p) => distinctContentTerms(p).length > 0)
      // A part that ends a sentence already ("… 알려주세요.") keeps its own ending.
      .map((p) => (/[?？.!。]$/.test(p) ? p : `${p}?`));
  }
  // A later ask that leans on the first ("… Where do its logs go?"; an existential "is there" does
  // not lean) is no question of its own: searched alone it finds little, so the message is
  // answered whole (dev all-keywords EN 0.658 → 0.671, BENCHMARKS.md).
  if (parts.length < 2 || (!comparison && parts.slice(1).some((p) => hasReferringWord(p.replace(/\b(?:is|are|was|were)\s+there\b/gi, ""))))) parts = [question];
  // Capitalised, unless it starts with an identifier ("useEffect란 …" stays as written).
  const capitalised = (q: string) => (/^[a-z][\w.-]*[A-Z0-9_]/.test(q) ? q : q.charAt(0).toUpperCase() + q.slice(1));
  const subQuestions = parts.slice(0, 5).map((q, i) => ({ id: i + 1, question: capitalised(q) }));
  return {
    sub_questions: subQuestions,
    parallel_groups: [subQuestions.map((s) => s.id)],
    synthesis_guide: korean
      ? "각 하위 질문에 차례로 답한 뒤 하나의 답변으로 합칩니다."
      : comparison
        ? "Answer each side of the comparison from its own sources, then contrast them."
        : "Answer every sub-question in order from its own sources, then combine the parts.",
  };
}

/** Longest side of a comparison, in words: a longer match is a sentence, not a compared thing. */
const MAX_SIDE_WORDS = 5;

/**
 * The things a question compares ("difference between X and Y", "compare X with Y", "X vs Y",
 * "X랑 Y는 … 어떻게 다르", "X와 Y의 차이", "A, B, C는 … 어떻게 다르고"; at most 4), or null. Sides longer than {@link MAX_SIDE_WORDS}
 * words are not taken: in a long message "vs" or "and" joins clauses, not the compared things.
 */
export function comparedSides(question: string): string[] | null {
  const m =
    /(?:difference|differences)\s+between\s+(.+?)\s+and\s+(.+?)(?:[?.!,]|$)/i.exec(question) ??
    /compare\s+(.+?)\s+(?:and|with|to|vs\.?|versus)\s+(.+?)(?:[?.!,]|$)/i.exec(question) ??
    /(?:^|[.?!]\s+)([^.?!]+?)\s+(?:vs\.?|versus)\s+([^.?!]+?)(?:[?.!,]|$)/i.exec(question) ??
    /([\p{L}\p{N}._-]+)\s*(?:랑|이랑|와|과|하고)\s+([\p{L}\p{N}._-]+?)(?:는|은|의)\s[^?？]*(?:다르|다른|다릅|차이)/u.exec(question);
  const list = /((?:[\p{L}\p{N}._-]+,\s*)+[\p{L}\p{N}._-]+?)(?:는|은|의)\s[^?？]*(?:다르|다른|다릅|차이)/u.exec(question);
  const sides = m ? [m[1], m[2]] : list ? list[1].split(",") : null;
  if (!sides) return null;
  const trimmed = sides.map((side) => side.trim()).slice(0, 4);
  return trimmed.every((side) => side.split(/\s+/).length <= MAX_SIDE_WORDS && distinctContentTerms(side).length > 0) ? trimmed : null;
}

/**
 * Offline relevance grading: 0.75 × IDF-weighted share of the query's terms found in the chunk
 * (title, heading and text) + 0.25 × retriever agreement (1 when both BM25 and the vector index
 * found it, 0.5 for one). `idf` maps stemmed terms to their inverse document frequency.
 */
export function gradeOffline(query: string, docs: readonly RetrievedChunk[], idf: ReadonlyMap<string, number>): RelevanceGrade[] {
  const terms = distinctContentTerms(query);
  const weight = (t: string) => idf.get(t) ?? 1;
  const total = terms.reduce((s, t) => s + weight(t), 0);
  return docs.map((d) => {
    const docTerms = new Set(contentTerms(`${d.title} ${d.heading} ${d.content}`));
    const found = terms.filter((t) => hasTerm(docTerms, t));
    const missing = terms.filter((t) => !found.includes(t));
    const coverage = total === 0 ? 0 : found.reduce((s, t) => s + weight(t), 0) / total;
    const agreement = d.lexical_rank !== null && d.vector_rank !== null ? 1 : 0.5;
    const score = Math.round((0.75 * coverage + 0.25 * agreement) * 1000) / 1000;
    const useful = sentences(d.content.replace(/```[\s\S]*?(?:```|$)/g, " "))
      .map((s) => ({ s, n: terms.filter((t) => hasTerm(new Set(contentTerms(s)), t)).length }))
      .filter((x) => x.n > 0)
      .sort((a, b) => b.n - a.n)
      .slice(0, 2)
      .map((x) => x.s);
    const by = d.lexical_rank !== null && d.vector_rank !== null ? "both retrievers" : d.lexical_rank !== null ? "BM25 only" : "the vector index only";
    return {
      chunk_id: d.chunk_id,
      relevance_score: score,
      level: relevanceLevel(score),
      reason: `covers ${found.length}/${terms.length} query terms${missing.length ? ` (missing: ${missing.join(", ")})` : ""}; found by ${by}`,
      useful_parts: useful,
    };
  });
}

/** Rewrite strategies, one per retry, in this order. */
export const REWRITE_STRATEGIES = ["keyword_focus", "pseudo_relevance_feedback", "drop_unknown_terms"] as const;
export type RewriteStrategy = (typeof REWRITE_STRATEGIES)[number];

/**
 * Offline query rewriting. keyword_focus: the content words only; pseudo_relevance_feedback
 * (Rocchio-style expansion): the query plus the 3 most frequent informative terms of the best
 * graded chunks; drop_unknown_terms: the query without terms that occur nowhere in the corpus.
 * `df` maps stemmed terms to their chunk frequency (0 = unknown).
 */
export function rewriteOffline(
  query: string,
  strategy: RewriteStrategy,
  docs: readonly RetrievedChunk[],
  df: ReadonlyMap<string, number>,
): string {
  const contentWords = words(query).filter((w) => contentTerms(w).length > 0);
  if (strategy === "keyword_focus") return contentWords.join(" ") || query;
  if (strategy === "drop_unknown_terms") {
    const kept = contentWords.filter((w) => (df.get(contentTerms(w)[0]) ?? 0) > 0);
    return kept.length > 0 && kept.length < contentWords.length ? kept.join(" ") : contentWords.slice(0, Math.max(1, contentWords.length - 1)).join(" ");
  }
  const queryTerms = new Set(contentTerms(query));
  const counts = new Map<string, { n: number; word: string }>();
  for (const d of docs.slice(0, 3)) {
    for (const w of words(`${d.title} ${d.content}`)) {
      const [t] = contentTerms(w);
      if (!t || queryTerms.has(t) || t.length < 3 || /^\d+$/.test(t)) continue;
      const c = counts.get(t) ?? { n: 0, word: w };
      c.n++;
      counts.set(t, c);
    }
  }
  const expansion = [...counts.values()].sort((a, b) => b.n - a.n).slice(0, 3).map((c) => c.word);
  return [...contentWords, ...expansion].join(" ");
}

/** Normalises text for containment checks: lower case, single spaces, no citation markers. */
function normal(text: string): string {
  return text.replace(/\[\d+\]/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
}

/**
 * Offline answer-quality grading. completeness: share of the question's terms (for decomposed
 * questions: of every sub-question's terms) the response covers; accuracy: share of response
 * sentences supported by the sources (contained in one, or ≥ 60 % of their terms found in one);
 * clarity: 1 for 1..8 sentences of 5..80 words, lower otherwise. An answer without sufficient
 * information scores 0 completeness and 0 accuracy.
 */
export function qualityOffline(
  question: string,
  subQuestions: readonly SubQuestion[],
  response: string,
  sourceTexts: readonly string[],
  sufficient: boolean,
): QualityScores {
  if (!sufficient) {
    const scores = { completeness: 0, accuracy: 0, clarity: 1 };
    return { ...scores, confidence: confidenceFrom(scores) };
  }
  const responseTerms = new Set(contentTerms(response));
  const asks = subQuestions.length > 1 ? subQuestions.map((s) => s.question) : [question];
  const completeness =
    asks.reduce((sum, q) => {
      const t = distinctContentTerms(q);
      return sum + (t.length === 0 ? 1 : t.filter((x) => hasTerm(responseTerms, x)).length / t.length);
    }, 0) / asks.length;
  const parts = response.split(/\s*\[\d+\]\s*/).map((s) => s.trim()).filter((s) => s.length > 0);
  const sources = sourceTexts.map(normal);
  const supported = parts.filter((p) => {
    const n = normal(p);
    if (sources.some((s) => s.includes(n))) return true;
    const pt = distinctContentTerms(p);
    return pt.length > 0 && sources.some((s) => {
      const st = new Set(contentTerms(s));
      return pt.filter((t) => st.has(t)).length / pt.length >= 0.6;
    });
  }).length;
  const accuracy = parts.length === 0 ? 0 : supported / parts.length;
  const sentenceCount = Math.max(parts.length, 1);
  const avgWords = words(response).length / sentenceCount;
  const clarity = sentenceCount <= 8 && avgWords >= 5 && avgWords <= 80 ? 1 : sentenceCount <= 12 ? 0.7 : 0.4;
  const scores = { completeness: Math.round(completeness * 1000) / 1000, accuracy: Math.round(accuracy * 1000) / 1000, clarity };
  return { ...scores, confidence: confidenceFrom(scores) };
}
