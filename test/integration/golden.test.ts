/**
 * The golden set (test/golden/cases.json): real questions over the OpenTelemetry documentation
 * (English) and the Korean React documentation, each with its expected scenario, complexity,
 * ambiguity, domains and required answer keywords. Every case runs through the real chat turn
 * (router, math agent or the agent graph) with the offline providers. `npm run eval:golden` prints
 * the pass rate per category; this test fails when a rate drops below test/golden/baseline.json.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { runChatTurn } from "../../worker/services/chat";
import { ingestDocument } from "../../worker/services/ingest";
import baseline from "../golden/baseline.json";
import cases from "../golden/cases.json";

/** One golden case. `keywords` must all appear in the answer (case-insensitive). */
export interface GoldenCase {
  id: string;
  category: "clear" | "ambiguous" | "complex" | "unanswerable" | "weak" | "math";
  language: "en" | "ko";
  query: string;
  expected: {
    scenario: "answer" | "clarification" | "not_covered" | "math";
    complexity?: "simple" | "complex";
    ambiguous?: boolean;
    domains?: string[];
    keywords?: string[];
    rewrites?: number;
  };
}

/** Checks one case's outcome; returns the reasons it failed (empty when it passed). */
function judge(c: GoldenCase, outcome: { type: string; body: any }): string[] {
  const failures: string[] = [];
  const e = c.expected;
  const body = outcome.body;
  const scenario =
    outcome.type === "clarification" ? "clarification"
      : body.retrieval_source === "math" ? "math"
        : body.has_sufficient_info ? "answer" : "not_covered";
  if (scenario !== e.scenario) failures.push(`scenario ${scenario} ≠ ${e.scenario}`);
  const analysis = outcome.type === "answer" ? body.trace?.analysis : null;
  if (analysis && e.complexity && analysis.complexity !== e.complexity) failures.push(`complexity ${analysis.complexity} ≠ ${e.complexity}`);
  if (analysis && e.ambiguous !== undefined && analysis.is_ambiguous !== e.ambiguous && body.trace.interaction_count === 0) {
    failures.push(`ambiguous ${analysis.is_ambiguous} ≠ ${e.ambiguous}`);
  }
  if (analysis && e.domains?.length) {
    const found = analysis.detected_domains as string[];
    if (!e.domains.some((d) => found.includes(d))) failures.push(`domains [${found.join(", ")}] miss ${e.domains.join("|")}`);
  }
  if (e.keywords?.length && outcome.type === "answer") {
    const text = String(body.response).toLowerCase();
    const missing = e.keywords.filter((k) => !text.includes(k.toLowerCase()));
    if (missing.length) failures.push(`missing keywords ${missing.join(", ")}`);
  }
  if (e.rewrites !== undefined && outcome.type === "answer" && body.trace.retry_count !== e.rewrites) {
    failures.push(`rewrites ${body.trace.retry_count} ≠ ${e.rewrites}`);
  }
  return failures;
}

const results: { c: GoldenCase; failures: string[] }[] = [];

beforeAll(async () => {
  const p = providers(env);
  for (const doc of [...env.TEST_CORPUS, ...env.TEST_CORPUS_KO]) await ingestDocument(env, p, doc);
  for (const c of cases as GoldenCase[]) {
    const turn = await runChatTurn(
      { kind: "question", query: c.query },
      { env, providers: p, webSearch: null, sessionId: `golden-${c.id}`, history: [], pending: null },
    );
    const failures = judge(c, turn.outcome);
    const body = turn.outcome.body as { response?: string; clarification_question?: string };
    if (failures.length) failures.push(`got: ${(body.response ?? body.clarification_question ?? "").slice(0, 160)}`);
    results.push({ c, failures });
  }
}, 600_000);

describe("golden set", () => {
  it("has at least 60 cases over English and Korean documentation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const ids = new Set((cases as GoldenCase[]).map((c) => c.id));
    expect(ids.size).toBe(cases.length);
    expect((cases as GoldenCase[]).some((c) => c.language === "ko")).toBe(true);
  });

  it("keeps every category's pass rate at or above the recorded baseline", () => {
    const byCategory = new Map<string, { passed: number; total: number }>();
    for (const { c, failures } of results) {
      const s = byCategory.get(c.category) ?? { passed: 0, total: 0 };
      s.total++;
      if (failures.length === 0) s.passed++;
      byCategory.set(c.category, s);
    }
    const passed = results.filter((r) => r.failures.length === 0).length;
    const lines = [
      "| category | passed | total | pass rate |",
      "|---|---:|---:|---:|",
      ...[...byCategory].sort().map(([k, s]) => `| ${k} | ${s.passed} | ${s.total} | ${(s.passed / s.total).toFixed(3)} |`),
      `| **all** | ${passed} | ${results.length} | ${(passed / results.length).toFixed(3)} |`,
      "",
      ...results.filter((r) => r.failures.length).map((r) => `FAIL ${r.c.id} "${r.c.query}": ${r.failures.join("; ")}`),
    ];
    console.log(`\nGolden set pass rates\n${lines.join("\n")}\n`);
    const overall = passed / results.length;
    expect(overall, "overall pass rate").toBeGreaterThanOrEqual(baseline.overall);
    for (const [k, min] of Object.entries(baseline.categories as Record<string, number>)) {
      const s = byCategory.get(k);
      expect(s ? s.passed / s.total : 0, `${k} pass rate`).toBeGreaterThanOrEqual(min);
    }
  });
});
