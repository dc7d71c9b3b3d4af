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
import { all, create, type ConstantNode, type FunctionNode, type MathNode, type OperatorNode, type ParenthesisNode, type SymbolNode } from "mathjs";

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

const ALLOWED_OPERATORS = new Set(["add", "subtract", "multiply", "divide", "pow", "mod", "unaryMinus", "unaryPlus"]);
const CONSTANTS = new Set(["pi", "e"]);
/** Single letters that are mathjs constants or units in expressions and so cannot be unknowns. */
const NOT_VARIABLES = new Set(["e", "i"]);
/** mathjs keywords that are operators or literals rather than namespace entries. */
const MATHJS_KEYWORDS = new Set(["to", "in", "mod", "not", "and", "or", "xor", "true", "false", "null", "undefined", "infinity", "nan"]);

// ---------------------------------------------------------------------------------------------
// Restricted mathjs instance

const math = create(all, { predictable: true }); // predictable: real-only results (sqrt(-1) → NaN)
// Private references to the originals, taken before they are disabled below.
const parseExpression = math.parse;
const formatValue = math.format;
const ConstantNodeCtor = math.ConstantNode;
const ParenthesisNodeCtor = math.ParenthesisNode;
const isValuelessUnit = (name: string): boolean => {
  try {
    return math.Unit.isValuelessUnit(name);
  } catch {
    return false;
  }
};
const disabled = (name: string) => (): never => {
  throw new Error(`Function ${name} is disabled`);
};
math.import(
  {
    import: disabled("import"),
    createUnit: disabled("createUnit"),
    evaluate: disabled("evaluate"),
    parse: disabled("parse"),
    simplify: disabled("simplify"),
    derivative: disabled("derivative"),
    resolve: disabled("resolve"),
    compile: disabled("compile"),
  },
  { override: true },
);

// ---------------------------------------------------------------------------------------------
// Errors and formatting

