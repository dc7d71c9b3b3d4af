import { describe, expect, it } from "vitest";
import { formatNumber, type MathErrorCode, type MathResult, solveMath } from "../../worker/agents/math";

type Solved = Extract<MathResult, { ok: true }>;

function ok(query: string): Solved {
  const result = solveMath(query);
  if (!result.ok) throw new Error(`${query}: ${result.error.code}: ${result.error.message}`);
  return result;
}

/** Runs solveMath, asserts the refusal code and that the refusal came back in under 500 ms. */
function refused(query: string, codes: MathErrorCode | MathErrorCode[], options?: Parameters<typeof solveMath>[1]) {
  const started = performance.now();
  const result = solveMath(query, options);
  const elapsed = performance.now() - started;
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) throw new Error("unreachable");
  expect([codes].flat()).toContain(result.error.code);
  expect(result.error.message.length).toBeGreaterThan(0);
  expect(elapsed).toBeLessThan(500);
  return result.error;
}

/**
 * A query and what solveMath must answer: `toMatchObject` semantics, so only the fields given are
 * compared, and a `steps` array given must equal the steps exactly (same length and order).
 */
type SolvedCase = [query: string, expected: Partial<Solved>];

/** A query, the refusal code it must get, and the options of the call if any. */
type RefusedCase = [query: string, code: MathErrorCode, options?: Parameters<typeof solveMath>[1]];

describe("solveMath: arithmetic from natural language", () => {
  it.each<SolvedCase>([
    ["What is 65 x 3.11?", { kind: "arithmetic", expression: "65 * 3.11", result: "202.15", steps: ["65 * 3.11 = 202.15"] }],
    ["Calculate (42 * 2) / 6", { kind: "arithmetic", expression: "(42 * 2) / 6", result: "14", steps: ["42 * 2 = 84", "84 / 6 = 14"] }],
    // square root
    ["What's the square root of 144?", { expression: "sqrt(144)", result: "12" }],
    ["What’s the square root of 144?", { result: "12" }],
    ["What is the square root of (12 + 4)?", { expression: "sqrt(12 + 4)", result: "4" }],
    // percent
    ["what is 15% of 240", { result: "36", kind: "arithmetic" }],
    ["15% of 240", { expression: "(15 / 100) * 240" }],
    ["What is 10 percent of 50?", { result: "5" }],
    // plain expressions
    ["12 * (3 + 4)", { result: "84", steps: ["3 + 4 = 7", "12 * 7 = 84"] }],
    ["2^10", { result: "1024" }],
    ["2**10", { result: "1024" }],
    ["sqrt(2)", { result: "1.4142135623731" }],
    ["0.1 + 0.2", { result: "0.3" }],
    ["-2^2", { result: "-4" }],
    ["7 % 3", { result: "1" }],
    ["1,000 + 2,500", { result: "3500" }],
    ["2e3 * 2", { result: "4000" }],
    ["min(3, 1, 2)", { result: "1" }],
    ["round(3.14159, 2)", { result: "3.14" }],
    ["sin(pi / 2)", { result: "1" }],
    ["2^1000", { result: "1.0715086071863e+301" }],
    // word operators
    ["10 divided by 4", { result: "2.5" }],
    ["2 to the power of 10", { result: "1024" }],
    ["5 squared", { result: "25" }],
    ["What is 7 times 6?", { result: "42" }],
    // Korean
    ["3 더하기 5는?", { expression: "3 + 5", result: "8" }],
    ["144의 제곱근은?", { expression: "sqrt(144)", result: "12" }],
  ])("%o → %o", (query, expected) => {
    expect(ok(query)).toMatchObject(expected);
  });

  describe("formats with 14 significant digits and no trailing zeros", () => {
    it.each<[value: number, formatted: string]>([
      [204.21499999999997, "204.215"],
      [2.5, "2.5"],
      [1e21, "1e+21"],
      [-0, "0"],
      [1 / 3, "0.33333333333333"],
    ])("formatNumber(%f) = %s", (value, formatted) => {
      expect(formatNumber(value)).toBe(formatted);
    });
  });
});

