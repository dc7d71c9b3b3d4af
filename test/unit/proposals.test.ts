import { describe, expect, it } from "vitest";
import type { Tunables } from "../../worker/config-versions/tunables";
import type { AlertRuleSpec } from "../../worker/monitoring/alerts-state";
import { proposeChanges, proposeRevert, tunablesDiff, type DeploymentContext } from "../../worker/monitoring/proposals-rules";

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

describe("proposeRevert", () => {
  const GOOD = DEFAULTS;
  const BAD = { ...DEFAULTS, FUSION_LEXICAL_WEIGHT: 0, PRF_TERMS: 32 } as Tunables;
  const RULE: AlertRuleSpec = { metric: "gold_at_5", operator: "<", warning: 0.85, critical: 0.75, for_runs: 1, keep_firing_for_runs: 1 };
  const T = Date.UTC(2026, 0, 1);
  /** Run p on v1 (fine), then v1 → v2 deployed, then run o on v2 (breaching), production still on v2. */
  const context = (over: Partial<DeploymentContext> = {}): DeploymentContext => ({
    alert: { status: "firing", metric: "gold_at_5" },
    rule: RULE,
    opening: { id: "o", version_id: "v2", created_at: T + 2000, value: 0.625, as_deployed: true },
    previous: { id: "p", version_id: "v1", created_at: T, value: 1, as_deployed: true },
    moves: [{ from_version_id: null, to_version_id: "v1", at: T - 5000 }, { from_version_id: "v1", to_version_id: "v2", at: T + 1000 }],
    production_version_id: "v2",
    tunables: { v1: GOOD, v2: BAD },
    version_numbers: { v1: 1, v2: 2 },
    ...over,
  });

  it("proposes going back to the previous version after a bad deploy", () => {
    const p = proposeRevert(context())!;
    expect(p).toMatchObject({ type: "revert_deployment", base_version_id: "v2" });
    expect(p.changes).toEqual({ FUSION_LEXICAL_WEIGHT: { from: 0, to: 1 }, PRF_TERMS: { from: 32, to: 20 } });
    expect(p.reason).toBe(
      "gold_at_5 = 0.625 (< 0.75, critical) on run o, which opened the alert on version 2, deployed at 2026-01-01T00:00:01.000Z after run p on version 1, " +
      "where gold_at_5 = 1 did not breach. Revert to version 1: FUSION_LEXICAL_WEIGHT, PRF_TERMS.",
    );
    // It comes before the other rules, which would restore the defaults here.
    expect(proposeChanges({ gold_at_5: 0.625 }, FAILURES, BAD, DEFAULTS, "gold_at_5", context())!.type).toBe("revert_deployment");
    expect(proposeChanges({ gold_at_5: 0.625 }, FAILURES, BAD, DEFAULTS, "gold_at_5", null)!.type).toBe("restore_retrieval_defaults");
  });

  it("does not apply without a bad deploy right before the opening run", () => {
    const base = context();
    const cases: [string, Partial<DeploymentContext>][] = [
      ["alert pending", { alert: { status: "pending", metric: "gold_at_5" } }],
      ["no previous run", { previous: null }],
      ["previous run breached too", { previous: { ...base.previous!, value: 0.8 } }],
      ["previous run did not report the metric", { previous: { ...base.previous!, value: null } }],
      ["opening run does not breach", { opening: { ...base.opening, value: 0.9 } }],
      ["same version", { previous: { ...base.previous!, version_id: "v2" } }],
      ["opening run evaluated overrides", { opening: { ...base.opening, as_deployed: false } }],
      ["previous run was not as deployed", { previous: { ...base.previous!, as_deployed: false } }],
      ["deployed before the previous run", { moves: [{ from_version_id: "v1", to_version_id: "v2", at: T - 1 }] }],
      ["deployed after the opening run", { moves: [{ from_version_id: "v1", to_version_id: "v2", at: T + 2001 }] }],
      ["deployed from another version", { moves: [{ from_version_id: "v0", to_version_id: "v2", at: T + 1000 }] }],
      ["no deploy at all", { moves: [] }],
      ["production moved on", { production_version_id: "v3" }],
      ["identical tunables", { tunables: { v1: GOOD, v2: { ...GOOD } } }],
      ["version unknown", { tunables: { v2: BAD } }],
    ];
    for (const [why, over] of cases) expect(proposeRevert(context(over)), why).toBeNull();
  });

  it("lists the whole diff of the tunables, string-valued ones included", () => {
    const p = proposeRevert(context({ tunables: { v1: GOOD, v2: { ...GOOD, GENERATION_PROVIDER: "openai", OPENAI_CHAT_MODEL: "gpt-x" } as Tunables } }))!;
    expect(p.changes).toEqual({ GENERATION_PROVIDER: { from: "openai", to: "offline" }, OPENAI_CHAT_MODEL: { from: "gpt-x", to: "gpt-4o-mini" } });
    expect(tunablesDiff(GOOD, GOOD)).toEqual({});
  });
});
