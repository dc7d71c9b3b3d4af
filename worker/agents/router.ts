/**
 * Query router: decides whether a user query goes to the math agent (arithmetic and algebra,
 * see `./math.ts`) or to the knowledge graph (everything else).
 *
 * Pure and synchronous: no bindings, no env, no I/O. The decision is made with a fixed list of
 * named regular expressions plus a dominance rule:
 *
 * 1. At least one *math* pattern must match (an operator between numbers, an equation with a
 *    single-letter unknown, a math function applied to a number, "15% of 240", word or Korean
 *    operators, ...). A number on its own ("12 installments", "React 19", "1000 characters") is
 *    never math.
 * 2. The math part must dominate: once numbers, operators, math vocabulary ("square root of",
 *    "plus", "더하기", ...) and question filler ("what is", "calculate", "please", "는") are
 *    removed, no content word may remain. "What is 2 + 2 in the Collector config?" keeps
 *    "collector" and "config", so it goes to the knowledge graph.
 *
 * Dates and version numbers ("2024-01-15", "1.2.3") are blanked before matching so that their
 * separators are not read as minus or division.
 */

/** Where a query is sent. */
export type Route = "math" | "knowledge";

/**
 * Outcome of {@link routeQuery}.
 *
 * - `route`: `"math"` for the math agent, `"knowledge"` for the knowledge graph.
 * - `patterns_checked`: names of every pattern evaluated, in evaluation order (the same list for
 *   every query: the math patterns of {@link ROUTER_PATTERNS} followed by the guard patterns).
 * - `matches_found`: the subset of `patterns_checked` that matched (math patterns and guards).
 * - `reasoning`: one human-readable sentence explaining the decision (English).
 * - `execution_time_ms`: wall time spent deciding, in milliseconds (≥ 0, rounded to 3 decimals).
 *   In deployed Workers the clock only advances across I/O (a Spectre mitigation), so this can
 *   read `0` there.
 */
export interface RouterDecision {
  route: Route;
  patterns_checked: string[];
  matches_found: string[];
  reasoning: string;
  execution_time_ms: number;
}

/** A named pattern: `kind` tells whether a match is evidence for math or a guard that is blanked out. */
export interface RouterPattern {
  /** Stable snake_case name, reported in `patterns_checked` / `matches_found`. */
  name: string;
  /** `"math"`: a match is evidence for the math route. `"guard"`: matched text is removed before the math patterns run. */
  kind: "math" | "guard";
  /** The expression, tested against the lower-cased, NFKC-normalised query. */
  re: RegExp;
}

const NUM = String.raw`(?<![\d.])(?:\d+(?:\.\d+)?|\.\d+)`;
const OPERAND_START = String.raw`(?:[-+]\s*)?(?:\d|\.\d|\(|pi\b|√)`;
const FUNCS = "sqrt|cbrt|abs|round|floor|ceil|log10|log2|log|ln|exp|sin|cos|tan|min|max|pow";

/**
 * Every pattern the router evaluates, guards first in evaluation but listed by kind.
 * Exported read-only for tests and diagnostics.
 */
