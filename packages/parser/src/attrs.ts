// Building attribute sets the way Nix's ParserState::addAttr does: nested
// attribute paths create (or extend) nested sets, two literal sets bound to the
// same name are merged, anything else bound twice is "already defined".
import type { AttrDef, AttrName, AttrsExpr, DynamicAttrDef, Expr, Span } from "./ast.js";
import { ParseError } from "./errors.js";
import { showAttrPath } from "./show.js";
import { showPos } from "./source.js";

/**
 * Name → definition for large sets while parsing (the AST keeps definitions in
 * an array; small sets are searched linearly). Cleared by resetAttrIndexes().
 */
let indexes = new Map<AttrsExpr, Map<string, AttrDef>>();
const LINEAR_LIMIT = 12;

export function resetAttrIndexes(): void {
  if (indexes.size > 0) indexes = new Map();
}

function indexOf(attrs: AttrsExpr): Map<string, AttrDef> {
  let index = indexes.get(attrs);
  if (index === undefined) {
    index = new Map();
    for (const def of attrs.attrs) index.set(def.name, def);
    indexes.set(attrs, index);
  }
  return index;
}

/**
 * Most sets have no dynamic attributes and no `inherit (e)`: they share these
 * frozen empty arrays (fewer objects for the GC); the first addition gives the
 * set its own array.
 */
const NO_DYNAMIC = Object.freeze([]) as unknown as DynamicAttrDef[];
const NO_INHERIT_FROM = Object.freeze([]) as unknown as Expr[];

export function addDynamic(attrs: AttrsExpr, ...defs: DynamicAttrDef[]): void {
  if (defs.length === 0) return;
  if (attrs.dynamicAttrs === NO_DYNAMIC) (attrs as { dynamicAttrs: DynamicAttrDef[] }).dynamicAttrs = [];
  attrs.dynamicAttrs.push(...defs);
}

export function addInheritFrom(attrs: AttrsExpr, ...exprs: Expr[]): void {
  if (exprs.length === 0) return;
  if (attrs.inheritFrom === NO_INHERIT_FROM) (attrs as { inheritFrom: Expr[] }).inheritFrom = [];
  attrs.inheritFrom.push(...exprs);
}

export function newAttrs(span: Span, recursive: boolean): AttrsExpr {
  return {
    kind: "Attrs",
    span,
    recursive,
    attrs: [],
    dynamicAttrs: NO_DYNAMIC,
    inheritFrom: NO_INHERIT_FROM,
  };
}

export function lookupAttr(attrs: AttrsExpr, name: string): AttrDef | undefined {
  const defs = attrs.attrs;
  if (defs.length <= LINEAR_LIMIT) {
    for (let i = 0; i < defs.length; i++) if (defs[i]!.name === name) return defs[i];
    return undefined;
  }
  return indexOf(attrs).get(name);
}

function insertAttr(attrs: AttrsExpr, def: AttrDef): void {
  attrs.attrs.push(def);
  if (attrs.attrs.length > LINEAR_LIMIT) indexOf(attrs).set(def.name, def);
}

/** Nix's Expr::setName: a lambda bound to a name learns it, and so do the lambdas it directly returns. */
export function setName(expr: Expr, name: string): void {
  let e: Expr = expr;
  while (e.kind === "Lambda") {
    e.name = name;
    e = e.body;
  }
}

export function dupAttrError(path: readonly AttrName[], span: Span, prev: Span): ParseError {
  return new ParseError(`attribute '${showAttrPath(path)}' already defined at ${showPos(prev)}`, span);
}

/** `inherit x;` / `inherit (e) x;`: no merging, a second definition is an error. */
export function addInherited(attrs: AttrsExpr, def: AttrDef): void {
  const prev = lookupAttr(attrs, def.name);
  if (prev !== undefined)
    throw dupAttrError([{ kind: "static", name: def.name, span: def.span }], def.span, prev.span);
  insertAttr(attrs, def);
}

/** `a.b.c = e;` at `span` (the start of the attribute path). */
export function addAttrPath(attrs: AttrsExpr, path: AttrName[], span: Span, value: Expr): void {
  let target = attrs;
  for (let i = 0; i + 1 < path.length; i++) {
    const part = path[i]!;
    let nested: AttrsExpr;
    if (part.kind === "static") {
      const existing = lookupAttr(target, part.name);
      if (existing !== undefined) {
        if (existing.value.kind !== "Attrs") throw dupAttrError(path.slice(0, i + 1), span, existing.span);
        nested = existing.value;
      } else {
        nested = newAttrs(span, false);
        insertAttr(target, { name: part.name, kind: "plain", value: nested, span });
      }
    } else {
      nested = newAttrs(span, false);
      addDynamic(target, { name: part.expr, value: nested, span });
    }
    target = nested;
  }
  const last = path[path.length - 1]!;
  if (last.kind === "static")
    addDef(target, path, last.name, { name: last.name, kind: "plain", value, span });
  else addDynamic(target, { name: last.expr, value, span });
}

/** ParserState::addAttr(attrs, attrPath, symbol, def); `path` ends with `name` and is used for messages. */
function addDef(attrs: AttrsExpr, path: AttrName[], name: string, def: AttrDef): void {
  const existing = lookupAttr(attrs, name);
  if (existing === undefined) {
    insertAttr(attrs, def);
    setName(def.value, name);
    return;
  }
  const into = existing.value;
  const from = def.value;
  if (into.kind !== "Attrs" || from.kind !== "Attrs") throw dupAttrError(path, def.span, existing.span);
  const shift = into.inheritFrom.length;
  for (const inner of from.attrs) {
    let moved = inner;
    if (
      inner.kind === "inheritedFrom" &&
      shift > 0 &&
      inner.value.kind === "Select" &&
      inner.value.expr.kind === "InheritFrom"
    ) {
      const sel = inner.value;
      const source = sel.expr as { kind: "InheritFrom"; span: Span; index: number };
      moved = {
        ...inner,
        value: { ...sel, expr: { kind: "InheritFrom", span: source.span, index: source.index + shift } },
      };
    }
    path.push({ kind: "static", name: inner.name, span: inner.span });
    addDef(into, path, inner.name, moved);
    path.pop();
  }
  addDynamic(into, ...from.dynamicAttrs);
  addInheritFrom(into, ...from.inheritFrom);
}
