// Operators with Nix's typing rules: arithmetic, comparison, equality, coercion.
import type { Span } from "@tsnix/parser";
import { NixError, evalError, typeError } from "./errors.js";
import { forceAttrs, forceInt, forceNumber } from "./check.js";
import { formatFloat, printValueForError } from "./print.js";
import { call1, force, type Runtime } from "./runtime.js";
import { canonPath } from "./paths.js";
import {
  INT64_MAX,
  INT64_MIN,
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  mkInt,
  showType,
  showTypeShort,
  toBig,
  type Lazy,
  type Value,
} from "./values.js";

// ---- integer arithmetic (int64 with overflow errors) -----------------------

function checked(r: bigint): number | bigint | null {
  if (r < INT64_MIN || r > INT64_MAX) return null;
  return mkInt(r);
}

export function intAdd(a: number | bigint, b: number | bigint, span: Span | null): number | bigint {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = checked(toBig(a) + toBig(b));
  if (r === null) throw evalError(`integer overflow in adding ${a} + ${b}`, span);
  return r;
}

export function intSub(a: number | bigint, b: number | bigint, span: Span | null): number | bigint {
  if (typeof a === "number" && typeof b === "number") {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = checked(toBig(a) - toBig(b));
  if (r === null) throw evalError(`integer overflow in subtracting ${a} - ${b}`, span);
  return r;
}

export function intMul(a: number | bigint, b: number | bigint, span: Span | null): number | bigint {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = checked(toBig(a) * toBig(b));
  if (r === null) throw evalError(`integer overflow in multiplying ${a} * ${b}`, span);
  return r;
}

export function intDiv(a: number | bigint, b: number | bigint, span: Span | null): number | bigint {
  if (b === 0 || b === 0n) throw evalError("division by zero", span);
  if (typeof a === "number" && typeof b === "number") return Math.trunc(a / b);
  const r = checked(toBig(a) / toBig(b));
  if (r === null) throw evalError(`integer overflow in dividing ${a} / ${b}`, span);
  return r;
}

const isNum = (v: Value): boolean => typeof v === "number" || typeof v === "bigint" || v instanceof NixFloat;
const numOf = (v: Value): number => (v instanceof NixFloat ? v.value : Number(v as number | bigint));

/** builtins.add / sub / mul / div semantics on forced arguments. */
export type ArithOp = "add" | "sub" | "mul" | "div";

const ARITH_NAMES: Record<ArithOp, [string, string]> = {
  add: ["first argument of the addition", "second argument of the addition"],
  sub: ["first argument of the subtraction", "second argument of the subtraction"],
  mul: ["first argument of the multiplication", "second argument of the multiplication"],
  div: ["first operand of the division", "second operand of the division"],
};

export function arith(op: ArithOp, x: Lazy, y: Lazy, span: Span | null): Value {
  // Primops force their arguments without a position (an infinite recursion here has none).
  const a = force(x, null);
  const b = force(y, null);
  if (typeof a === "number" && typeof b === "number") {
    if (op === "add") {
      const r = a + b;
      if (Number.isSafeInteger(r)) return r;
    } else if (op === "sub") {
      const r = a - b;
      if (Number.isSafeInteger(r)) return r;
    }
  }
  const [c1, c2] = ARITH_NAMES[op];
  if (op === "div" && forceNumber(b, span, "while evaluating the second operand of the division") === 0) {
    throw evalError("division by zero", null);
  }
  if (a instanceof NixFloat || b instanceof NixFloat) {
    const fa = forceNumber(a, span, "while evaluating the " + c1);
    const fb = forceNumber(b, span, "while evaluating the " + c2);
    switch (op) {
      case "add":
        return new NixFloat(fa + fb);
      case "sub":
        return new NixFloat(fa - fb);
      case "mul":
        return new NixFloat(fa * fb);
      case "div":
        if (fb === 0) throw evalError("division by zero", span);
        return new NixFloat(fa / fb);
    }
  }
  const ia = forceInt(a, span, "while evaluating the " + c1);
  const ib = forceInt(b, span, "while evaluating the " + c2);
  switch (op) {
    case "add":
      return intAdd(ia, ib, null);
    case "sub":
      return intSub(ia, ib, null);
    case "mul":
      return intMul(ia, ib, null);
    case "div":
      return intDiv(ia, ib, null);
  }
}

// ---- comparison -------------------------------------------------------------

/** Nix's CompareValues (used by `<` and builtins.sort). */
export function lessThan(rt: Runtime, x: Lazy, y: Lazy, span: Span | null): boolean {
  return compareValues(rt, force(x, span), force(y, span), span) < 0;
}

export function compareValues(rt: Runtime, a: Value, b: Value, span: Span | null): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (isNum(a) && isNum(b)) {
    if (a instanceof NixFloat || b instanceof NixFloat) {
      const fa = numOf(a);
      const fb = numOf(b);
      return fa < fb ? -1 : fa > fb ? 1 : 0;
    }
    const ba = toBig(a as number | bigint);
    const bb = toBig(b as number | bigint);
    return ba < bb ? -1 : ba > bb ? 1 : 0;
  }
  const sa = typeof a === "string" ? a : a instanceof NixString ? a.value : null;
  const sb = typeof b === "string" ? b : b instanceof NixString ? b.value : null;
  if (sa !== null && sb !== null) return compareBytes(sa, sb);
  if (a instanceof NixPath && b instanceof NixPath) return compareBytes(a.path, b.path);
  if (Array.isArray(a) && Array.isArray(b)) {
    const la = a as readonly Lazy[];
    const lb = b as readonly Lazy[];
    for (let i = 0; ; i++) {
      if (i === lb.length) return i === la.length ? 0 : 1;
      if (i === la.length) return -1;
      const ea = force(la[i]!, span);
      const eb = force(lb[i]!, span);
      if (!eqValues(rt, ea, eb, span)) {
        try {
          return compareValues(rt, ea, eb, span);
        } catch (e) {
          if (e instanceof NixError) e.addTrace(null, "while comparing two list elements");
          throw e;
        }
      }
    }
  }
  if (showType(a) === showType(b)) {
    throw evalError(
      `cannot compare ${showType(a)} with ${showType(b)}; values of that type are incomparable (values are ${printValueForError(a)} and ${printValueForError(b)})`,
    );
  }
  throw evalError(
    `cannot compare ${showType(a)} with ${showType(b)}; values are ${printValueForError(a)} and ${printValueForError(b)}`,
  );
}