export const ROUTER_PATTERNS: readonly RouterPattern[] = Object.freeze([
  {
    name: "arithmetic_operator",
    kind: "math",
    // A number or closing parenthesis, an operator (incl. `**`, `×`, `÷` and `x` between numbers), then an operand.
    re: new RegExp(String.raw`(?:\d|\))\s*(?:\*\*|[-+*/^×÷%]|x(?=\s*[\d(.]))\s*${OPERAND_START}`, "u"),
  },
  {
    name: "equation_with_variable",
    kind: "math",
    // Exactly one `=` (not `==`, `<=`, `=>`), a digit somewhere, and a lone letter next to a digit, operator or `=`.
    re: new RegExp(
      String.raw`^(?=[^=]*[^=<>!]\s*=(?![=>])[^=]*$)(?=.*\d)(?=.*?(?:(?:[\d)+\-*/^(=]|\*\*)\s*[a-z](?![\p{L}\d_(])|(?<![\p{L}\d_'’])[a-z]\s*(?:[-+*/^=]|\*\*)))`,
      "su",
    ),
  },
  {
    name: "math_function_call",
    kind: "math",
    re: new RegExp(String.raw`(?<![\p{L}_])(?:${FUNCS})\s*\(\s*${OPERAND_START}`, "u"),
  },
  {
    name: "math_function_words",
    kind: "math",
    re: new RegExp(
      String.raw`(?:\b(?:square|cube)\s+root|\babsolute\s+value|\b(?:natural\s+)?log(?:arithm)?(?:\s+base\s+(?:10|2))?|\b(?:sqrt|cbrt|ln)|√)\s*(?:of\s+)?(?:the\s+number\s+)?${OPERAND_START}`,
      "u",
    ),
  },
  {
    name: "percent_of",
    kind: "math",
    re: new RegExp(String.raw`${NUM}\s*(?:%|percent\b|per\s+cent\b)\s*of\s+${OPERAND_START}`, "u"),
  },
  {
    name: "power_words",
    kind: "math",
    re: new RegExp(
      String.raw`(?:\d|\))\s*(?:squared\b|cubed\b|(?:raised\s+)?to\s+the\s+(?:power\s+of\s+${OPERAND_START}|\d+(?:st|nd|rd|th)\s+power\b))`,
      "u",
    ),
  },
  {
    name: "word_operator",
    kind: "math",
    re: new RegExp(String.raw`(?:\d|\))\s+(?:plus|minus|times|multiplied\s+by|divided\s+by|over|mod(?:ulo)?)\s+${OPERAND_START}`, "u"),
  },
  {
    name: "korean_arithmetic",
    kind: "math",
    re: new RegExp(String.raw`(?:\d|\))\s*(?:더하기|빼기|곱하기|나누기)\s*${OPERAND_START}`, "u"),
  },
  {
    name: "korean_math_function",
    kind: "math",
    re: new RegExp(String.raw`(?:\d|\))\s*의\s*(?:세제곱근|제곱근|세제곱|제곱)|(?:루트|제곱근)\s*\(?\s*\d`, "u"),
  },
  {
    name: "date_or_version_guard",
    kind: "guard",
    re: /\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b|\bv?\d+\.\d+\.\d+(?:[-+.][\w.]+)?\b|\bv\d+(?:\.\d+)?\b/gu,
  },
]);

/** Question filler that does not count against the math part ("what is", "calculate", "please", Korean particles). */
const FILLER = new Set([
  "what", "whats", "what's", "is", "are", "was", "be", "the", "a", "an", "of", "to", "for", "and", "then", "it", "me",
  "calculate", "calc", "compute", "evaluate", "eval", "solve", "find", "determine", "work", "figure", "out", "simplify",
  "please", "pls", "plz", "can", "could", "would", "will", "you", "tell", "give", "get", "show", "how", "much", "do",
  "does", "value", "result", "answer", "equal", "equals", "exactly", "approximately", "approx", "roughly", "about",
  "hey", "hi", "hello", "quick", "quickly", "now", "number", "math", "question", "i", "want", "need", "know", "thanks",
  "thank", "step", "steps", "by", "with", "show", "work", "let", "lets", "let's", "us", "equation", "expression",
]);

/** Math vocabulary consumed by the math agent's extractor. */
const MATH_WORDS = new Set([
  "sqrt", "cbrt", "abs", "round", "floor", "ceil", "log", "log10", "log2", "ln", "exp", "sin", "cos", "tan", "min", "max",
  "pow", "pi", "square", "cube", "root", "absolute", "natural", "logarithm", "base", "plus", "minus", "times",
  "multiplied", "divided", "over", "mod", "modulo", "percent", "per", "cent", "squared", "cubed", "power", "raised",
  "st", "nd", "rd", "th", "x",
]);

