import { describe, expect, it } from "vitest";
import type { EvaluationResultRow, FeedbackRow } from "../../worker/db/schema";
import { replayCaseOf, replayChanged } from "../../worker/monitoring/replays";
import { computeRunMetrics } from "../../worker/monitoring/runs";
import { compareResults } from "../../worker/monitoring/validation";
import { judgeWithoutGold } from "../../worker/rag/eval/answers";
import { NOT_COVERED_MESSAGE } from "../../worker/rag/generation/types";
import type { ChatMessage } from "../../worker/services/messages";

const msg = (m: Partial<ChatMessage> & Pick<ChatMessage, "id" | "role" | "kind" | "content">): ChatMessage => ({
  sources: [], created_at: "2026-01-01T00:00:00.000Z", resolved_query: null, meta: null, ...m,
});
const meta = (has: boolean) => ({ route: "knowledge", retrieval_source: "hybrid" as const, confidence: 0.5, has_sufficient_info: has, processing_time_ms: 10 });
const rating = (messageId: string): FeedbackRow => ({
  id: `f-${messageId}`, sessionId: "s", messageId, rating: "down", reasons: ["wrong_citation"], comment: "bad", createdAt: 1000,
});

describe("replayCaseOf", () => {
  const messages = [
    msg({ id: "q1", role: "user", kind: "question", content: "What is the Collector?" }),
    msg({ id: "a1", role: "assistant", kind: "answer", content: "The Collector receives telemetry. [1]", meta: meta(true) }),
    msg({ id: "q2", role: "user", kind: "question", content: "and how do I configure it?", resolved_query: "and how do I configure it? (Collector)" }),
    msg({ id: "c2", role: "assistant", kind: "clarification", content: "Which one do you mean?" }),
    msg({ id: "r2", role: "user", kind: "clarification_answer", content: "1" }),
    msg({ id: "a2", role: "assistant", kind: "answer", content: NOT_COVERED_MESSAGE }),
    msg({ id: "a3", role: "assistant", kind: "answer", content: "x".repeat(600), meta: meta(false) }),
  ];

  it("replays the question before the rated answer, its resolved query first", () => {
    expect(replayCaseOf(rating("a1"), messages)).toEqual({
      caseId: "f-a1", sessionId: "s", messageId: "a1", question: "What is the Collector?", previousResponse: "The Collector receives telemetry. [1]",
      previousOutcome: "answer", reasons: ["wrong_citation"], comment: "bad", ratedAt: 1000,
    });
    // After a clarification, the question is still the user's question, resolved with its topic.
    expect(replayCaseOf(rating("a2"), messages)).toMatchObject({ question: "and how do I configure it? (Collector)", previousOutcome: "refusal" });
    expect(replayCaseOf(rating("c2"), messages)).toMatchObject({ question: "and how do I configure it? (Collector)", previousOutcome: "clarification" });
    const long = replayCaseOf(rating("a3"), messages)!;
    expect(long.previousResponse).toHaveLength(500);
    expect(long.previousOutcome).toBe("refusal");
  });

  it("gives null for a message gone from the session, a user message, or no question before it", () => {
    expect(replayCaseOf(rating("gone"), messages)).toBeNull();
    expect(replayCaseOf(rating("q1"), messages)).toBeNull();
    expect(replayCaseOf(rating("a1"), messages.slice(1))).toBeNull();
  });
});

describe("replayChanged", () => {
  it("compares the outcome, then the text with whitespace folded", () => {
    expect(replayChanged({ outcome: "answer", response: "A  b\nc" }, { outcome: "answer", response: "A b c" })).toBe(false);
    expect(replayChanged({ outcome: "answer", response: "A b c" }, { outcome: "answer", response: "A b d" })).toBe(true);
    expect(replayChanged({ outcome: "refusal", response: "A" }, { outcome: "answer", response: "A" })).toBe(true);
    expect(replayChanged({ outcome: null, response: "A" }, { outcome: "answer", response: "A" })).toBe(false);
    // Only the first 500 characters are kept of either answer.
    expect(replayChanged({ outcome: "answer", response: "x".repeat(500) }, { outcome: "answer", response: `${"x".repeat(500)} more` })).toBe(false);
  });
});