/** Byte-wise (UTF-8) comparison of two JS strings. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // surrogates (>= 0xD800 < 0xE000) sort after BMP chars below 0xE000 in UTF-8 order only vs >= 0xE000
      const ka = ca >= 0xd800 && ca < 0xe000 ? ca + 0x2000 : ca >= 0xe000 ? ca - 0x800 : ca;
      const kb = cb >= 0xd800 && cb < 0xe000 ? cb + 0x2000 : cb >= 0xe000 ? cb - 0x800 : cb;
      return ka < kb ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

// ---- equality ---------------------------------------------------------------

export function isDerivation(v: Value): boolean {
  if (!(v instanceof NixAttrs)) return false;
  const t = v.get("type");
  if (t === undefined) return false;
  const tv = force(t);
  return tv === "derivation" || (tv instanceof NixString && tv.value === "derivation");
}

/** Nix's eqValues: deep equality; functions are never equal (except the same cell in a list/attrs). */
export function eqValues(rt: Runtime, a: Value, b: Value, span: Span | null): boolean {
  if (a === b && typeof a !== "object") return true;
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (isNum(a) && isNum(b)) {
    if (a instanceof NixFloat || b instanceof NixFloat) return numOf(a) === numOf(b);
    return toBig(a as number | bigint) === toBig(b as number | bigint);
  }
  if (typeof a === "string" || a instanceof NixString) {
    if (typeof b === "string") return (typeof a === "string" ? a : a.value) === b;
    if (b instanceof NixString) return (typeof a === "string" ? a : a.value) === b.value;
    return false;
  }
  if (a === null || typeof a === "boolean") return a === b;
  if (a instanceof NixPath) return b instanceof NixPath && a.path === b.path;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    const la = a as readonly Lazy[];
    const lb = b as readonly Lazy[];
    if (la.length !== lb.length) return false;
    for (let i = 0; i < la.length; i++) {
      const x = la[i]!;
      const y = lb[i]!;
      if (x === y) continue;
      if (!eqValues(rt, force(x, span), force(y, span), span)) return false;
    }
    return true;
  }
  if (a instanceof NixAttrs) {
    if (!(b instanceof NixAttrs)) return false;
    if (a === b) return true;
    if (isDerivation(a) && isDerivation(b)) {
      const oa = a.get("outPath");
      const ob = b.get("outPath");
      if (oa !== undefined && ob !== undefined) return eqValues(rt, force(oa, span), force(ob, span), span);
    }
    if (a.size !== b.size) return false;
    const an = a.names;
    const bn = b.names;
    // Sets of one shape often share their names array (fromJSON, the same `{ … }` expression).
    if (an !== bn) for (let i = 0; i < an.length; i++) if (an[i] !== bn[i]) return false;
    for (let i = 0; i < an.length; i++) {
      const x = a.values[i]!;
      const y = b.values[i]!;
      if (x === y) continue;
      if (!eqValues(rt, force(x, span), force(y, span), span)) return false;
    }
    return true;
  }
  if (a instanceof NixFloat) return false;
  if (a instanceof NixLambda || a instanceof NixPrimop || a instanceof NixPrimopApp) return false;
  return false;
}

