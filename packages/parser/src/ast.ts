// The typed AST. It mirrors Nix's own `Expr` classes (libexpr/nixexpr.hh) after
// the parser's desugaring, because both `nix-instantiate --parse` output and the
// evaluator's semantics are defined on that shape:
//   a - b      -> Call(Var "__sub", [a, b])        (also * / <; > <= >= via __lessThan and Not)
//   -a         -> Call(Var "__sub", [Int 0, a])
//   a + b      -> ConcatStrings(forceString=false, [a, b])
//   "x${y}z"   -> ConcatStrings(forceString=true, [String "x", y, String "z"])
//   ./a/${b}   -> ConcatStrings(forceString=false, [Path "/abs/a/", b])
//   <p/q>      -> Call(Var "__findFile", [Var "__nixPath", String "p/q"])
//   http://u   -> String "http://u"
//   a |> f     -> Call(f, [a]);  f <| a -> Call(f, [a])
//   let { body = e; ... } -> Select(Attrs(recursive), ["body"])
//   f a b      -> Call(f, [a, b])  (applications are flattened, as Nix does)
// Nested attribute paths (`a.b.c = 1; a.d = 2;`) are merged into nested Attrs at
// parse time, with Nix's duplicate-attribute errors.

/** A source text: a file, standard input or a string given on the command line. */
export interface Source {
  /** Absolute path for files; null for «stdin» and «string». */
  readonly path: string | null;
  readonly origin: "file" | "stdin" | "string";
  readonly text: string;
}

/** A position in a source: 1-based line and column, 0-based UTF-16 offset. */
export interface Span {
  readonly source: Source;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** Offset just past the end of the node. */
  readonly endOffset: number;
}

export type Expr =
  | IntExpr
  | FloatExpr
  | StringExpr
  | PathExpr
  | VarExpr
  | SelectExpr
  | HasAttrExpr
  | AttrsExpr
  | ListExpr
  | LambdaExpr
  | CallExpr
  | LetExpr
  | WithExpr
  | IfExpr
  | AssertExpr
  | NotExpr
  | BinaryExpr
  | ConcatStringsExpr
  | CurPosExpr
  | InheritFromExpr;

export interface IntExpr {
  readonly kind: "Int";
  readonly span: Span;
  /** Always within signed 64-bit range (the parser rejects larger literals as Nix does). */
  readonly value: bigint;
}

export interface FloatExpr {
  readonly kind: "Float";
  readonly span: Span;
  readonly value: number;
}

/** A string with no interpolation, escapes already decoded; also URI literals. */
export interface StringExpr {
  readonly kind: "String";
  readonly span: Span;
  readonly value: string;
}

/** A path literal, made absolute and canonical at parse time as Nix does (`~/` expanded from HOME). */
export interface PathExpr {
  readonly kind: "Path";
  readonly span: Span;
  readonly value: string;
}

export interface VarExpr {
  readonly kind: "Var";
  readonly span: Span;
  readonly name: string;
}

/** One element of an attribute path: `a`, `"a"` (both static), `${e}` or `"${e}x"` (dynamic). */
export type AttrName =
  | { readonly kind: "static"; readonly name: string; readonly span: Span }
  | { readonly kind: "dynamic"; readonly expr: Expr; readonly span: Span };

/** `e.a.b` or `e.a.b or default`. */
export interface SelectExpr {
  readonly kind: "Select";
  readonly span: Span;
  readonly expr: Expr;
  readonly path: readonly AttrName[];
  readonly default: Expr | null;
}

/** `e ? a.b`. */
export interface HasAttrExpr {
  readonly kind: "HasAttr";
  readonly span: Span;
  readonly expr: Expr;
  readonly path: readonly AttrName[];
}

export type AttrDefKind =
  /** `name = value;` */
  | "plain"
  /** `inherit name;`: value is Var(name), resolved in the scope *outside* a rec set / let. */
  | "inherited"
  /** `inherit (e) name;`: value is Select(InheritFrom(i), [name]). */
  | "inheritedFrom";

export interface AttrDef {
  readonly name: string;
  readonly kind: AttrDefKind;
  /** Mutable only while the parser merges nested definitions. */
  value: Expr;
  /** Position of the attribute name (what unsafeGetAttrPos reports). */
  readonly span: Span;
}

export interface DynamicAttrDef {
  readonly name: Expr;
  readonly value: Expr;
  readonly span: Span;
}

/** `{ … }` and `rec { … }`. `attrs` holds static names, unique, in source order. */
export interface AttrsExpr {
  readonly kind: "Attrs";
  readonly span: Span;
  recursive: boolean;
  readonly attrs: AttrDef[];
  readonly dynamicAttrs: DynamicAttrDef[];
  /** The `e` of each `inherit (e) …`, indexed by InheritFromExpr.index. */
  readonly inheritFrom: Expr[];
}

/** Refers to the enclosing Attrs/Let's `inheritFrom[index]` (evaluated once, lazily, and shared). */
export interface InheritFromExpr {
  readonly kind: "InheritFrom";
  readonly span: Span;
  readonly index: number;
}

export interface ListExpr {
  readonly kind: "List";
  readonly span: Span;
  readonly items: readonly Expr[];
}

export interface Formal {
  readonly name: string;
  readonly default: Expr | null;
  readonly span: Span;
}

export interface Formals {
  /** In source order; the printer sorts them by name as Nix does. */
  readonly formals: readonly Formal[];
  readonly ellipsis: boolean;
}

/** `x: body`, `{ a, b ? 1, ... }: body`, `args@{ … }: body`. */
export interface LambdaExpr {
  readonly kind: "Lambda";
  readonly span: Span;
  /** The plain argument name or the `@` name; null when there is none. */
  readonly arg: string | null;
  readonly formals: Formals | null;
  readonly body: Expr;
  /** Set by the parser when the lambda is bound to an attribute or let name (for «lambda f @ …» and traces). */
  name: string | null;
}

export interface CallExpr {
  readonly kind: "Call";
  readonly span: Span;
  readonly fn: Expr;
  readonly args: readonly Expr[];
}

/** `let … in body`; `attrs.recursive` is always true. */
export interface LetExpr {
  readonly kind: "Let";
  readonly span: Span;
  readonly attrs: AttrsExpr;
  readonly body: Expr;
}

export interface WithExpr {
  readonly kind: "With";
  readonly span: Span;
  readonly env: Expr;
  readonly body: Expr;
}

export interface IfExpr {
  readonly kind: "If";
  readonly span: Span;
  readonly cond: Expr;
  readonly then: Expr;
  readonly else: Expr;
}

export interface AssertExpr {
  readonly kind: "Assert";
  readonly span: Span;
  readonly cond: Expr;
  readonly body: Expr;
}

export interface NotExpr {
  readonly kind: "Not";
  readonly span: Span;
  readonly expr: Expr;
}

export type BinaryOp = "==" | "!=" | "&&" | "||" | "->" | "//" | "++";

export interface BinaryExpr {
  readonly kind: "Binary";
  readonly span: Span;
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * String interpolation (forceString = true) and `+` (forceString = false).
 * Semantics as Nix's ExprConcatStrings: the first part's type decides whether the
 * result is a path, an integer/float sum or a string.
 */
export interface ConcatStringsExpr {
  readonly kind: "ConcatStrings";
  readonly span: Span;
  readonly forceString: boolean;
  readonly parts: readonly Expr[];
}

/** `__curPos`. */
export interface CurPosExpr {
  readonly kind: "CurPos";
  readonly span: Span;
}
