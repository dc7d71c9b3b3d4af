/**
 * The restricted mathjs instance of the math agent. `import`, `createUnit`, `evaluate`, `parse`,
 * `simplify`, `derivative`, `resolve` and `compile` are replaced by functions that throw, as the
 * mathjs security guide recommends; this module keeps private references to the originals the
 * agent needs and exports only those.
 */
import { all, create } from "mathjs";

export const math = create(all, { predictable: true }); // predictable: real-only results (sqrt(-1) → NaN)
// Private references to the originals, taken before they are disabled below.
export const parseExpression = math.parse;
export const formatValue = math.format;
export const ConstantNodeCtor = math.ConstantNode;
export const ParenthesisNodeCtor = math.ParenthesisNode;
export const isValuelessUnit = (name: string): boolean => {
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
