/**
 * Formatting of numbers and parse trees for the math agent's expressions, results and steps.
 */
import type { ConstantNode, MathNode, OperatorNode } from "mathjs";
import { formatValue } from "./mathjs";

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

/** Parenthesise a negative formatted number: `-2` → `(-2)`. */
export const paren = (s: string): string => (s.startsWith("-") ? `(${s})` : s);

/** Render a parse tree: numbers to 14 digits, `2x` for implicit coefficient × unknown. */
export function render(node: MathNode): string {
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
