/**
 * Solver of the math agent: the entry point {@link solveMath}, which reads a query with the parser
 * and hands it to the evaluator (arithmetic) or to the solver of one-unknown linear and quadratic
 * equations below, within the time budget.
 */
import type { MathNode, SymbolNode } from "mathjs";
import { evaluateWithSteps } from "./evaluator";
import { formatNumber, paren, render } from "./format";
import { check, extract, parseSide, screen, unwrap } from "./parser";
import { CONSTANTS, MATH_LIMITS, type MathResult, Refusal, refuse, type SolveMathOptions } from "./types";

// ---------------------------------------------------------------------------------------------
// Equations

interface Quadratic {
  a: number; // x^2
  b: number; // x
  c: number; // constant
}

const SAMPLE_CHECKS = [2, -3, 0.5, 7, -11.25];

/** Coefficients of a side as a polynomial of degree ≤ 2 in `v`, or undefined if it is not one. */
function polynomialOf(node: MathNode, v: string): Quadratic | undefined {
  const f = node.compile();
  const at = (x: number): number => {
    const y: unknown = f.evaluate({ [v]: x });
    return typeof y === "number" ? y : NaN;
  };
  const c = at(0);
  const p = at(1);
  const m = at(-1);
  if (![c, p, m].every(Number.isFinite)) return undefined;
  const a = (p + m) / 2 - c;
  const b = (p - m) / 2;
  const scale = Math.max(1, Math.abs(a), Math.abs(b), Math.abs(c));
  for (const x of SAMPLE_CHECKS) {
    const y = at(x);
    const expected = a * x * x + b * x + c;
    if (!Number.isFinite(y) || Math.abs(y - expected) > 1e-9 * Math.max(scale * x * x, Math.abs(y), 1)) return undefined;
  }
  const clean = (k: number): number => (Math.abs(k) < 1e-12 * scale ? 0 : Number(k.toPrecision(13)));
  return { a: clean(a), b: clean(b), c: clean(c) };
}

/** `2x`, `x`, `-x`, `0.5x`. */
const term = (k: number, v: string): string => (k === 1 ? v : k === -1 ? `-${v}` : `${formatNumber(k)}${v}`);

/** `p - q` with the sign of `q` folded in. */
const minus = (p: string, q: number): string => (q < 0 ? `${p} + ${formatNumber(-q)}` : `${p} - ${formatNumber(q)}`);

function polyString({ a, b, c }: Quadratic, v: string): string {
  const parts: string[] = [];
  const push = (k: number, body: string): void => {
    if (k === 0) return;
    const abs = Math.abs(k);
    const text = body ? (abs === 1 ? body : `${formatNumber(abs)}${body}`) : formatNumber(abs);
    parts.push(parts.length === 0 ? (k < 0 ? `-${text}` : text) : `${k < 0 ? "-" : "+"} ${text}`);
  };
  push(a, `${v}^2`);
  push(b, v);
  push(c, "");
  return parts.length ? parts.join(" ") : "0";
}

const compact = (s: string): string => s.replace(/\s+/g, "").replace(/\*(?=[a-z])/g, "");