/** Korean math stems (matched as word prefixes, since particles attach to them: "제곱근은"). */
const KOREAN_MATH_STEM = /^(?:더하기|빼기|곱하기|나누기|세제곱근|제곱근|세제곱|제곱|루트|얼마|계산|구해|구하)/u;
/** Korean particles and question filler (matched as whole words only). */
const KOREAN_FILLER = new Set([
  "은", "는", "이", "가", "의", "을", "를", "야", "이야", "요", "인가요", "입니까", "일까", "일까요", "이다", "입니다",
  "좀", "뭐", "뭐야", "무엇", "무엇인가요", "몇", "답", "답은", "값", "값은", "결과", "결과는", "해줘", "해주세요",
  "알려줘", "알려주세요", "줘", "주세요",
]);

/** Words and numbers of the query, for the dominance rule. */
function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const token of text.match(/[\p{L}][\p{L}'’]*/gu) ?? []) {
    const w = token.replace(/’/g, "'");
    if (/^[a-z]$/.test(w)) continue; // lone letters: unknowns ("x") and contractions ("s" of "what's")
    if (FILLER.has(w) || MATH_WORDS.has(w) || MATH_WORDS.has(w.replace(/'s$/, ""))) continue;
    if (KOREAN_FILLER.has(w) || KOREAN_MATH_STEM.test(w)) continue;
    out.push(w);
  }
  return out;
}

function now(): number {
  return typeof performance !== "undefined" && typeof performance.now === "function" ? performance.now() : Date.now();
}

/**
 * Route a user query to the math agent or to the knowledge graph.
 *
 * @param query - The raw user message, any language and length. Korean arithmetic ("3 더하기 5는?",
 *   "144의 제곱근은?") is recognised; other non-English math phrasings fall back to "knowledge"
 *   unless they use symbolic operators.
 * @returns A {@link RouterDecision}; `route` is `"math"` only when a math pattern matched and no
 *   content word outside the math part remains.
 * @remarks Never throws. Runs in time linear in the query length (every pattern is either anchored
 *   or bounded per start position).
 */
export function routeQuery(query: string): RouterDecision {
  const started = now();
  const text = String(query ?? "")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[−–]/g, "-");
  const patterns_checked = ROUTER_PATTERNS.map((p) => p.name);
  const matches_found: string[] = [];

  let scrubbed = text;
  for (const p of ROUTER_PATTERNS) {
    if (p.kind !== "guard") continue;
    p.re.lastIndex = 0;
    if (p.re.test(scrubbed)) {
      matches_found.push(p.name);
      p.re.lastIndex = 0;
      scrubbed = scrubbed.replace(p.re, " ");
    }
  }
  const mathMatches: string[] = [];
  for (const p of ROUTER_PATTERNS) {
    if (p.kind !== "math") continue;
    if (p.re.test(scrubbed)) mathMatches.push(p.name);
  }
  matches_found.unshift(...mathMatches);

  const leftovers = contentWords(scrubbed);
  let route: Route;
  let reasoning: string;
  if (mathMatches.length === 0) {
    route = "knowledge";
    reasoning = /\d/.test(text)
      ? "No arithmetic or algebra pattern matched (numbers alone are not math), so the query goes to the knowledge graph."
      : "No arithmetic or algebra pattern matched, so the query goes to the knowledge graph.";
  } else if (leftovers.length > 0) {
    route = "knowledge";
    const shown = leftovers.slice(0, 5).map((w) => `"${w}"`).join(", ");
    reasoning = `Matched ${mathMatches.join(", ")}, but the math part does not dominate: content words ${shown} remain, so the query goes to the knowledge graph.`;
  } else {
    route = "math";
    reasoning = `Matched ${mathMatches.join(", ")} and nothing but math and question filler remains, so the query goes to the math agent.`;
  }
  const execution_time_ms = Math.max(0, Math.round((now() - started) * 1000) / 1000);
  return { route, patterns_checked, matches_found, reasoning, execution_time_ms };
}
