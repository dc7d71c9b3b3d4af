/**
 * The state of the corrective RAG graph. It is plain JSON: a run interrupted for a clarification is
 * stored in the session's Durable Object as is and resumed from there.
 */
import type { RetrievedChunk } from "../../services/retrieve";
import type { SearchScope } from "../../schemas";
import type { Sufficiency } from "./sufficiency";

/** Names of the graph's nodes, in the order they usually run. */
export type NodeName =
  | "analyze_query"
  | "clarify_hitl"
  | "decompose_query"
  | "retrieve_documents"
  | "evaluate_relevance"
  | "rewrite_query"
  | "web_search"
  | "generate_response"
  | "evaluate_quality";

/** Output of `analyze_query`. */
export interface QueryAnalysis {
  complexity: "simple" | "complex";
  is_ambiguous: boolean;
  ambiguity_type: "none" | "vague_term" | "missing_context" | "broad_topic";
  /** 0..1: how sure the analyzer is that the question is clear. */
  clarity_confidence: number;
  /** Knowledge-base domains the question touches (from retrieval), most supported first. */
  detected_domains: string[];
  /** The question, normalised (at most 2,000 characters). */
  refined_query: string;
}

/** One option of a clarification question: a topic the knowledge base covers for the query. */
export interface ClarificationOption {
  id: string;
  label: string;
  /** How many retrieved sources back this topic. */
  source_count: number;
  /** Domain to scope retrieval to when the option is chosen, if any. */
  domain?: string;
}

/** A pending clarification (`clarify_hitl` interrupt). */
export interface Clarification {
  clarification_question: string;
  options: ClarificationOption[];
  allow_custom_input: true;
  interaction_count: number;
}

/** A sub-question of a decomposed complex question. */
export interface SubQuestion {
  id: number;
  question: string;
}

/** `evaluate_relevance` output for one retrieved chunk. */
export interface RelevanceGrade {
  chunk_id: string;
  relevance_score: number;
  level: "high" | "medium" | "low";
  reason: string;
  useful_parts: string[];
}

/** A web search hit used as a source. */
export interface WebSource {
  title: string;
  url: string;
  content: string;
  score: number;
}

/** `evaluate_quality` output; confidence = 0.4·completeness + 0.4·accuracy + 0.2·clarity. */
export interface QualityScores {
  completeness: number;
  accuracy: number;
  clarity: number;
  confidence: number;
}

/** A rewritten retrieval query and the strategy that produced it. */
export interface RewrittenQuery {
  query: string;
  strategy: string;
}

/** The whole graph state. */
export interface GraphState {
  /** The user's question as asked (after follow-up resolution against the session). */
  question: string;
  search_scope?: SearchScope;
  analysis?: QueryAnalysis;
  /** Clarification rounds already answered for this question (0..2). */
  interaction_count: number;
  clarification?: Clarification;
  /** The user's answers to clarifications, oldest first. */
  clarification_answers: string[];
  sub_questions: SubQuestion[];
  /** Retrieval query of each sub-question (rewrites change these, not the sub-questions). */
  sub_queries: string[];
  /** Groups of sub-question ids retrieved in parallel; groups run in order. */
  parallel_groups: number[][];
  synthesis_guide: string;
  /** The query the next retrieval uses. */
  current_query: string;
  documents: RetrievedChunk[];
  grades: RelevanceGrade[];
  /** Whether the retrieved chunks answer the question (for a decomposed question: its best part). */
  sufficiency?: Sufficiency;
  /** Per sub-question of a decomposed question, in order (empty otherwise). */
  sub_sufficiency: Sufficiency[];
  retry_count: number;
  rewritten_queries: RewrittenQuery[];
  correction_triggered: boolean;
  web_search_triggered: boolean;
  web_results: WebSource[];
  initial_avg_relevance: number | null;
  final_avg_relevance: number | null;
  response?: string;
  has_sufficient_info?: boolean;
  cited_indexes: number[];
  coverage: number;
  quality?: QualityScores;
  node_sequence: NodeName[];
  timings_ms: Partial<Record<NodeName, number>>;
  total_llm_calls: number;
  /**
   * Tokens (prompt + completion) of those calls, as the LLM clients report them (a response's
   * `usage`, else estimated: worker/usage/caps.ts). Absent in states stored before it existed.
   */
  total_llm_tokens?: number;
}

/** A fresh state for `question`. */
export function initialState(question: string, searchScope?: SearchScope): GraphState {
  return {
    question, search_scope: searchScope, interaction_count: 0, clarification_answers: [], sub_questions: [], sub_queries: [],
    parallel_groups: [], synthesis_guide: "", current_query: question, documents: [], grades: [], sub_sufficiency: [], retry_count: 0,
    rewritten_queries: [], correction_triggered: false, web_search_triggered: false, web_results: [],
    initial_avg_relevance: null, final_avg_relevance: null, cited_indexes: [], coverage: 0, node_sequence: [],
    timings_ms: {}, total_llm_calls: 0, total_llm_tokens: 0,
  };
}
