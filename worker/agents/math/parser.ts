/**
 * Parser of the math agent: turns a natural-language query into a candidate expression
 * ({@link extract}), screens its characters and identifiers ({@link screen}), parses each side with
 * the restricted mathjs parser ({@link parseSide}) and checks the parse tree against the whitelist
 * and the size limits ({@link check}). Every refusal is thrown as a {@link Refusal}.
 */
import type { ConstantNode, FunctionNode, MathNode, OperatorNode, ParenthesisNode, SymbolNode } from "mathjs";
import { isValuelessUnit, math, parseExpression } from "./mathjs";
import { ALLOWED_FUNCTIONS, CONSTANTS, MATH_LIMITS, refuse, type Refusal } from "./types";

const ALLOWED_OPERATORS = new Set(["add", "subtract", "multiply", "divide", "pow", "mod", "unaryMinus", "unaryPlus"]);
/** Single letters that are mathjs constants or units in expressions and so cannot be unknowns. */
const NOT_VARIABLES = new Set(["e", "i"]);
/** mathjs keywords that are operators or literals rather than namespace entries. */
const MATHJS_KEYWORDS = new Set(["to", "in", "mod", "not", "and", "or", "xor", "true", "false", "null", "undefined", "infinity", "nan"]);

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
export function extract(query: string): Extracted {
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
export function screen(expr: string): void {
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

/** The node inside any enclosing parentheses. */
export const unwrap = (node: MathNode): MathNode => (node.type === "ParenthesisNode" ? unwrap((node as ParenthesisNode).content) : node);

/** Parse an expression (or one side of an equation) with the original mathjs parser. Throws a {@link Refusal}. */
export function parseSide(text: string): MathNode {
  if (!text.trim()) refuse("unparseable", "An equation needs an expression on both sides of '='.");
  try {
    return parseExpression(text);
  } catch (err) {
    return refuse("unparseable", `Could not parse "${text}": ${(err as Error).message}.`);
  }
}

/** Value of a subtree without the unknown; refuses a non-number. */
export function evaluateConstant(node: MathNode): number {
  const value: unknown = node.compile().evaluate({});
  if (typeof value !== "number") refuse("unparseable", "The expression does not evaluate to a real number.");
  return value as number;
}

/**
 * Check a parse tree against the whitelist and the size limits. Children are checked before their
 * parent so that a power's exponent is known to be safe before it is evaluated.
 */
export function check(root: MathNode): Checked {
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