function solveEquation(lhsText: string, rhsText: string, solveIntent: boolean, deadline: number): MathResult {
  const lhs = check(parseSide(lhsText));
  const rhs = check(parseSide(rhsText));
  const variables = new Set([...lhs.variables, ...rhs.variables]);
  const lhsNode = unwrap(lhs.node);
  const definesSymbol = lhsNode.type === "SymbolNode" && !CONSTANTS.has((lhsNode as SymbolNode).name) && rhs.variables.size === 0;
  if (definesSymbol && !solveIntent) {
    refuse("unsafe_expression", `Assignments like "${lhsText.trim()} = ${rhsText.trim()}" are not allowed; to solve an equation, ask e.g. "solve 2x + 5 = 15".`);
  }
  if (variables.size === 0) refuse("unparseable", "This equation has no unknown to solve for; ask without '=' to evaluate an expression.");
  if (variables.size > 1) refuse("too_complex", `Only equations with one unknown are supported (found ${[...variables].sort().join(", ")}).`);
  checkDeadline(deadline);

  const v = [...variables][0]!;
  const L = polynomialOf(lhs.node, v);
  const R = polynomialOf(rhs.node, v);
  if (!L || !R) refuse("too_complex", "Only linear and quadratic equations in one unknown are supported.");
  const left = L!;
  const right = R!;
  const expression = `${render(lhs.node)} = ${render(rhs.node)}`;
  const steps = [expression];
  const A: Quadratic = { a: clean13(left.a - right.a), b: clean13(left.b - right.b), c: clean13(left.c - right.c) };

  const done = (result: string): MathResult => ({ ok: true, expression, result, steps, kind: "equation" });
  const solutionOf = (x: number): string => `${v} = ${formatNumber(x)}`;

  if (left.a === 0 && right.a === 0) {
    // Linear on both sides: L.b·v + L.c = R.b·v + R.c
    const canonical = `${polyString(left, v)} = ${polyString(right, v)}`;
    if (compact(canonical) !== compact(expression)) steps.push(canonical);
    const k = A.b;
    const rhsConst = clean13(right.c - left.c);
    if (k === 0) {
      if (rhsConst === 0) {
        steps.push(`The ${v} terms cancel and both sides are equal: ${formatNumber(left.c)} = ${formatNumber(right.c)}`);
        return done(`${v} can be any real number`);
      }
      steps.push(`The ${v} terms cancel, leaving ${formatNumber(left.c)} = ${formatNumber(right.c)}, which is false`);
      return refuse("no_solution", `The equation ${expression} has no solution.`);
    }
    if (right.b !== 0) {
      const moved = left.b === 0 ? term(-right.b, v) : `${term(left.b, v)} ${right.b < 0 ? "+" : "-"} ${term(Math.abs(right.b), v)}`;
      steps.push(`${moved} = ${left.c !== 0 ? minus(formatNumber(right.c), left.c) : formatNumber(right.c)}`);
      steps.push(`${term(k, v)} = ${formatNumber(rhsConst)}`);
    } else if (left.c !== 0) {
      steps.push(`${term(k, v)} = ${minus(formatNumber(right.c), left.c)} = ${formatNumber(rhsConst)}`);
    }
    const x = clean13(rhsConst / k);
    if (k !== 1) steps.push(`${v} = ${formatNumber(rhsConst)} / ${paren(formatNumber(k))} = ${formatNumber(x)}`);
    else if (steps.length === 1 && compact(expression) !== compact(solutionOf(x))) steps.push(solutionOf(x));
    return done(solutionOf(x));
  }

  // Rearranged to A.a·v² + A.b·v + A.c = 0
  if (compact(`${polyString(A, v)} = 0`) !== compact(expression)) steps.push(`${polyString(A, v)} = 0`);
  if (A.a === 0) {
    if (A.b === 0) {
      if (A.c === 0) return done(`${v} can be any real number`);
      return refuse("no_solution", `The equation ${expression} has no solution.`);
    }
    const x = clean13(-A.c / A.b);
    steps.push(`${term(A.b, v)} = ${formatNumber(-A.c)}`);
    if (A.b !== 1) steps.push(`${v} = ${formatNumber(-A.c)} / ${paren(formatNumber(A.b))} = ${formatNumber(x)}`);
    return done(solutionOf(x));
  }
  const { a, b, c } = A;
  let D = clean13(b * b - 4 * a * c);
  if (Math.abs(D) < 1e-12 * Math.max(b * b, Math.abs(4 * a * c), 1)) D = 0;
  steps.push(`discriminant = b^2 - 4ac = ${paren(formatNumber(b))}^2 - 4 * ${paren(formatNumber(a))} * ${paren(formatNumber(c))} = ${formatNumber(D)}`);
  if (D < 0) {
    steps.push("The discriminant is negative, so there is no real solution");
    return refuse("no_solution", `The equation ${expression} has no real solution (discriminant ${formatNumber(D)} < 0).`);
  }
  if (D === 0) {
    const x = clean13(-b / (2 * a));
    steps.push(`${v} = -b / (2a) = ${formatNumber(-b)} / ${paren(formatNumber(2 * a))} = ${formatNumber(x)}`);
    return done(solutionOf(x));
  }
  const sq = Math.sqrt(D);
  const roots = [clean13((-b - sq) / (2 * a)), clean13((-b + sq) / (2 * a))].sort((p, q) => p - q);
  steps.push(`${v} = (-b ± sqrt(discriminant)) / (2a) = (${formatNumber(-b)} ± ${formatNumber(sq)}) / ${paren(formatNumber(2 * a))}`);
  steps.push(`${v} = ${formatNumber(roots[0]!)} or ${v} = ${formatNumber(roots[1]!)}`);
  return done(`${v} = ${formatNumber(roots[0]!)} or ${v} = ${formatNumber(roots[1]!)}`);
}

