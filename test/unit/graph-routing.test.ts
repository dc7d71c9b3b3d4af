import { describe, expect, it } from "vitest";
import { analyzeOffline, decomposeOffline, gradeOffline, qualityOffline, rewriteOffline } from "../../worker/agents/graph/offline";
import {
  averageRelevance, confidenceFrom, HIGH_RELEVANCE, MAX_CLARIFICATIONS, MAX_RETRIES, MEDIUM_RELEVANCE, needsDisclaimer,
  relevanceLevel, routeAfterAnalysis, routeAfterEvaluation,
} from "../../worker/agents/graph/routing";
import type { QueryAnalysis, RelevanceGrade } from "../../worker/agents/graph/state";
import type { RetrievedChunk } from "../../worker/services/retrieve";

const analysis = (a: Partial<QueryAnalysis>): QueryAnalysis => ({
  complexity: "simple", is_ambiguous: false, ambiguity_type: "none", clarity_confidence: 0.9, detected_domains: [], refined_query: "q", ...a,
});
const grade = (score: number): RelevanceGrade => ({ chunk_id: String(score), relevance_score: score, level: relevanceLevel(score), reason: "", useful_parts: [] });
const chunk = (id: string, title: string, heading: string, content: string, domain: string, both = true): RetrievedChunk => ({
  chunk_id: id, document_id: `doc-${id}`, title, source: `${domain}/${id}.md`, domain, heading, content, score: 0.03, lexical_rank: 1, vector_rank: both ? 1 : null, expansion_rank: null,
});

describe("route_after_analysis", () => {
  it("clarifies ambiguous questions while rounds remain, then decomposes or retrieves", () => {
    expect(routeAfterAnalysis({ analysis: analysis({ is_ambiguous: true }), interaction_count: 0 })).toBe("clarify_hitl");
    expect(routeAfterAnalysis({ analysis: analysis({ is_ambiguous: true }), interaction_count: MAX_CLARIFICATIONS - 1 })).toBe("clarify_hitl");
    expect(routeAfterAnalysis({ analysis: analysis({ is_ambiguous: true }), interaction_count: MAX_CLARIFICATIONS })).toBe("retrieve_documents");
    expect(routeAfterAnalysis({ analysis: analysis({ is_ambiguous: true, complexity: "complex" }), interaction_count: 2 })).toBe("decompose_query");
    expect(routeAfterAnalysis({ analysis: analysis({ complexity: "complex" }), interaction_count: 0 })).toBe("decompose_query");
    expect(routeAfterAnalysis({ analysis: analysis({}), interaction_count: 0 })).toBe("retrieve_documents");
  });
});

describe("route_after_evaluation", () => {
  it("generates on average ≥ 0.8 with at least 2 high documents", () => {
    expect(routeAfterEvaluation({ grades: [grade(0.8), grade(0.9)], retry_count: 0 }, false)).toBe("generate_response");
    // average high enough but only one high document
    expect(routeAfterEvaluation({ grades: [grade(0.95)], retry_count: 0 }, false)).toBe("rewrite_query");
    // two high documents but a low average
    expect(routeAfterEvaluation({ grades: [grade(0.9), grade(0.9), grade(0.3)], retry_count: 0 }, false)).toBe("rewrite_query");
  });
  it("rewrites up to 2 times, then searches the web when configured, else generates", () => {
    const weak = [grade(0.4), grade(0.6)];
    expect(routeAfterEvaluation({ grades: weak, retry_count: MAX_RETRIES - 1 }, true)).toBe("rewrite_query");
    expect(routeAfterEvaluation({ grades: weak, retry_count: MAX_RETRIES }, true)).toBe("web_search");
    expect(routeAfterEvaluation({ grades: weak, retry_count: MAX_RETRIES }, false)).toBe("generate_response");
    // With a sufficiency assessment it decides; a decomposed question retries once.
    const insufficient = { ...weakSufficiency, sufficient: false };
    expect(routeAfterEvaluation({ grades: [], retry_count: 0, sufficiency: { ...insufficient, sufficient: true } }, false)).toBe("generate_response");
    expect(routeAfterEvaluation({ grades: [], retry_count: 1, sufficiency: insufficient }, false)).toBe("rewrite_query");
    const parts = [{ id: 1, question: "a?" }, { id: 2, question: "b?" }];
    expect(routeAfterEvaluation({ grades: [], retry_count: 0, sufficiency: insufficient, sub_questions: parts }, false)).toBe("rewrite_query");
    expect(routeAfterEvaluation({ grades: [], retry_count: 1, sufficiency: insufficient, sub_questions: parts }, true)).toBe("web_search");
    // A name the knowledge base never mentions: no rewrite.
    const unknownName = { ...insufficient, missing_names: ["useMountEffect"] };
    expect(routeAfterEvaluation({ grades: [], retry_count: 0, sufficiency: unknownName }, false)).toBe("generate_response");
    expect(routeAfterEvaluation({ grades: [], retry_count: 0, sufficiency: unknownName }, true)).toBe("web_search");
  });
});

