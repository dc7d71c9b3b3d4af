import { describe, expect, it } from "vitest";
import type { Tunables } from "../../worker/config-versions/tunables";
import { proposeChanges } from "../../worker/monitoring/proposals-rules";

const DEFAULTS: Tunables = {
  FUSION_LEXICAL_WEIGHT: 1, FUSION_VECTOR_WEIGHT: 0.5, FUSION_EXPANSION_WEIGHT: 0.5, PRF_CHUNKS: 3, PRF_MAX_POSTINGS: 30000, PRF_TERMS: 20,
  PRF_BETA: 1, PRF_DIMENSIONS: 192, CHUNK_SIZE: 1000, CHUNK_OVERLAP: 150, GENERATION_PROVIDER: "offline", OPENAI_CHAT_MODEL: "gpt-4o-mini",
  WORKERS_AI_CHAT_MODEL: "@cf/meta/llama-3.1-8b-instruct",
} as Tunables;
const FAILURES = { cases: 8, failing: 5, gold_missed: 4 };

describe("proposeChanges", () => {
  it("restores deviating retrieval tunables when gold_at_5 is low", () => {
    const bad = { ...DEFAULTS, FUSION_LEXICAL_WEIGHT: 0, PRF_CHUNKS: 0 };
    const p = proposeChanges({ gold_at_5: 0.25, answer_keyword_recall: 0.6 }, FAILURES, bad, DEFAULTS)!;
    expect(p.type).toBe("restore_retrieval_defaults");
    expect(p.changes).toEqual({ FUSION_LEXICAL_WEIGHT: { from: 0, to: 1 }, PRF_CHUNKS: { from: 0, to: 3 } });
    expect(p.reason).toContain("gold_at_5 = 0.250");
    expect(p.reason).toContain("5 of 8 cases failing");
    expect(p.reason).toContain("4 without a gold page");
  });

  it("raises recall tunables when retrieval is at its defaults", () => {
    const p = proposeChanges({ gold_at_5: 0.9, answer_keyword_recall: 0.3 }, FAILURES, DEFAULTS, DEFAULTS)!;
    expect(p.type).toBe("raise_retrieval_recall");
    expect(p.changes).toEqual({ FUSION_VECTOR_WEIGHT: { from: 0.5, to: 1 }, PRF_TERMS: { from: 20, to: 28 } });
    expect(p.reason).toContain("answer_keyword_recall = 0.300");
  });

  it("caps raised values at their ranges", () => {
    const p = proposeChanges({ gold_at_5: 0.5 }, FAILURES, { ...DEFAULTS, FUSION_VECTOR_WEIGHT: 10, PRF_TERMS: 30 }, { ...DEFAULTS, FUSION_VECTOR_WEIGHT: 10, PRF_TERMS: 30 })!;
    expect(p.changes).toEqual({ PRF_TERMS: { from: 30, to: 32 } });
  });

  it("lowers the feedback budget for a slow p95", () => {
    const p = proposeChanges({ gold_at_5: 0.95, latency_p95_ms: 7200 }, FAILURES, DEFAULTS, DEFAULTS)!;
    expect(p.type).toBe("lower_feedback_budget");
    expect(p.changes).toEqual({ PRF_MAX_POSTINGS: { from: 30000, to: 15000 }, PRF_CHUNKS: { from: 3, to: 2 } });
    expect(p.reason).toContain("latency_p95_ms = 7200");
  });

  it("acts only on the focus metric and returns null when nothing applies", () => {
    expect(proposeChanges({ gold_at_5: 0.95, answer_keyword_recall: 0.8, latency_p95_ms: 100 }, FAILURES, DEFAULTS, DEFAULTS)).toBeNull();
    expect(proposeChanges({ gold_at_5: 0.2, latency_p95_ms: 100 }, FAILURES, DEFAULTS, DEFAULTS, "latency_p95_ms")).toBeNull();
    expect(proposeChanges({ gold_at_5: 0.2, latency_p95_ms: 9000 }, FAILURES, DEFAULTS, DEFAULTS, "latency_p95_ms")!.type).toBe("lower_feedback_budget");
    expect(proposeChanges({ gold_at_5: null }, FAILURES, DEFAULTS, DEFAULTS)).toBeNull();
    expect(proposeChanges({ latency_p95_ms: 9000 }, FAILURES, { ...DEFAULTS, PRF_MAX_POSTINGS: 500, PRF_CHUNKS: 1 }, DEFAULTS)).toBeNull();
  });
});