// ---- coercion to strings ----------------------------------------------------

export interface Coerced {
  s: string;
  /** Never mutate it unless `owned`: it may be a string's own (shared, read-only) context. */
  ctx: Set<string> | null;
  /** Whether `ctx` was made for this accumulator (a first context is adopted, not copied). */
  owned: boolean;
}

export interface CoerceOpts {
  /** Also coerce null/bools/numbers/lists (toString semantics). */
  coerceMore: boolean;
  /** Copy paths to the store (string interpolation) rather than using them as is. */
  copyToStore: boolean;
  canonicalizePath?: boolean;
}

function addCtx(acc: Coerced, ctx: ReadonlySet<string> | null): void {
  if (ctx === null || ctx.size === 0 || acc.ctx === ctx) return;
  if (acc.ctx === null) {
    // Contexts are never mutated once made, so a string built from one context-carrying part
    // (the common case: "${pkg}/bin") shares its Set instead of copying it.
    acc.ctx = ctx as Set<string>;
    acc.owned = false;
    return;
  }
  if (!acc.owned) {
    acc.ctx = new Set(acc.ctx);
    acc.owned = true;
  }
  for (const c of ctx) acc.ctx.add(c);
}

/** Nix's coerceToString; appends into `acc` (string and context). */
export function coerceToString(
  rt: Runtime,
  x: Lazy,
  span: Span | null,
  opts: CoerceOpts,
  errorCtx: string,
  acc: Coerced = { s: "", ctx: null, owned: false },
): Coerced {
  const v = force(x, span);
  if (typeof v === "string") {
    acc.s += v;
    return acc;
  }
  if (v instanceof NixString) {
    acc.s += v.value;
    addCtx(acc, v.context);
    return acc;
  }
  if (v instanceof NixPath) {
    if (opts.copyToStore) {
      const sp = copyPathToStore(rt, v.path, span);
      acc.s += sp;
      addCtx(acc, new Set([sp]));
    } else acc.s += opts.canonicalizePath === false ? v.path : v.path;
    return acc;
  }
  if (v instanceof NixAttrs) {
    const ts = v.get("__toString");
    if (ts !== undefined) {
      let r: Value;
      try {
        const tsPos = v.posOf("__toString") ?? span;
        r = call1(rt, force(ts, tsPos), v, tsPos);
      } catch (e) {
        if (e instanceof NixError)
          e.addTrace(v.posOf("__toString"), "while calling the `__toString` attribute");
        throw e;
      }
      try {
        return coerceToString(rt, r, span, opts, errorCtx, acc);
      } catch (e) {
        if (e instanceof NixError)
          e.addTrace(v.posOf("__toString"), "while using the result of the `__toString` attribute");
        throw e;
      }
    }
    const op = v.get("outPath");
    if (op !== undefined) {
      try {
        return coerceToString(rt, op, span, opts, errorCtx, acc);
      } catch (e) {
        if (e instanceof NixError) e.addTrace(v.posOf("outPath"), "while evaluating the `outPath` attribute");
        throw e;
      }
    }
  }
  if (opts.coerceMore) {
    if (v === null || v === false) return acc;
    if (v === true) {
      acc.s += "1";
      return acc;
    }
    if (typeof v === "number" || typeof v === "bigint") {
      acc.s += String(v);
      return acc;
    }
    if (v instanceof NixFloat) {
      acc.s += floatToString(v.value);
      return acc;
    }
    if (Array.isArray(v)) {
      const list = v as readonly Lazy[];
      for (let i = 0; i < list.length; i++) {
        try {
          coerceToString(rt, list[i]!, span, opts, "while evaluating one element of the list", acc);
        } catch (err) {
          if (err instanceof NixError) err.addTrace(span, errorCtx);
          throw err;
        }
        if (i < list.length - 1) {
          const e = force(list[i]!, span);
          if (!Array.isArray(e) || (e as readonly Lazy[]).length !== 0) acc.s += " ";
        }
      }
      return acc;
    }
  }
  const e = typeError(`cannot coerce ${showTypeShort(v)} to a string: ${printValueForError(v)}`, null);
  e.addTrace(span, errorCtx);
  throw e;
}