function clean13(k: number): number {
  if (!Number.isFinite(k)) return refuse("too_complex", "The equation's coefficients exceed the range of double-precision numbers.");
  return Math.abs(k) < 1e-13 ? 0 : Number(k.toPrecision(13));
}

// ---------------------------------------------------------------------------------------------
// Entry point

function clock(): number {
  return typeof performance !== "undefined" && typeof performance.now === "function" ? performance.now() : Date.now();
}

function checkDeadline(deadline: number): void {
  if (clock() > deadline) refuse("too_complex", "The calculation took too long.");
}

const clamp = (value: number | undefined, fallback: number, min: number, max: number): number =>
  typeof value === "number" && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : fallback;

/**
 * Evaluate an arithmetic expression or solve a one-unknown linear/quadratic equation given in
 * natural language (English, plus basic Korean: "3 더하기 5는?", "144의 제곱근은?").
 *
 * Examples: "What is 65 x 3.11?" → `65 * 3.11` = `"202.15"`; "Calculate (42 * 2) / 6" → `"14"`;
 * "What's the square root of 144?" → `sqrt(144)` = `"12"`; "15% of 240" → `"36"`;
 * "Solve 2x + 5 = 15" → `"x = 5"` with steps `2x + 5 = 15`, `2x = 15 - 5 = 10`, `x = 10 / 2 = 5`.
 *
 * Angles of `sin`/`cos`/`tan` are in radians; `log` is the natural logarithm ("log of 100" in words
 * means `log10`). Numbers are IEEE doubles; results are shown with 14 significant digits.
 *
 * @param query - The user's question or a bare expression.
 * @param options - Limits, see {@link SolveMathOptions}.
 * @returns A {@link MathResult}. Never throws: every refusal, including internal errors, comes back
 *   as `{ ok: false, error }` with one of the {@link MathErrorCode}s. An assignment such as `a = 5`
 *   is refused as `unsafe_expression` unless the query asks to solve ("solve a = 5").
 */
export function solveMath(query: string, options: SolveMathOptions = {}): MathResult {
  const started = clock();
  const deadline = started + clamp(options.timeoutMs, 250, 1, 5000);
  const maxChars = clamp(options.maxExpressionChars, 500, 1, 10_000);
  try {
    const raw = String(query ?? "");
    if (raw.length > Math.max(MATH_LIMITS.maxQueryChars, maxChars * 4)) refuse("too_complex", `The query is longer than ${Math.max(MATH_LIMITS.maxQueryChars, maxChars * 4)} characters.`);
    const { expr, solveIntent } = extract(raw);
    if (!expr) refuse("unparseable", "No math expression was found in the query.");
    if (expr.length > maxChars) refuse("too_complex", `The expression is longer than ${maxChars} characters.`);
    screen(expr);
    checkDeadline(deadline);

    if (expr.includes("=")) {
      const [lhsText = "", rhsText = ""] = expr.split("=");
      const result = solveEquation(lhsText, rhsText, solveIntent, deadline);
      checkDeadline(deadline);
      return result;
    }

    const { node, variables } = check(parseSide(expr));
    if (variables.size > 0) {
      refuse("unparseable", `The expression contains the unknown ${[...variables].join(", ")} but no equation; ask e.g. "solve 2x + 5 = 15".`);
    }
    checkDeadline(deadline);
    const { value, steps } = evaluateWithSteps(node);
    checkDeadline(deadline);
    return { ok: true, expression: render(node), result: formatNumber(value), steps, kind: "arithmetic" };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: { code: err.code, message: err.message } };
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RangeError) return { ok: false, error: { code: "too_complex", message: `The expression is too complex (${message}).` } };
    return { ok: false, error: { code: "unparseable", message: `The expression could not be evaluated (${message}).` } };
  }
}
