import { describe, expect, it } from "vitest";
import { ROUTER_PATTERNS, routeQuery } from "../../worker/agents/router";

const MATH_QUERIES = [
  "What is 65 x 3.11?",
  "Calculate (42 * 2) / 6",
  "Solve 2x + 5 = 15",
  "What's the square root of 144?",
  "12 * (3 + 4)",
  "what is 15% of 240",
  "2^10",
  "sqrt(2)",
  "3 더하기 5는?",
  "144의 제곱근은?",
  "Solve for x: 3(x + 2) = 2x - 4",
  "10 divided by 4",
  "2 to the power of 10",
  "9**9**9**9",
];

const KNOWLEDGE_QUERIES = [
  "What is the fee for 12 installments?",
  "How many spans can a trace have?",
  "What is OpenTelemetry 1.0?",
  "How do I configure 3 receivers in the Collector?",
  "What changed in React 19?",
  "Explain tail sampling",
  "What is the default chunk size of 1000 characters?",
  "What is 2 + 2 in the Collector config?",
  "What is 24/7 support?",
  "What happened on 2024-01-15?",
  "42",
  "",
];

describe("routeQuery", () => {
  it.each(MATH_QUERIES)("routes %j to the math agent", (query) => {
    const decision = routeQuery(query);
    expect(decision.route, decision.reasoning).toBe("math");
    expect(decision.matches_found.length).toBeGreaterThan(0);
    expect(decision.reasoning).toMatch(/math agent/);
  });

  it.each(KNOWLEDGE_QUERIES)("routes %j to the knowledge graph", (query) => {
    const decision = routeQuery(query);
    expect(decision.route, decision.reasoning).toBe("knowledge");
    expect(decision.reasoning).toMatch(/knowledge graph/);
  });

  it("treats a number alone as not math: the installment fee question is knowledge", () => {
    const decision = routeQuery("What is the fee for 12 installments?");
    expect(decision.route).toBe("knowledge");
    expect(decision.matches_found).toEqual([]);
    expect(decision.reasoning).toMatch(/numbers alone are not math/);
  });

  it("reports every named pattern it checked", () => {
    const decision = routeQuery("Solve 2x + 5 = 15");
    expect(decision.patterns_checked).toEqual(ROUTER_PATTERNS.map((p) => p.name));
    expect(decision.patterns_checked).toContain("arithmetic_operator");
    expect(decision.patterns_checked).toContain("equation_with_variable");
  });

  it.each([
    ["Solve 2x + 5 = 15", "equation_with_variable"],
    ["what is 15% of 240", "percent_of"],
    ["What's the square root of 144?", "math_function_words"],
    ["sqrt(2)", "math_function_call"],
    ["3 더하기 5는?", "korean_arithmetic"],
    ["144의 제곱근은?", "korean_math_function"],
  ])("reports that %j matched %s, among the patterns it checked", (query, pattern) => {
    const decision = routeQuery(query);
    expect(decision.matches_found).toContain(pattern);
    for (const name of decision.matches_found) expect(decision.patterns_checked).toContain(name);
  });

  it("requires the math part to dominate the query", () => {
    const decision = routeQuery("What is 2 + 2 in the Collector config?");
    expect(decision.matches_found).toContain("arithmetic_operator");
    expect(decision.route).toBe("knowledge");
    expect(decision.reasoning).toMatch(/"collector"/);
  });

  it("blanks dates and versions before looking for operators", () => {
    const decision = routeQuery("What happened on 2024-01-15?");
    expect(decision.matches_found).toEqual(["date_or_version_guard"]);
    expect(decision.route).toBe("knowledge");
  });

  it("is fast and reports a non-negative execution time, even for huge input", () => {
    const started = performance.now();
    const decision = routeQuery("1".repeat(10_000) + " + 1");
    expect(performance.now() - started).toBeLessThan(500);
    expect(decision.execution_time_ms).toBeGreaterThanOrEqual(0);
    expect(decision.route).toBe("math"); // the math agent then refuses it by length
  });
});