/** std::to_string(double): fixed with 6 decimals. */
export function floatToString(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toFixed(6);
}

/** Installed by builtins/store-paths.ts: Nix's copyPathToStore (NAR hash through EvalIO, cached). */
export const storePathHooks: {
  copyPathToStore: ((rt: Runtime, path: string, span: Span | null) => string) | null;
} = { copyPathToStore: null };

export function copyPathToStore(rt: Runtime, path: string, span: Span | null): string {
  if (storePathHooks.copyPathToStore !== null) return storePathHooks.copyPathToStore(rt, path, span);
  if (rt.io.copyToStore === undefined) {
    throw evalError(
      `cannot copy '${path}' to the store: this evaluator has no store (EvalIO.copyToStore is not set)`,
      span,
    );
  }
  return rt.io.copyToStore(path);
}

// ---- `+` and string interpolation -------------------------------------------

export { canonPath, formatFloat };

/** `//` */
export function updateAttrs(a: NixAttrs, b: NixAttrs): NixAttrs {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  if (b.size * 8 < a.size) {
    if (a.depth < MAX_LAYERS) return NixAttrs.layered(a, b);
    void a.names; // flatten, then start a new stack of layers
    return NixAttrs.layered(a, b);
  }
  // Merge the sorted name arrays; on equal names the right side wins. The arrays get their final
  // size up front (less any overlap): grown by push they would keep up to half again as many slots.
  const an = a.names;
  const bn = b.names;
  const av = a.values;
  const bv = b.values;
  const ap = a.positions;
  const bp = b.positions;
  const na = an.length;
  const nb = bn.length;
  const max = na + nb;
  const names: string[] = new Array<string>(max);
  const values: Lazy[] = new Array<Lazy>(max);
  const positions: (Span | null)[] | null = ap !== null || bp !== null ? new Array<Span | null>(max) : null;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < na && j < nb) {
    const x = an[i]!;
    const y = bn[j]!;
    if (x < y) {
      names[k] = x;
      values[k] = av[i]!;
      if (positions !== null) positions[k] = ap === null ? null : ap[i]!;
      i++;
    } else {
      names[k] = y;
      values[k] = bv[j]!;
      if (positions !== null) positions[k] = bp === null ? null : bp[j]!;
      j++;
      if (x === y) i++;
    }
    k++;
  }
  for (; i < na; i++, k++) {
    names[k] = an[i]!;
    values[k] = av[i]!;
    if (positions !== null) positions[k] = ap === null ? null : ap[i]!;
  }
  for (; j < nb; j++, k++) {
    names[k] = bn[j]!;
    values[k] = bv[j]!;
    if (positions !== null) positions[k] = bp === null ? null : bp[j]!;
  }
  if (k < max) {
    names.length = k;
    values.length = k;
    if (positions !== null) positions.length = k;
  }
  return new NixAttrs(names, values, positions);
}

/** How deep `//` results may be layered before they are flattened. */
const MAX_LAYERS = 16;

export function attrsOf(rt: Runtime, x: Lazy, span: Span | null, ctx: string): NixAttrs {
  void rt;
  return forceAttrs(x, span, ctx);
}