describe("thresholds and confidence", () => {
  it("levels: high ≥ 0.8, medium 0.5–0.8, low < 0.5", () => {
    expect([0.8, 0.79, 0.5, 0.49].map(relevanceLevel)).toEqual(["high", "medium", "medium", "low"]);
    expect([HIGH_RELEVANCE, MEDIUM_RELEVANCE]).toEqual([0.8, 0.5]);
    expect(averageRelevance([])).toBe(0);
    expect(averageRelevance([grade(0.4), grade(0.8)])).toBeCloseTo(0.6, 10);
  });
  it("confidence = 0.4·completeness + 0.4·accuracy + 0.2·clarity, clamped", () => {
    expect(confidenceFrom({ completeness: 1, accuracy: 0.5, clarity: 0 })).toBe(0.6);
    expect(confidenceFrom({ completeness: 0.25, accuracy: 0.75, clarity: 1 })).toBe(0.6);
    expect(confidenceFrom({ completeness: 2, accuracy: -1, clarity: 1 })).toBe(0.6);
  });
  it("disclaimer below 0.6 or with web results", () => {
    expect(needsDisclaimer(0.59, false)).toBe(true);
    expect(needsDisclaimer(0.6, false)).toBe(false);
    expect(needsDisclaimer(0.95, true)).toBe(true);
  });
});

