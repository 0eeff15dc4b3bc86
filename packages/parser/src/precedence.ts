// Operator precedence and associativity, as data (from the %left/%right/
// %nonassoc lines of Nix's parser.y; higher binds tighter), with the
// desugaring each operator gets.
import type { Expr, Span } from "./ast.js";
import { K } from "./tokens.js";

export type Assoc = "left" | "right" | "nonassoc" | "prefix";

export interface OperatorRow {
  readonly symbol: string;
  readonly precedence: number;
  readonly assoc: Assoc;
  /** What it parses to (documentation; `build` is the code). */
  readonly desugar: string;
}

/** Application (`f x`) and selection (`e.a`) bind tighter than any row. `|>` and `<|` cannot be mixed. */
export const OPERATOR_TABLE: readonly OperatorRow[] = [
  { symbol: "-x", precedence: 12, assoc: "prefix", desugar: "__sub 0 x" },
  { symbol: "?", precedence: 11, assoc: "nonassoc", desugar: "HasAttr" },
  { symbol: "++", precedence: 10, assoc: "right", desugar: "Binary ++" },
  { symbol: "*", precedence: 9, assoc: "left", desugar: "__mul a b" },
  { symbol: "/", precedence: 9, assoc: "left", desugar: "__div a b" },
  { symbol: "+", precedence: 8, assoc: "left", desugar: "ConcatStrings a b" },
  { symbol: "-", precedence: 8, assoc: "left", desugar: "__sub a b" },
  { symbol: "!x", precedence: 7, assoc: "prefix", desugar: "Not x" },
  { symbol: "//", precedence: 6, assoc: "right", desugar: "Binary //" },
  { symbol: "<", precedence: 5, assoc: "nonassoc", desugar: "__lessThan a b" },
  { symbol: ">", precedence: 5, assoc: "nonassoc", desugar: "__lessThan b a" },
  { symbol: "<=", precedence: 5, assoc: "nonassoc", desugar: "! (__lessThan b a)" },
  { symbol: ">=", precedence: 5, assoc: "nonassoc", desugar: "! (__lessThan a b)" },
  { symbol: "==", precedence: 4, assoc: "nonassoc", desugar: "Binary ==" },
  { symbol: "!=", precedence: 4, assoc: "nonassoc", desugar: "Binary !=" },
  { symbol: "&&", precedence: 3, assoc: "left", desugar: "Binary &&" },
  { symbol: "||", precedence: 2, assoc: "left", desugar: "Binary ||" },
  { symbol: "->", precedence: 1, assoc: "right", desugar: "Binary ->" },
  { symbol: "|>", precedence: 0, assoc: "left", desugar: "b a (a call)" },
  { symbol: "<|", precedence: 0, assoc: "right", desugar: "a b (a call)" },
];

export interface NodeFactory {
  span(start: number, end: number): Span;
  /** Nix's makeCall: `fn arg`, adding to `fn`'s arguments when it is already a call. */
  call(start: number, fn: Expr, arg: Expr): Expr;
}

export type Builder = (f: NodeFactory, left: Expr, right: Expr, opStart: number) => Expr;

const call = (f: NodeFactory, name: string, args: Expr[], opStart: number, end: number): Expr => {
  const at = f.span(opStart, opStart);
  return { kind: "Call", span: f.span(opStart, end), fn: { kind: "Var", span: at, name }, args };
};
const binary =
  (op: "==" | "!=" | "&&" | "||" | "->" | "//" | "++"): Builder =>
  (f, left, right, opStart) => ({
    kind: "Binary",
    span: f.span(opStart, right.span.endOffset),
    op,
    left,
    right,
  });
const lessThan =
  (swap: boolean, negate: boolean): Builder =>
  (f, left, right, opStart) => {
    const end = right.span.endOffset;
    const c = call(f, "__lessThan", swap ? [right, left] : [left, right], opStart, end);
    return negate ? { kind: "Not", span: f.span(opStart, end), expr: c } : c;
  };
const builtin =
  (name: string): Builder =>
  (f, left, right, opStart) =>
    call(f, name, [left, right], opStart, right.span.endOffset);

export interface BinaryOperator {
  readonly precedence: number;
  readonly assoc: "left" | "right" | "nonassoc";
  readonly build: Builder;
}

const row = (symbol: string) => OPERATOR_TABLE.find((r) => r.symbol === symbol)!;
const op = (symbol: string, build: Builder): BinaryOperator => {
  const r = row(symbol);
  return { precedence: r.precedence, assoc: r.assoc as "left" | "right" | "nonassoc", build };
};

/** Binary operators by token kind. */
export const BINARY_OPERATORS: ReadonlyMap<number, BinaryOperator> = new Map([
  [K.Concat, op("++", binary("++"))],
  [K.Star, op("*", builtin("__mul"))],
  [K.Slash, op("/", builtin("__div"))],
  [
    K.Plus,
    op("+", (f, left, right, opStart) => ({
      kind: "ConcatStrings",
      span: f.span(opStart, right.span.endOffset),
      forceString: false,
      parts: [left, right],
    })),
  ],
  [K.Minus, op("-", builtin("__sub"))],
  [K.Update, op("//", binary("//"))],
  [K.Lt, op("<", lessThan(false, false))],
  [K.Gt, op(">", lessThan(true, false))],
  [K.Leq, op("<=", lessThan(true, true))],
  [K.Geq, op(">=", lessThan(false, true))],
  [K.Eq, op("==", binary("=="))],
  [K.Neq, op("!=", binary("!="))],
  [K.And, op("&&", binary("&&"))],
  [K.Or, op("||", binary("||"))],
  [K.Impl, op("->", binary("->"))],
  [K.PipeInto, op("|>", (f, left, right, opStart) => f.call(opStart, right, left))],
  [K.PipeFrom, op("<|", (f, left, right, opStart) => f.call(opStart, left, right))],
]);

export const HAS_ATTR_PRECEDENCE = row("?").precedence;
export const NEGATE_PRECEDENCE = row("-x").precedence;
export const NOT_PRECEDENCE = row("!x").precedence;