describe("solveMath: equations", () => {
  it.each<SolvedCase>([
    ["Solve 2x + 5 = 15", { kind: "equation", expression: "2x + 5 = 15", result: "x = 5", steps: ["2x + 5 = 15", "2x = 15 - 5 = 10", "x = 10 / 2 = 5"] }],
    // linear equations in other shapes
    ["3x - 7 = 11", { result: "x = 6", steps: ["3x - 7 = 11", "3x = 11 + 7 = 18", "x = 18 / 3 = 6"] }],
    ["Solve for x: 3(x + 2) = 2x - 4", { result: "x = -10", steps: ["3(x + 2) = 2x - 4", "3x + 6 = 2x - 4", "3x - 2x = -4 - 6", "x = -10"] }],
    ["solve 0.1x + 0.2 = 0.3", { result: "x = 1" }],
    ["solve x / 3 + 1 = 2", { result: "x = 3" }],
    ["solve y = 10 / 2", { result: "y = 5" }],
    ["x + 1 = x + 1", { result: "x can be any real number" }],
    // quadratic equations
    ["solve x^2 - 5x + 6 = 0", { result: "x = 2 or x = 3" }],
    ["2x^2 = 8", { result: "x = -2 or x = 2" }],
    ["x^2 - 2x + 1 = 0", { result: "x = 1" }],
  ])("%o → %o", (query, expected) => {
    expect(ok(query)).toMatchObject(expected);
  });

  it("shows the discriminant of a quadratic equation among the steps", () => {
    expect(ok("solve x^2 - 5x + 6 = 0").steps).toContain("discriminant = b^2 - 4ac = (-5)^2 - 4 * 1 * 6 = 1");
  });

  it.each<RefusedCase>([
    // equations without a (real) solution or beyond the solver
    ["x + 1 = x + 2", "no_solution"],
    ["x^2 + 1 = 0", "no_solution"],
    ["x + y = 3", "too_complex"],
    ["x^3 = 8", "too_complex"],
    ["2^x = 8", "too_complex"],
  ])("refuses %o as %s", (query, code) => {
    refused(query, code);
  });
});

describe("solveMath: refusals", () => {
  it.each<RefusedCase>([
    // division by zero and non-real results
    ["1/0", "no_solution"],
    ["sqrt(-4)", "no_solution"],
    ["log(0)", "no_solution"],
    // natural language without math is unparseable
    ["What is the fee for 12 installments?", "unparseable"],
    ["Explain tail sampling", "unparseable"],
    ["2x + 3", "unparseable"],
    // power towers are refused as too_complex before evaluation
    ["9**9**9**9", "too_complex"],
    ["9^9^9^9", "too_complex"],
    ["(9^9)^(9^9)", "too_complex"],
    ["pow(10, 400)", "too_complex"],
    ["10^309", "too_complex"],
    ["exp(1000)", "too_complex"],
    ["9^".repeat(200) + "9", "too_complex"],
    // oversized input is refused by length (the 10,000-character one below, with its message)
    ["1+".repeat(300) + "1", "too_complex"],
    ["1 + 1 + 1", "too_complex", { maxExpressionChars: 5 }],
    ["(".repeat(40) + "1" + ")".repeat(40), "too_complex"],
    // code injection attempts are unsafe_expression
    ["__import__('os')", "unsafe_expression"],
    ["import('fs')", "unsafe_expression"],
    ["import(fs)", "unsafe_expression"],
    ['constructor.constructor("return process")()', "unsafe_expression"],
    ["constructor.constructor", "unsafe_expression"],
    ["evaluate(1)", "unsafe_expression"],
    ["parse(x)", "unsafe_expression"],
    ["[1, 2, 3]", "unsafe_expression"],
    ["{a: 1}", "unsafe_expression"],
    ["1; 2", "unsafe_expression"],
    // assignments and function definitions are unsafe_expression
    ["a = 5", "unsafe_expression"],
    ["f(x) = x", "unsafe_expression"],
    ["x == 5", "unsafe_expression"],
    // expensive or out-of-whitelist functions are refused
    ["ones(100000,100000)", "unsafe_expression"],
    ["zeros(100000, 100000)", "unsafe_expression"],
    ["factorial(100000)", "unsafe_expression"],
    ["100000!", "unsafe_expression"],
    ["range(1, 1e9)", "unsafe_expression"],
    ["1:1e9", "unsafe_expression"],
    ["createUnit('foo')", "unsafe_expression"],
    ["5 kg to lb", "unsafe_expression"],
    ["2 inch + 3 cm", "unsafe_expression"],
    ["unit(5, cm)", "unsafe_expression"],
  ])("refuses %o as %s", (query, code, options) => {
    refused(query, code, options);
  });

  it("refuses a 10,000-character input by length and says so", () => {
    const huge = refused("1".repeat(10_000), "too_complex");
    expect(huge.message).toMatch(/longer than/);
  });
});