describe("offline analysis", () => {
  it("detects complexity in English and Korean", () => {
    expect(analyzeOffline("What is the difference between logs and traces?", [], false).complexity).toBe("complex");
    expect(analyzeOffline("What is baggage and how do I propagate it?", [], false).complexity).toBe("complex");
    expect(analyzeOffline("State와 Props의 차이는 무엇인가요?", [], false).complexity).toBe("complex");
    expect(analyzeOffline("and how do I install it?", [], true).complexity).toBe("simple");
    // A Korean message whose later sentence asks for more is two asks.
    const ko = "HTML 문자열을 JSX에서 어떻게 넣어야 하나요? 그렇게 할 때 보안상 주의할 점도 알려주세요.";
    expect(analyzeOffline(ko, [], false).complexity).toBe("complex");
    expect(decomposeOffline(ko).sub_questions.map((s) => s.question)).toEqual(["HTML 문자열을 JSX에서 어떻게 넣어야 하나요?", "그렇게 할 때 보안상 주의할 점도 알려주세요."]);
    expect(analyzeOffline("배포하면 성능에 영향이 있나요?", [], false).complexity).toBe("simple");
  });
  it("flags missing context and competing page titles, not definitions", () => {
    expect(analyzeOffline("How do I install it?", [], false)).toMatchObject({ is_ambiguous: true, ambiguity_type: "missing_context" });
    const probe = [
      chunk("a", "Exporters", "Languages > Python > Exporters", "Python exporters send data.", "languages"),
      chunk("b", "Exporters", "Languages > Go > Exporters", "Go exporters send data.", "languages"),
      chunk("c", "Exporters", "Collector > Components > Exporters", "Collector exporters.", "collector"),
    ];
    const a = analyzeOffline("How do I configure exporters?", probe, false);
    expect(a).toMatchObject({ is_ambiguous: true, ambiguity_type: "vague_term" });
    expect(a.detected_domains).toEqual(["languages", "collector"]);
    expect(analyzeOffline("What are exporters?", probe, false).is_ambiguous).toBe(false);
    expect(analyzeOffline("x".repeat(2500), [], false).refined_query).toHaveLength(2000);
  });
  it("decomposes comparisons and multi-part questions", () => {
    const q = "What is the difference between head sampling and tail sampling?";
    expect(decomposeOffline(q).sub_questions.map((s) => s.question)).toEqual(["What is head sampling?", "What is tail sampling?", q]);
    const ko = "useEffect, useLayoutEffect, useInsertionEffect는 실행 시점이 어떻게 다르고 언제 써야 하나요?";
    expect(decomposeOffline(ko).sub_questions.map((s) => s.question).slice(0, 3)).toEqual(["useEffect란 무엇인가요?", "useLayoutEffect란 무엇인가요?", "useInsertionEffect란 무엇인가요?"]);
    expect(decomposeOffline("useRef랑 useState는 렌더링 중에 읽는 것 측면에서 어떻게 다른가요?").sub_questions).toHaveLength(3);
    // In a long message "vs" joins clauses, not two compared things: split by asks instead.
    const long = "Our team keeps arguing about tabs vs spaces in the collector config. Which formatter should we use? And does the collector care?";
    expect(decomposeOffline(long).sub_questions.map((s) => s.question)).toEqual([
      "Our team keeps arguing about tabs vs spaces in the collector config. Which formatter should we use?", "And does the collector care?",
    ]);
    // A later ask that leans on the first ("its", "it") is answered with the message whole.
    const leaning = "Out of the box, where can prometheus scrape the collector's own metrics, and where do its logs go?";
    expect(decomposeOffline(leaning).sub_questions.map((s) => s.question)).toEqual([leaning]);
    expect(decomposeOffline("Can otelcol load two config files? Is there a way to validate the merged config?").sub_questions).toHaveLength(2);
    const d = decomposeOffline("What is baggage and how do I propagate context?");
    expect(d.sub_questions.map((s) => s.question)).toEqual(["What is baggage?", "How do I propagate context?"]);
    expect(d.parallel_groups).toEqual([[1, 2]]);
  });
});

const weakSufficiency = {
  score: 0.2, sufficient: false, features: { rare_coverage: 0.2, coverage: 0.2, unknown_share: 0, agreement: 1, missing_name: 0 }, best_chunk: null, rare_terms: [], unknown_terms: [], missing_names: [],
};

describe("offline grading, rewriting and quality", () => {
  it("grades coverage and retriever agreement", () => {
    const docs = [chunk("a", "Baggage", "Concepts > Baggage", "Baggage is contextual information.", "concepts"), chunk("b", "Logs", "Concepts > Logs", "Logs are records.", "concepts", false)];
    const [a, b] = gradeOffline("What is baggage?", docs, new Map());
    expect(a).toMatchObject({ relevance_score: 1, level: "high" });
    expect(b.relevance_score).toBe(0.125);
    expect(b.reason).toMatch(/missing: baggag/);
  });
  it("uses a different strategy per retry", () => {
    const docs = [chunk("a", "Sampling", "Concepts > Sampling", "Sampling sampler sampler probability probability.", "concepts")];
    expect(rewriteOffline("How do I do sampling please?", "keyword_focus", docs, new Map())).toBe("sampling");
    expect(rewriteOffline("sampling", "pseudo_relevance_feedback", docs, new Map())).toBe("sampling sampler probability");
    expect(rewriteOffline("sampling zzqx", "drop_unknown_terms", docs, new Map([["sampl", 3], ["zzqx", 0]]))).toBe("sampling");
  });
  it("scores supported, complete answers high and not-covered answers low", () => {
    const q = qualityOffline("What is baggage?", [], "Baggage is contextual information. [1]", ["Baggage is contextual information."], true);
    expect(q).toEqual({ completeness: 1, accuracy: 1, clarity: 1, confidence: 1 });
    expect(qualityOffline("What is baggage?", [], "Invented text about llamas. [1]", ["Baggage is contextual information."], true).accuracy).toBe(0);
    expect(qualityOffline("q", [], "", [], false).confidence).toBe(0.2);
  });
});