class Refusal extends Error {
  readonly code: MathErrorCode;
  constructor(code: MathErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const refuse = (code: MathErrorCode, message: string): never => {
  throw new Refusal(code, message);
};

/**
 * Format a number with 14 significant digits via mathjs `format`, without trailing zeros.
 *
 * @param value - Any finite or non-finite number.
 * @returns E.g. `202.15` → `"202.15"`, `0.1 + 0.2` → `"0.3"`, `1e21` → `"1e+21"`, `-0` → `"0"`.
 */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return "0";
  let s = formatValue(value, { precision: 14 });
  if (/e/i.test(s)) s = s.replace(/(\.\d*?)0+(e)/i, "$1$2").replace(/\.(e)/i, "$1");
  else if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

const paren = (s: string): string => (s.startsWith("-") ? `(${s})` : s);

/** Render a parse tree: numbers to 14 digits, `2x` for implicit coefficient × unknown. */
function render(node: MathNode): string {
  return node.toString({
    handler: (n: MathNode) => {
      if (n.type === "ConstantNode" && typeof (n as ConstantNode).value === "number") return formatNumber((n as ConstantNode).value);
      if (n.type === "OperatorNode") {
        const op = n as OperatorNode<never, never>;
        const [a, b] = op.args;
        const simple = (n: MathNode | undefined): boolean =>
          n?.type === "SymbolNode" || (n?.type === "ConstantNode" && typeof (n as ConstantNode).value === "number" && (n as ConstantNode).value >= 0);
        // x^2 and 2^10 without spaces
        if (op.fn === "pow" && simple(a) && simple(b)) return `${render(a!)}^${render(b!)}`;
        // 2x, 3(x + 2), 2x^2
        const power = b?.type === "OperatorNode" && (b as OperatorNode<never, never>).fn === "pow" && (b as OperatorNode<never, never>).args[0]?.type === "SymbolNode";
        if (op.implicit && a?.type === "ConstantNode" && (b?.type === "SymbolNode" || b?.type === "ParenthesisNode" || power)) {
          return `${formatNumber((a as ConstantNode).value)}${render(b!)}`;
        }
      }
      return undefined;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Natural language → expression

const OPERAND = String.raw`(?<![\d.])(-?\s*(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?|\([^()]*\)|pi|[a-z](?![a-z]))`;

const LEADING_FILLER = new RegExp(
  String.raw`^(?:hey|hi|hello|ok|okay|please|pls|quick(?:ly)?|so|now|and|(?:can|could|would|will) you|tell me|show me|give me|i want to know|i need|let'?s|what(?:'s| is| are| was|s)|how much is|how much|calculate|calc|compute|evaluate|eval|work out|figure out|find|determine|solve(?: for [a-z])?|the value of|the result of|the answer to|value of|result of|answer to|the|is|me)(?=[\s,:]|$)[\s,:]*`,
);
const TRAILING_FILLER = /[\s,]*(?:please|pls|thanks|thank you|for me|exactly|approximately|roughly|for [a-z]|equals|equal to|is|=)\s*$/;
const KOREAN_TRAILING = /\s*(?:은|는)?\s*(?:얼마(?:야|예요|에요|인가요|입니까|일까요?|지)?|뭐(?:야|예요|에요|지)?|무엇(?:인가요|입니까)?|몇(?:이야|인가요|이지)?|계산해\s*(?:줘|주세요)|구해\s*(?:줘|주세요)|알려\s*(?:줘|주세요)|이다|입니다|인가요|일까요?|은|는|이|가)\s*$/u;

/** Replacement callback: `name(arg)`, without doubling the parentheses of a `(group)`. */
const call =
  (name: string) =>
  (_match: string, arg: string): string =>
    arg.trim().startsWith("(") ? `${name}${arg.trim()}` : `${name}(${arg.trim()})`;

interface Extracted {
  expr: string;
  solveIntent: boolean;
}

/** Turn a natural-language query into a candidate expression (no safety decisions yet). */
function extract(query: string): Extracted {
  let s = query.replace(/²/g, "^2").replace(/³/g, "^3").normalize("NFKC").toLowerCase();
  s = s.replace(/[’‘`´]/g, "'").replace(/[−–—]/g, "-").replace(/×/g, "*").replace(/÷/g, "/").replace(/π/g, "pi");
  s = s.replace(/\s+/g, " ").trim();
  const solveIntent = /\b(?:solve|solving|equation|find [a-z]\b|for [a-z]\b|[a-z] (?:if|when|given|where)\b)|방정식|풀어/u.test(s);

  // Trailing punctuation and "= ?".
  // A "!" right after a number or ")" is kept (it is the factorial operator and gets refused later).
  s = s.replace(/(?<![\d)!])!+(?=[?？。\s]*$)/u, "").replace(/[?？。\s]+$/u, "").replace(/\s*=\s*\?*\s*$/, "").replace(/\.$/, "");
  // Korean phrasing.
  for (let i = 0; i < 3 && KOREAN_TRAILING.test(s); i++) s = s.replace(KOREAN_TRAILING, "");
  s = s
    .replace(new RegExp(String.raw`${OPERAND}\s*의\s*세제곱근`, "gu"), call("cbrt"))
    .replace(new RegExp(String.raw`${OPERAND}\s*의\s*제곱근`, "gu"), call("sqrt"))
    .replace(new RegExp(String.raw`(?:루트|제곱근)\s*${OPERAND}`, "gu"), call("sqrt"))
    .replace(new RegExp(String.raw`${OPERAND}\s*의\s*세제곱`, "gu"), "$1^3")
    .replace(new RegExp(String.raw`${OPERAND}\s*의\s*제곱`, "gu"), "$1^2")
    .replace(/\s*더하기\s*/gu, " + ")
    .replace(/\s*빼기\s*/gu, " - ")
    .replace(/\s*곱하기\s*/gu, " * ")
    .replace(/\s*나누기\s*/gu, " / ")
    .replace(/(?<=[\d)a-z])\s*(?:은|는|이|가)(?=\s|$)/gu, "");

  // English phrasing.
  for (let i = 0; i < 8 && LEADING_FILLER.test(s); i++) s = s.replace(LEADING_FILLER, "");
  s = s.replace(/^[a-z] (?:if|when|given|where) /, "");
  for (let i = 0; i < 4 && TRAILING_FILLER.test(s); i++) s = s.replace(TRAILING_FILLER, "");
  s = s
    .replace(/\*\*/g, "^")
    .replace(/(?<![(,\d]\s*)\b(\d{1,3}(?:,\d{3})+)(?![\d.,])/g, (m) => m.replace(/,/g, ""))
    .replace(new RegExp(String.raw`(?:the )?(?:square root|sqrt) of (?:the number )?${OPERAND}`, "g"), call("sqrt"))
    .replace(new RegExp(String.raw`(?:the )?(?:cube root|cbrt) of (?:the number )?${OPERAND}`, "g"), call("cbrt"))
    .replace(new RegExp(String.raw`(?:the )?absolute value of ${OPERAND}`, "g"), call("abs"))
    .replace(new RegExp(String.raw`(?:the )?(?:natural log(?:arithm)?|ln) of ${OPERAND}`, "g"), call("log"))
    .replace(new RegExp(String.raw`(?:the )?log(?:arithm)? base 2 of ${OPERAND}`, "g"), call("log2"))
    .replace(new RegExp(String.raw`(?:the )?log(?:arithm)?(?: base 10)? of ${OPERAND}`, "g"), call("log10"))
    .replace(new RegExp(String.raw`√\s*${OPERAND}`, "g"), call("sqrt"))
    .replace(/\bln\s*\(/g, "log(")
    .replace(new RegExp(String.raw`\b(sqrt|cbrt|abs|log10|log2|log|exp|sin|cos|tan|floor|ceil|round) ${OPERAND}`, "g"), (_m: string, fn: string, arg: string) => call(fn)(_m, arg))
    .replace(new RegExp(String.raw`(?<![\d.])(\d+(?:\.\d+)?|\.\d+)\s*(?:%|percent\b|per cent\b)\s*of\s+${OPERAND}`, "g"), "($1 / 100) * $2")
    .replace(/\s*\bsquared\b/g, "^2")
    .replace(/\s*\bcubed\b/g, "^3")
    .replace(/\s*\b(?:raised )?to the (\d+)(?:st|nd|rd|th) power\b/g, "^$1")
    .replace(/\s*\b(?:raised )?to the power of\s*/g, "^")
    .replace(/\s*\braised to\s*/g, "^")
    .replace(/\s+\bplus\s+/g, " + ")
    .replace(/\s+\bminus\s+/g, " - ")
    .replace(/\s+\b(?:times|multiplied by)\s+/g, " * ")
    .replace(/\s+\b(?:divided by|over)\s+/g, " / ")
    .replace(/\s+\bmodulo\s+/g, " mod ")
    .replace(/\s+(?:percent|per cent)\b/g, "%");
  // "x" as a multiplication sign between numbers ("65 x 3.11", "1920x1080"), not in equations.
  if (!s.includes("=")) s = s.replace(/(\d|\))\s*x\s*(?=[\d(.])/g, "$1 * ");
  s = s.replace(/\s+/g, " ").trim();
  return { expr: s, solveIntent };
}

// ---------------------------------------------------------------------------------------------
// Screening (before parsing)

const FUNCTION_NAMES = new Set(Object.keys(ALLOWED_FUNCTIONS));

function isMathjsName(name: string): boolean {
  return MATHJS_KEYWORDS.has(name) || Object.prototype.hasOwnProperty.call(math, name) || isValuelessUnit(name);
}

/** Character and identifier screening of the normalised expression. Throws a {@link Refusal}. */
function screen(expr: string): void {
  const unsafeChar = expr.match(/[^0-9a-z\s+\-*/^%().,=\p{L}]/u);
  if (unsafeChar) refuse("unsafe_expression", `The character "${unsafeChar[0]}" is not allowed in a math expression.`);
  if (/\.(?!\d)|(?<=[a-z)])\./.test(expr)) refuse("unsafe_expression", "Property access and dangling decimal points are not allowed.");
  const eqs = expr.match(/=/g)?.length ?? 0;
  if (eqs > 1) refuse("unsafe_expression", "Only one '=' is allowed; comparisons and chained assignments are not supported.");

  let depth = 0;
  for (const ch of expr) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (depth > MATH_LIMITS.maxDepth) refuse("too_complex", `Parentheses are nested more than ${MATH_LIMITS.maxDepth} levels deep.`);
  }

  const plainWords: string[] = [];
  const featureWords: string[] = [];
  // Numbers (including scientific notation such as 2e3) are blanked so "e3" is not read as a word.
  const words = expr.replace(/(?<![\p{L}\d.])(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/gu, (n) => " ".repeat(n.length));
  for (const m of words.matchAll(/[\p{L}][\p{L}\d]*/gu)) {
    const word = m[0];
    const after = words.slice((m.index ?? 0) + word.length);
    const called = /^\s*\(/.test(after);
    if (FUNCTION_NAMES.has(word)) {
      if (!called) refuse("unparseable", `The function ${word} needs its argument in parentheses, e.g. ${word}(2).`);
      continue;
    }
    if (called) {
      refuse(
        "unsafe_expression",
        /^[a-z]$/.test(word)
          ? `"${word}(...)" looks like a function call or definition; only ${[...FUNCTION_NAMES].join(", ")} may be called.`
          : `The function "${word}" is not allowed; only ${[...FUNCTION_NAMES].join(", ")} may be called.`,
      );
    }
    if (CONSTANTS.has(word)) continue;
    if (/^[a-z]$/.test(word) && !NOT_VARIABLES.has(word)) continue;
    if (/^[a-z][a-z\d]*$/.test(word) && isMathjsName(word)) featureWords.push(word);
    else plainWords.push(word);
  }
  if (plainWords.length > 0) refuse("unparseable", `No math expression could be read from this query (unexpected words: ${plainWords.slice(0, 5).join(", ")}).`);
  if (featureWords.length > 0) refuse("unsafe_expression", `"${featureWords[0]}" refers to a mathjs feature or unit that is not allowed here.`);
}

// ---------------------------------------------------------------------------------------------
// Parse-tree whitelist

interface Checked {
  node: MathNode;
  variables: Set<string>;
}

const unwrap = (node: MathNode): MathNode => (node.type === "ParenthesisNode" ? unwrap((node as ParenthesisNode).content) : node);

function parseSide(text: string): MathNode {
  if (!text.trim()) refuse("unparseable", "An equation needs an expression on both sides of '='.");
  try {
    return parseExpression(text);
  } catch (err) {
    return refuse("unparseable", `Could not parse "${text}": ${(err as Error).message}.`);
  }
}

function evaluateConstant(node: MathNode): number {
  const value: unknown = node.compile().evaluate({});
  if (typeof value !== "number") refuse("unparseable", "The expression does not evaluate to a real number.");
  return value as number;
}

/**
 * Check a parse tree against the whitelist and the size limits. Children are checked before their
 * parent so that a power's exponent is known to be safe before it is evaluated.
 */
function check(root: MathNode): Checked {
  const variables = new Set<string>();
  let count = 0;
  const visit = (node: MathNode, depth: number): boolean /* contains the unknown */ => {
    if (++count > MATH_LIMITS.maxNodes) refuse("too_complex", `The expression has more than ${MATH_LIMITS.maxNodes} terms.`);
    if (depth > MATH_LIMITS.maxDepth * 2) refuse("too_complex", "The expression is nested too deeply.");
    switch (node.type) {
      case "ConstantNode": {
        const value = (node as ConstantNode<unknown & number>).value as unknown;
        if (typeof value !== "number") return refuse("unsafe_expression", "Only numbers are allowed as literals (no strings, booleans or null).");
        if (!Number.isFinite(value)) return refuse("too_complex", "A number in the expression is larger than about 1.8e308.");
        return false;
      }
      case "ParenthesisNode":
        return visit((node as ParenthesisNode).content, depth + 1);
      case "SymbolNode": {
        const name = (node as SymbolNode).name;
        if (CONSTANTS.has(name)) return false;
        if (/^[a-z]$/.test(name) && !NOT_VARIABLES.has(name)) {
          variables.add(name);
          return true;
        }
        return refuse("unsafe_expression", `The symbol "${name}" is not allowed.`);
      }
      case "OperatorNode": {
        const op = node as OperatorNode<never, never>;
        if (!ALLOWED_OPERATORS.has(op.fn)) return refuse("unsafe_expression", `The operator "${op.op}" is not allowed.`);
        const hasVar = op.args.map((a) => visit(a, depth + 1));
        if (op.fn === "pow") checkPower(op.args[0]!, op.args[1]!, hasVar[0]!, hasVar[1]!);
        return hasVar.some(Boolean);
      }
      case "FunctionNode": {
        const fn = node as FunctionNode;
        const name = fn.fn?.type === "SymbolNode" ? (fn.fn as SymbolNode).name : "";
        const arity = Object.prototype.hasOwnProperty.call(ALLOWED_FUNCTIONS, name) ? ALLOWED_FUNCTIONS[name] : undefined;
        if (!arity) return refuse("unsafe_expression", `The function "${name || "(expression)"}" is not allowed.`);
        if (fn.args.length < arity[0] || fn.args.length > arity[1]) {
          return refuse(fn.args.length > arity[1] && name !== "min" && name !== "max" ? "unparseable" : "too_complex", `${name} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument(s).`);
        }
        const hasVar = fn.args.map((a) => visit(a, depth + 1));
        if (name === "pow") checkPower(fn.args[0]!, fn.args[1]!, hasVar[0]!, hasVar[1]!);
        if (name === "round" && fn.args.length === 2) {
          if (hasVar[1]) refuse("too_complex", "round() needs a constant number of decimals.");
          const digits = evaluateConstant(fn.args[1]!);
          if (!Number.isInteger(digits) || digits < 0 || digits > 15) refuse("too_complex", "round() accepts 0 to 15 decimals.");
        }
        return hasVar.some(Boolean);
      }
      default:
        return refuse("unsafe_expression", `${node.type.replace(/Node$/, "")} expressions (assignments, definitions, matrices, ranges, objects, property access) are not allowed.`);
    }
  };
  visit(root, 0);
  return { node: root, variables };
}

function checkPower(base: MathNode, exponent: MathNode, baseHasVar: boolean, exponentHasVar: boolean): void {
  if (exponentHasVar) refuse("too_complex", "Exponents containing the unknown are not supported.");
  const e = evaluateConstant(exponent);
  if (!Number.isFinite(e) || Math.abs(e) > MATH_LIMITS.maxExponent) {
    refuse("too_complex", `An exponent is too large (|exponent| must be at most ${MATH_LIMITS.maxExponent}).`);
  }
  if (baseHasVar) {
    if (Math.abs(e) > MATH_LIMITS.maxVariableExponent) refuse("too_complex", `Powers of the unknown are limited to degree ${MATH_LIMITS.maxVariableExponent}.`);
    return;
  }
  const b = Math.abs(evaluateConstant(base));
  if (b === 0 || b === 1 || !Number.isFinite(b)) return;
  if (e * Math.log10(b) > MATH_LIMITS.maxLog10Magnitude) refuse("too_complex", "A power would exceed about 1e308.");
}

// ---------------------------------------------------------------------------------------------
// Arithmetic with steps

function finiteOrRefuse(value: unknown, node: MathNode): number {
  if (typeof value !== "number") return refuse("unparseable", "The expression does not evaluate to a real number.");
  if (Number.isNaN(value)) return refuse("no_solution", `${render(node)} is not a real number.`);
  if (!Number.isFinite(value)) {
    const n = unwrap(node);
    if (n.type === "OperatorNode" && (n as OperatorNode<never, never>).fn === "divide") {
      const d = (n as OperatorNode<never, never>).args[1]!;
      if (evaluateConstant(d) === 0) return refuse("no_solution", "Division by zero is undefined.");
    }
    if (n.type === "FunctionNode" && /^log/.test(((n as FunctionNode).fn as SymbolNode).name)) return refuse("no_solution", `${render(node)} is undefined.`);
    return refuse("too_complex", "The result exceeds the range of double-precision numbers (about 1.8e308).");
  }
  return value;
}

const isLeaf = (node: MathNode): boolean => {
  const n = unwrap(node);
  if (n.type === "ConstantNode") return true;
  if (n.type === "SymbolNode") return CONSTANTS.has((n as SymbolNode).name);
  if (n.type === "OperatorNode") {
    const op = n as OperatorNode<never, never>;
    return (op.fn === "unaryMinus" || op.fn === "unaryPlus") && unwrap(op.args[0]!).type === "ConstantNode";
  }
  return false;
};

/** Evaluate step by step: repeatedly fold the leftmost innermost operation whose operands are numbers. */
function evaluateWithSteps(root: MathNode): { value: number; steps: string[] } {
  const steps: string[] = [];
  let tree = root;
  for (let guard = 0; guard < MATH_LIMITS.maxNodes; guard++) {
    if (isLeaf(tree)) break;
    let target: MathNode | undefined;
    const find = (node: MathNode): void => {
      if (target) return;
      const n = unwrap(node);
      const args = n.type === "OperatorNode" || n.type === "FunctionNode" ? (n as OperatorNode<never, never>).args : [];
      for (const a of args) find(a);
      if (!target && args.length > 0 && !isLeaf(n) && args.every(isLeaf)) target = n;
    };
    find(tree);
    if (!target) break;
    const value = finiteOrRefuse(target.compile().evaluate({}), target);
    steps.push(`${render(target)} = ${formatNumber(value)}`);
    const folded = new ConstantNodeCtor(value) as unknown as MathNode;
    const hit = target;
    tree = tree.transform((node: MathNode) => {
      if (node === hit) return folded;
      // A parenthesised group becomes its value; a negative value keeps its parentheses: 2^(-2).
      if (node.type === "ParenthesisNode" && unwrap(node) === hit) return value < 0 ? (new ParenthesisNodeCtor(folded) as unknown as MathNode) : folded;
      return node;
    });
  }
  const value = finiteOrRefuse(root.compile().evaluate({}), root);
  const expression = render(root);
  const final = `${expression} = ${formatNumber(value)}`;
  if (steps.length === 0 || steps.length > MATH_LIMITS.maxSteps) return { value, steps: [final] };
  // A folded sign ("-2^2": 2^2 = 4, then -4) still ends on the overall result.
  if (!steps[steps.length - 1]!.endsWith(` = ${formatNumber(value)}`)) steps.push(final);
  return { value, steps };
}

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
