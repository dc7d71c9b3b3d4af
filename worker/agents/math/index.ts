/**
 * Math agent: extracts an arithmetic expression or a one-unknown equation from a natural-language
 * query, checks it against a whitelist, and evaluates or solves it with a restricted mathjs
 * instance. Pure and synchronous: no bindings, no env, no I/O; never uses `eval`/`Function`.
 *
 * Safety model (whitelist beats blacklist):
 * - The query is normalised ("65 x 3.11" → `65 * 3.11`, "15% of 240" → `(15 / 100) * 240`,
 *   "the square root of 144" → `sqrt(144)`, "3 더하기 5" → `3 + 5`) and then screened character by
 *   character: only digits, ASCII letters, spaces and `+ - * / ^ % ( ) . , =` survive; anything
 *   else (quotes, `_`, brackets, `:`, `!`, `;`, property access) is `unsafe_expression`.
 * - Identifiers must be a whitelisted function followed by `(`, `pi`, `e`, or one single-letter
 *   unknown. Calls of any other name (`import(...)`, `ones(...)`, `factorial(...)`, `f(x)`) and
 *   names of mathjs features or units (`kg to lb`) are `unsafe_expression`.
 * - The parse tree may only contain ConstantNode (finite numbers), ParenthesisNode, SymbolNode,
 *   OperatorNode (`+ - * / ^ %`, unary `-`/`+`) and FunctionNode of {@link ALLOWED_FUNCTIONS}.
 * - Size is bounded before any evaluation: expression length ({@link MATH_LIMITS}), parenthesis
 *   depth, node count, and every power's exponent and estimated magnitude (`9^9^9^9` is refused
 *   as `too_complex` without computing anything large).
 * - The mathjs instance itself has `import`, `createUnit`, `evaluate`, `parse`, `simplify`,
 *   `derivative`, `resolve` and `compile` replaced by functions that throw, as the mathjs security
 *   guide recommends; this module keeps private references to the originals it needs.
 */
export { formatNumber } from "./format";
export { solveMath } from "./solver";
export { ALLOWED_FUNCTIONS, MATH_LIMITS, type MathError, type MathErrorCode, type MathResult, type SolveMathOptions } from "./types";
