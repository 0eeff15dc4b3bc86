// Deep forcing (--strict, deepSeq), as Nix's forceValueDeep.
import type { Span } from "@tsnix/parser";
import { NixError, STACK_OVERFLOW_MESSAGE, toNixError } from "./errors.js";
import { force, type Runtime } from "./runtime.js";
import { NixAttrs, Thunk, type Lazy } from "./values.js";

/**
 * Nix iterates a set's attributes in symbol order (the order the names were
 * first interned), not alphabetically. The names interned when the evaluator
 * starts (EvalState's static symbols) come first, in this order; so a
 * derivation's `outPath` is forced before its `drvAttrs`, as in Nix. Other
 * names keep alphabetical order (their symbol order depends on parse order).
 */
const STATIC_SYMBOLS: ReadonlyMap<string, number> = new Map(
  [
    "outPath",
    "drvPath",
    "type",
    "meta",
    "name",
    "value",
    "system",
    "__overrides",
    "outputs",
    "outputName",
    "__ignoreNulls",
    "file",
    "line",
    "column",
    "__functor",
    "__toString",
    "right",
    "wrong",
    "__structuredAttrs",
    "__json",
    "allowedReferences",
    "allowedRequisites",
    "disallowedReferences",
    "disallowedRequisites",
    "maxSize",
    "maxClosureSize",
    "builder",
    "args",
    "__contentAddressed",
    "__impure",
    "outputHash",
    "outputHashAlgo",
    "outputHashMode",
    "recurseForDerivations",
    "description",
    "self",
    "",
    "startSet",
    "operator",
    "key",
    "path",
    "prefix",
    "outputSpecified",
  ].map((n, i) => [n, i]),
);

/** The indices of `names` in Nix's iteration order, or null when that is their own order. */
function symbolOrder(names: readonly string[]): number[] | null {
  let statics: number[] | null = null;
  for (let i = 0; i < names.length; i++) {
    if (STATIC_SYMBOLS.has(names[i]!)) (statics ??= []).push(i);
  }
  if (statics === null) return null;
  statics.sort((a, b) => STATIC_SYMBOLS.get(names[a]!)! - STATIC_SYMBOLS.get(names[b]!)!);
  const order = statics;
  for (let i = 0; i < names.length; i++) if (!STATIC_SYMBOLS.has(names[i]!)) order.push(i);
  for (let j = 0; j < order.length; j++) if (order[j] !== j) return order;
  return null;
}

export function forceDeep(rt: Runtime, x: Lazy, span: Span | null): void {
  const seen = new Set<unknown>();
  // Nix counts every value visited against max-call-depth (addCallDepth in forceValueDeep).
  const recurse = (cell: Lazy): void => {
    if (rt.depth > rt.maxCallDepth) {
      throw new NixError(STACK_OVERFLOW_MESSAGE, cell instanceof Thunk ? cell.span : span, "stack-overflow");
    }
    rt.depth++;
    try {
      if (typeof cell === "object" && cell !== null) {
        if (seen.has(cell)) return;
        seen.add(cell);
      }
      // Nix forces at the value's own position (determinePos): a pending thunk's
      // expression, a lazy application's function.
      const v =
        cell instanceof Thunk && cell.value === undefined ? force(cell, cell.span) : force(cell, span);
      if (v instanceof NixAttrs || Array.isArray(v)) recurseInto(v, cell);
    } finally {
      rt.depth--;
    }
  };
  const recurseInto = (v: NixAttrs | readonly Lazy[], cell: Lazy): void => {
    if (v instanceof NixAttrs) {
      if (v !== cell) {
        if (seen.has(v)) return;
        seen.add(v);
      }
      const names = v.names;
      const order = symbolOrder(names);
      for (let j = 0; j < names.length; j++) {
        const i = order === null ? j : order[j]!;
        const k = names[i]!;
        try {
          recurse(v.values[i]!);
        } catch (e) {
          const ne = toNixError(e);
          ne.addTrace(v.positions === null ? null : v.positions[i]!, `while evaluating the attribute '${k}'`);
          throw ne;
        }
      }
    } else if (Array.isArray(v)) {
      if (v !== cell) {
        if (seen.has(v)) return;
        seen.add(v);
      }
      const list = v as readonly Lazy[];
      for (let i = 0; i < list.length; i++) {
        try {
          recurse(list[i]!);
        } catch (e) {
          const ne = toNixError(e);
          ne.addTrace(null, `while evaluating list element at index ${i}`);
          throw ne;
        }
      }
    }
  };
  recurse(x);
}
