/**
 * Shared vocabulary of the math agent: the public result and option types, the fixed limits and
 * function whitelist, the named constants, and the internal {@link Refusal} error that every
 * phase throws to refuse a query.
 */

/** Why a query was refused. */
export type MathErrorCode = "unsafe_expression" | "too_complex" | "unparseable" | "no_solution";

/**
 * A refusal.
 *
 * - `unsafe_expression`: uses something outside the whitelist (code, assignments, function
 *   definitions, disallowed functions such as `ones`, `factorial`, `range`, `import`, units).
 * - `too_complex`: exceeds a size limit (length, nesting, node count, exponent size, overflow past
 *   ±1.8e308), the time budget, or the solver (more than one unknown, degree above 2).
 * - `unparseable`: no math expression could be read from the query (natural language, syntax
 *   errors, an unknown without an equation).
 * - `no_solution`: well-formed but has no real answer (division by zero, square root of a
 *   negative number, contradictory or negative-discriminant equations).
 */
export interface MathError {
  code: MathErrorCode;
  /** One English sentence for the user. */
  message: string;
}

/**
 * Outcome of {@link solveMath}.
 *
 * On success:
 * - `expression`: the normalised expression that was evaluated, in mathjs syntax with numbers
 *   shown to 14 significant digits (`"65 * 3.11"`, `"sqrt(144)"`, `"2x + 5 = 15"`).
 * - `result`: for `"arithmetic"` the value formatted with 14 significant digits and no trailing
 *   zeros (`"202.15"`, `"1.4142135623731"`, `"1e+21"`); for `"equation"` the solution in the form
 *   `"x = 5"`, `"x = 2 or x = 3"`, or `"x can be any real number"`.
 * - `steps`: human-readable working, one line per step (never empty).
 * - `kind`: `"arithmetic"` for a plain expression, `"equation"` for a solved equation.
 */
export type MathResult =
  | { ok: true; expression: string; result: string; steps: string[]; kind: "arithmetic" | "equation" }
  | { ok: false; error: MathError };

/** Options of {@link solveMath}. */
export interface SolveMathOptions {
  /**
   * Time budget in milliseconds (default 250, clamped to 1..5000), checked between phases. The
   * structural limits are the real guarantee: in deployed Workers the clock does not advance
   * during synchronous work, so there the budget may never trigger.
   */
  timeoutMs?: number;
  /** Longest accepted normalised expression, in characters (default 500, clamped to 1..10000). */
  maxExpressionChars?: number;
}

/**
 * Fixed limits applied to every query (besides the per-call options).
 *
 * - `maxQueryChars`: raw query length accepted before normalisation (the effective limit is
 *   `max(maxQueryChars, 4 × maxExpressionChars)`).
 * - `maxDepth`: parenthesis nesting depth.
 * - `maxNodes`: parse-tree nodes per side of an equation.
 * - `maxExponent`: largest |exponent| of a power with a constant base.
 * - `maxVariableExponent`: largest |exponent| of a power of the unknown.
 * - `maxLog10Magnitude`: largest estimated log10 of a power's result (1e308 ≈ the double range).
 * - `maxFunctionArgs`: arguments of `min`/`max`.
 * - `maxSteps`: arithmetic steps shown before collapsing to one line.
 */
export const MATH_LIMITS = Object.freeze({
  maxQueryChars: 2000,
  maxDepth: 32,
  maxNodes: 250,
  maxExponent: 1024,
  maxVariableExponent: 10,
  maxLog10Magnitude: 308,
  maxFunctionArgs: 20,
  maxSteps: 12,
});

/** Functions callable in an expression, with their accepted argument counts `[min, max]`. */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  sqrt: [1, 1],
  cbrt: [1, 1],
  abs: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  log: [1, 2],
  log10: [1, 1],
  log2: [1, 1],
  exp: [1, 1],
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  min: [1, MATH_LIMITS.maxFunctionArgs],
  max: [1, MATH_LIMITS.maxFunctionArgs],
  pow: [2, 2],
});

/** Named constants that may appear in an expression. */
export const CONSTANTS = new Set(["pi", "e"]);

// ---------------------------------------------------------------------------------------------
// Errors

/** A refusal thrown by any phase; `solveMath` turns it into `{ ok: false, error }`. */
export class Refusal extends Error {
  readonly code: MathErrorCode;
  constructor(code: MathErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Throw a {@link Refusal} with `code` and `message`. */
export const refuse = (code: MathErrorCode, message: string): never => {
  throw new Refusal(code, message);
};