const result = (r: Partial<EvaluationResultRow>): EvaluationResultRow => ({
  runId: "run", caseId: "c", batchIndex: 0, outcome: "answer", answered: true, refused: false, keywordsHit: 0, keywordsTotal: 0, goldAt5: false,
  citations: 0, citationsValid: 0, citationsGold: 0, citationPrecision: null, latencyMs: 100, llmCalls: 0, problems: [], error: null, response: "",
  faithfulness: null, changed: null, ...r,
});

describe("run metrics with faithfulness and replays", () => {
  it("computes what needs no gold for replays and leaves the gold metrics null", () => {
    const m = computeRunMetrics([
      result({ caseId: "f1", citations: 2, citationsValid: 1, faithfulness: 1, changed: true, latencyMs: 100, llmCalls: 4 }),
      result({ caseId: "f2", outcome: "refusal", answered: false, refused: true, changed: false, latencyMs: 300, llmCalls: 2 }),
      result({ caseId: "f3", citations: 2, citationsValid: 2, faithfulness: 0.5, changed: true, latencyMs: 200, llmCalls: 0 }),
      result({ caseId: "f4", outcome: null, answered: false, error: "boom", changed: null }),
    ], "replays");
    expect(m).toEqual({
      cases: 3, answerable: 0, unanswerable: 0, errors: 1, answered_rate: 2 / 3, citation_validity: 3 / 4, faithfulness: 0.75, changed: 2,
      latency_p50_ms: 200, latency_p95_ms: 300, llm_calls_per_answer: 2,
      answer_keyword_recall: null, all_keywords: null, citation_precision: null, gold_at_5: null, answered_when_found: null, honest_refusal_rate: null,
    });
    expect(computeRunMetrics([], "replays")).toMatchObject({ cases: 0, answered_rate: null, citation_validity: null, faithfulness: null, changed: 0 });
  });

  it("averages faithfulness over the judged cases of a split, null when none was judged", () => {
    const split = [result({ caseId: "otel-col-008", keywordsTotal: 2, faithfulness: 0.5 }), result({ caseId: "otel-nc-001", outcome: "refusal", answered: false, refused: true })];
    expect(computeRunMetrics(split).faithfulness).toBe(0.5);
    expect(computeRunMetrics(split).changed).toBeUndefined();
    expect(computeRunMetrics(split.map((r) => ({ ...r, faithfulness: null }))).faithfulness).toBeNull();
  });

  it("judges a turn without gold on its citations only", () => {
    const j = judgeWithoutGold("f1", {
      outcome: "answer", response: "The Collector receives telemetry. [1] Made up. [2]", sources: ["a.md"],
      cited: [{ index: 1, source: "a.md", title: "A", heading: "A", content: "The Collector receives telemetry." }],
    });
    expect(j).toEqual({
      id: "f1", answered: true, refusedHonestly: false, goldAt5: false, allKeywords: false, keywordRecall: 0, citations: 2, validCitations: 1, goldCitations: 0,
      problems: ["[2] points at no source"],
    });
  });

  it("pairs replayed questions in a validation on answered rate and latency only", () => {
    const base = [result({ caseId: "f1", answered: false, latencyMs: 100 }), result({ caseId: "f2", answered: true, latencyMs: 100 })];
    const cand = [result({ caseId: "f1", answered: true, latencyMs: 50 }), result({ caseId: "f2", answered: true, latencyMs: 50 })];
    const c = compareResults(base, cand, () => "replay");
    expect(c.paired_cases).toBe(2);
    expect(c.metrics.answered_rate).toMatchObject({ n: 2, baseline: 0.5, candidate: 1, delta: 0.5 });
    expect(c.metrics.latency_ms).toMatchObject({ n: 2, delta: -50 });
    expect(c.metrics.gold_at_5).toBeNull();
    expect(c.metrics.honest_refusal_rate).toBeNull();
    // With the splits' kinds (the default), unknown case ids are left out.
    expect(compareResults(base, cand).paired_cases).toBe(0);
  });
});
