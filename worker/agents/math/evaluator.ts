/**
 * Evaluator of the math agent: evaluates a checked, unknown-free parse tree with the restricted
 * mathjs instance, one operation at a time, and refuses results that are not finite real numbers.
 */
import type { FunctionNode, MathNode, OperatorNode, SymbolNode } from "mathjs";
import { formatNumber, render } from "./format";
import { ConstantNodeCtor, ParenthesisNodeCtor } from "./mathjs";
import { evaluateConstant, unwrap } from "./parser";
import { CONSTANTS, MATH_LIMITS, refuse } from "./types";

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
export function evaluateWithSteps(root: MathNode): { value: number; steps: string[] } {
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
