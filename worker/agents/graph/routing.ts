/**
 * Pure routing functions and thresholds of the corrective RAG graph (after Yan et al.,
 * "Corrective Retrieval Augmented Generation", 2024: grade retrieved documents, correct the query
 * or search the web when they are weak).
 */
import type { GraphState, QualityScores, RelevanceGrade } from "./state";

/** Clarification rounds allowed per question. */
export const MAX_CLARIFICATIONS = 2;
/** Query rewrites allowed before falling back to web search or answering. */
export const MAX_RETRIES = 2;
/** Retries of a decomposed question: each one searches again for every part. */
export const MAX_DECOMPOSED_RETRIES = 1;
/** Relevance levels: high ≥ 0.8, medium 0.5–0.8, low < 0.5. */
export const HIGH_RELEVANCE = 0.8;
export const MEDIUM_RELEVANCE = 0.5;
/** Answers below this confidence carry a disclaimer. */
export const DISCLAIMER_BELOW = 0.6;

/** The level of a relevance score in 0..1. */
export function relevanceLevel(score: number): RelevanceGrade["level"] {
  return score >= HIGH_RELEVANCE ? "high" : score >= MEDIUM_RELEVANCE ? "medium" : "low";
}

/** Mean relevance of the grades (0 when there are none). */
export function averageRelevance(grades: readonly RelevanceGrade[]): number {
  return grades.length === 0 ? 0 : grades.reduce((s, g) => s + g.relevance_score, 0) / grades.length;
}

/** After `analyze_query`: ambiguous (and rounds left) → clarify; complex → decompose; else retrieve. */
export function routeAfterAnalysis(state: Pick<GraphState, "analysis" | "interaction_count">): "clarify_hitl" | "decompose_query" | "retrieve_documents" {
  const a = state.analysis;
  if (a?.is_ambiguous && state.interaction_count < MAX_CLARIFICATIONS) return "clarify_hitl";
  if (a?.complexity === "complex") return "decompose_query";
  return "retrieve_documents";
}

/**
 * After `evaluate_relevance`. With a sufficiency assessment: sufficient → generate; a name of the
 * message that the knowledge base never mentions → web search when configured, else generate; else retries
 * left ({@link MAX_RETRIES}, or {@link MAX_DECOMPOSED_RETRIES} for a decomposed question) → rewrite; else web search when configured; else generate (which gives the not-covered
 * answer). Without one (older states): average
 * relevance ≥ 0.8 with at least 2 high grades → generate; else retries left → rewrite; else web
 * search or generate.
 */
export function routeAfterEvaluation(
  state: Pick<GraphState, "grades" | "retry_count" | "sufficiency"> & Partial<Pick<GraphState, "sub_questions">>,
  webSearchEnabled: boolean,
): "generate_response" | "rewrite_query" | "web_search" {
  const s = state.sufficiency;
  if (s) {
    if (s.sufficient) return "generate_response";
    // No rewrite finds a name that the knowledge base never mentions.
    if ((s.missing_names?.length ?? 0) > 0) return webSearchEnabled ? "web_search" : "generate_response";
    const retries = (state.sub_questions?.length ?? 0) > 1 ? MAX_DECOMPOSED_RETRIES : MAX_RETRIES;
    if (state.retry_count < retries) return "rewrite_query";
    return webSearchEnabled ? "web_search" : "generate_response";
  }
  const avg = averageRelevance(state.grades);
  const high = state.grades.filter((g) => g.level === "high").length;
  if (avg >= HIGH_RELEVANCE && high >= 2) return "generate_response";
  if (state.retry_count < MAX_RETRIES) return "rewrite_query";
  return webSearchEnabled ? "web_search" : "generate_response";
}

/** confidence = 0.4·completeness + 0.4·accuracy + 0.2·clarity, each in 0..1, rounded to 3 places. */
export function confidenceFrom(s: Omit<QualityScores, "confidence">): number {
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return Math.round((0.4 * clamp(s.completeness) + 0.4 * clamp(s.accuracy) + 0.2 * clamp(s.clarity)) * 1000) / 1000;
}

/** A disclaimer is needed when confidence < 0.6 or web results were used. */
export function needsDisclaimer(confidence: number, webUsed: boolean): boolean {
  return confidence < DISCLAIMER_BELOW || webUsed;
}
