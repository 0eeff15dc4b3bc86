// Static scope check: Nix's bindVars reports variables that no enclosing
// let/rec/lambda/with binds as "undefined variable" before evaluating anything.
import type { AttrsExpr, Expr } from "./ast.js";
import { ParseError } from "./errors.js";

interface Scope {
  /** Small scopes (most lambdas) as an array: cheaper to make than a Set, as quick to search. */
  readonly names: ReadonlySet<string> | readonly string[] | null;
  /** A `with` scope: any name may come from it. */
  readonly isWith: boolean;
  readonly up: Scope | null;
}

function defined(scope: Scope | null, name: string, isGlobal: (n: string) => boolean): boolean {
  for (let s = scope; s !== null; s = s.up) {
    if (s.isWith) return true;
    const names = s.names!;
    if (Array.isArray(names) ? names.includes(name) : (names as ReadonlySet<string>).has(name)) return true;
  }
  return isGlobal(name);
}

const SMALL_SCOPE = 8;

function namesOf(names: string[]): Scope["names"] {
  return names.length <= SMALL_SCOPE ? names : new Set(names);
}

/**
 * Throws ParseError("undefined variable 'x'") for the first unbound variable in Nix's traversal
 * order. A first pass visits attributes in source order (no sorting); only when it finds an unbound
 * variable does a second pass, in Nix's order, pick the one Nix reports.
 */
export function checkScopes(root: Expr, isGlobal: (name: string) => boolean): void {
  try {
    checkScopesIn(root, isGlobal, false);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    checkScopesIn(root, isGlobal, true);
    throw e;
  }
}

function checkScopesIn(root: Expr, isGlobal: (name: string) => boolean, nixOrder: boolean): void {
  const attrsScope = (attrs: AttrsExpr, scope: Scope | null): Scope => ({
    names: namesOf(attrs.attrs.map((d) => d.name)),
    isWith: false,
    up: scope,
  });
  // Nix binds the attributes of a set in name order.
  const ordered = (attrs: AttrsExpr) =>
    nixOrder
      ? [...attrs.attrs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      : attrs.attrs;
  const visitAttrs = (attrs: AttrsExpr, inner: Scope | null, outer: Scope | null) => {
    for (const from of attrs.inheritFrom) visit(from, inner);
    for (const d of ordered(attrs)) {
      if (d.kind === "inherited") visit(d.value, outer);
      else if (d.kind === "inheritedFrom") continue;
      else visit(d.value, inner);
    }
    for (const d of attrs.dynamicAttrs) {
      visit(d.name, inner);
      visit(d.value, inner);
    }
  };
  const visit = (e: Expr, scope: Scope | null): void => {
    switch (e.kind) {
      case "Var":
        if (!defined(scope, e.name, isGlobal)) throw new ParseError(`undefined variable '${e.name}'`, e.span);
        return;
      case "Select":
        visit(e.expr, scope);
        if (e.default !== null) visit(e.default, scope);
        for (const p of e.path) if (p.kind === "dynamic") visit(p.expr, scope);
        return;
      case "HasAttr":
        visit(e.expr, scope);
        for (const p of e.path) if (p.kind === "dynamic") visit(p.expr, scope);
        return;
      case "Attrs":
        if (e.recursive) visitAttrs(e, attrsScope(e, scope), scope);
        else visitAttrs(e, scope, scope);
        return;
      case "List":
        for (const i of e.items) visit(i, scope);
        return;
      case "Lambda": {
        const names: string[] = [];
        if (e.arg !== null) names.push(e.arg);
        if (e.formals !== null) for (const f of e.formals.formals) names.push(f.name);
        const inner: Scope = { names: namesOf(names), isWith: false, up: scope };
        if (e.formals !== null)
          for (const f of e.formals.formals) if (f.default !== null) visit(f.default, inner);
        visit(e.body, inner);
        return;
      }
      case "Call":
        visit(e.fn, scope);
        for (const a of e.args) visit(a, scope);
        return;
      case "Let": {
        const inner = attrsScope(e.attrs, scope);
        visitAttrs(e.attrs, inner, scope);
        visit(e.body, inner);
        return;
      }
      case "With":
        visit(e.env, scope);
        visit(e.body, { names: null, isWith: true, up: scope });
        return;
      case "If":
        visit(e.cond, scope);
        visit(e.then, scope);
        visit(e.else, scope);
        return;
      case "Assert":
        visit(e.cond, scope);
        visit(e.body, scope);
        return;
      case "Not":
        visit(e.expr, scope);
        return;
      case "Binary":
        visit(e.left, scope);
        visit(e.right, scope);
        return;
      case "ConcatStrings":
        for (const p of e.parts) visit(p, scope);
        return;
      default:
        return;
    }
  };
  visit(root, null);
}
