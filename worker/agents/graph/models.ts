/**
 * The model-backed steps of the graph behind one interface. `offlineModels` is the deterministic
 * default; model-backed implementations fall back to it when the provider fails.
 */
import type { RetrievedChunk } from "../../services/retrieve";
import { analyzeOffline, clarifyOffline, decomposeOffline, gradeOffline, qualityOffline, rewriteOffline, type RewriteStrategy } from "./offline";
import type { ClarificationOption, QualityScores, QueryAnalysis, RelevanceGrade, SubQuestion } from "./state";

/** A step's output, the number of LLM calls it made and their tokens (prompt + completion; absent: 0). */
export interface Counted<T> {
  value: T;
  llmCalls: number;
  tokens?: number;
}

export interface GraphModels {
  /** Name reported in traces, e.g. "offline" or "openai:gpt-4o-mini". */
  readonly name: string;
  analyze(question: string, probe: readonly RetrievedChunk[], hasContext: boolean): Promise<Counted<QueryAnalysis>>;
  clarify(question: string, probe: readonly RetrievedChunk[], korean: boolean): Promise<Counted<{ question: string; options: ClarificationOption[] }>>;
  decompose(question: string): Promise<Counted<{ sub_questions: SubQuestion[]; parallel_groups: number[][]; synthesis_guide: string }>>;
  grade(query: string, docs: readonly RetrievedChunk[], idf: ReadonlyMap<string, number>): Promise<Counted<RelevanceGrade[]>>;
  rewrite(query: string, strategy: RewriteStrategy, docs: readonly RetrievedChunk[], df: ReadonlyMap<string, number>): Promise<Counted<string>>;
  quality(question: string, subQuestions: readonly SubQuestion[], response: string, sourceTexts: readonly string[], sufficient: boolean): Promise<Counted<QualityScores>>;
}

const none = <T>(value: T): Counted<T> => ({ value, llmCalls: 0 });

/** The deterministic offline implementation of every step. */
export const offlineModels: GraphModels = {
  name: "offline",
  analyze: async (q, probe, ctx) => none(analyzeOffline(q, probe, ctx)),
  clarify: async (q, probe, korean) => none(clarifyOffline(q, probe, korean)),
  decompose: async (q) => none(decomposeOffline(q)),
  grade: async (q, docs, idf) => none(gradeOffline(q, docs, idf)),
  rewrite: async (q, s, docs, df) => none(rewriteOffline(q, s, docs, df)),
  quality: async (q, subs, r, texts, ok) => none(qualityOffline(q, subs, r, texts, ok)),
};
