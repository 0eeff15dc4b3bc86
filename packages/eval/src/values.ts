// Runtime value shapes. See README.md ("Value representation") for the contract
// that builtins are written against.
import type { Span } from "@tsnix/parser";
import type { LambdaInfo } from "./lambda-info.js";
import type { PrimopDef } from "./builtins/registry.js";

/** A float. Boxed so that `1` (int) and `1.0` (float) stay distinct. */
export class NixFloat {
  constructor(readonly value: number) {}
}

/** A string with a non-empty context. Context-free strings are plain JS strings. */
export class NixString {
  constructor(
    readonly value: string,
    readonly context: ReadonlySet<string>,
  ) {}
}

/** An absolute, canonical path value. */
export class NixPath {
  constructor(readonly path: string) {}
}

/**
 * An attribute set: names sorted (Nix order) with parallel value and position
 * arrays, like Nix's Bindings. Never mutated once visible to Nix code. Lookups
 * use a linear scan for small sets and binary search, then a hash index once a
 * big set is looked up often.
 *
 * `big // small` is O(small) here: the result is kept as a layer over `big`
 * (at most MAX_LAYERS deep) and flattened into arrays only when iterated or
 * looked up often. Chains like `foldl' (acc: x: acc // x)` stay linear.
 */
export class NixAttrs {
  private _names: readonly string[] | null;
  private _values: readonly Lazy[] | null;
  private _positions: readonly (Span | null)[] | null;
  /** Rarely needed state (hash index, layers), kept out of line so that sets stay small. */
  private aux: AttrsAux | null = null;

  constructor(
    /** Sorted by `compareNames`, unique. */
    names: readonly string[],
    values: readonly Lazy[],
    /** Positions of attribute names (unsafeGetAttrPos, traces); null when none are known. */
    positions: readonly (Span | null)[] | null = null,
  ) {
    this._names = names;
    this._values = values;
    this._positions = positions;
  }

  /** `base // top` without copying `base` (see ops.ts updateAttrs). */
  static layered(base: NixAttrs, top: NixAttrs): NixAttrs {
    const r = new NixAttrs(EMPTY_NAMES, EMPTY_NAMES, null);
    r._names = null;
    r._values = null;
    let overlap = 0;
    for (const n of top.names) if (base.findQuiet(n) !== undefined) overlap++;
    r.aux = new AttrsAux();
    r.aux.size = base.size + top.size - overlap;
    r.aux.base = base;
    r.aux.top = top;
    r.aux.depth = base.depth + 1;
    return r;
  }

  /** Number of `//` layers (0 when flat). */
  get depth(): number {
    return this._names !== null ? 0 : this.aux!.depth;
  }

  /** Build from a map in any order (sorts the names). */
  static fromMap(map: ReadonlyMap<string, Lazy>, pos: ReadonlyMap<string, Span> | null = null): NixAttrs {
    const names = [...map.keys()].sort(compareNames);
    const values = names.map((n) => map.get(n)!);
    const positions = pos === null ? null : names.map((n) => pos.get(n) ?? null);
    return new NixAttrs(names, values, positions);
  }

  get names(): readonly string[] {
    if (this._names === null) this.flatten();
    return this._names!;
  }
  get values(): readonly Lazy[] {
    if (this._values === null) this.flatten();
    return this._values!;
  }
  get positions(): readonly (Span | null)[] | null {
    if (this._names === null) this.flatten();
    return this._positions;
  }

  private flatten(): void {
    const layers: NixAttrs[] = [this.aux!.top!];
    let b: NixAttrs = this.aux!.base!;
    while (b._names === null) {
      layers.push(b.aux!.top!);
      b = b.aux!.base!;
    }
    const map = new Map<string, number>();
    const names: string[] = [];
    const values: Lazy[] = [];
    const positions: (Span | null)[] = [];
    let anyPos = b._positions !== null;
    const bn = b._names!;
    const bv = b._values!;
    const bp = b._positions;
    // Start from the base's arrays (memcpy), then overwrite/add the layers' entries, newest last.
    const extra: [string, Lazy, Span | null][] = [];
    const replaced = new Map<string, [Lazy, Span | null]>();
    for (let l = layers.length - 1; l >= 0; l--) {
      const t = layers[l]!;
      if (t._positions !== null) anyPos = true;
      const tn = t.names;
      const tv = t.values;
      const tp = t.positions;
      for (let i = 0; i < tn.length; i++) replaced.set(tn[i]!, [tv[i]!, tp === null ? null : tp[i]!]);
    }
    void map;
    for (const [k, v] of replaced) {
      if (b.findQuiet(k) === undefined) extra.push([k, v[0], v[1]]);
    }
    extra.sort((x, y) => compareNames(x[0], y[0]));
    let j = 0;
    for (let i = 0; i <= bn.length; i++) {
      const k = i < bn.length ? bn[i]! : null;
      while (j < extra.length && (k === null || extra[j]![0] < k)) {
        names.push(extra[j]![0]);
        values.push(extra[j]![1]);
        positions.push(extra[j]![2]);
        j++;
      }
      if (k === null) break;
      const r = replaced.get(k);
      names.push(k);
      if (r !== undefined) {
        values.push(r[0]);
        positions.push(r[1]);
      } else {
        values.push(bv[i]!);
        positions.push(bp === null ? null : bp[i]!);
      }
    }
    this._names = names;
    this._values = values;
    this._positions = anyPos ? positions : null;
    this.aux = null;
  }

  get size(): number {
    return this._names !== null ? this._names.length : this.aux!.size;
  }

  /** Index of `name` in `names`/`values`, or -1 (flattens a layered set). */
  indexOf(name: string): number {
    const names = this.names;
    const n = names.length;
    if (n <= 8) {
      for (let i = 0; i < n; i++) if (names[i] === name) return i;
      return -1;
    }
    let aux = this.aux;
    if (aux === null) aux = this.aux = new AttrsAux();
    if (aux.index !== null) return aux.index.get(name) ?? -1;
    if (++aux.lookups > 64) {
      const idx = new Map<string, number>();
      for (let i = 0; i < n; i++) idx.set(names[i]!, i);
      aux.index = idx;
      return idx.get(name) ?? -1;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = names[mid]!;
      if (k === name) return mid;
      if (k < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
  get(name: string): Lazy | undefined {
    // A layered set that is looked up a lot is flattened (then indexed).
    if (this._names === null && ++this.aux!.lookups > 1024) this.flatten();
    return this.find(name);
  }
  /** Lookup without flattening layers. */
  /** Lookup for internal bookkeeping: no lookup counting, so no hash index gets built. */
  private findQuiet(name: string): Lazy | undefined {
    if (this._names === null) {
      const aux = this.aux!;
      const v = aux.top!.findQuiet(name);
      return v !== undefined ? v : aux.base!.findQuiet(name);
    }
    const names = this._names;
    const idx = this.aux?.index;
    if (idx !== undefined && idx !== null) {
      const i = idx.get(name);
      return i === undefined ? undefined : this._values![i];
    }
    let lo = 0;
    let hi = names.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = names[mid]!;
      if (k === name) return this._values![mid];
      if (k < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private find(name: string): Lazy | undefined {
    if (this._names === null) {
      const aux = this.aux!;
      const v = aux.top!.find(name);
      return v !== undefined ? v : aux.base!.find(name);
    }
    const i = this.indexOf(name);
    return i < 0 ? undefined : this._values![i];
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  posOf(name: string): Span | null {
    if (this._names === null) {
      const aux = this.aux!;
      if (aux.top!.find(name) !== undefined) return aux.top!.posOf(name);
      return aux.base!.posOf(name);
    }
    if (this._positions === null) return null;
    const i = this.indexOf(name);
    return i < 0 ? null : this._positions[i]!;
  }
  /** Attribute names in Nix order. */
  keys(): readonly string[] {
    return this.names;
  }
  /** [name, value] pairs in Nix order. */
  *entries(): IterableIterator<[string, Lazy]> {
    const names = this.names;
    const values = this.values;
    for (let i = 0; i < names.length; i++) yield [names[i]!, values[i]!];
  }
}

class AttrsAux {
  index: Map<string, number> | null = null;
  lookups = 0;
  base: NixAttrs | null = null;
  top: NixAttrs | null = null;
  size = 0;
  depth = 0;
}

const EMPTY_NAMES: readonly never[] = [];

export const EMPTY_ATTRS = new NixAttrs([], []);

/** Nix sorts symbol names by their bytes; for BMP text UTF-16 order is the same. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A closure: compiled lambda + the environment it closes over. */
export class NixLambda {
  constructor(
    readonly info: LambdaInfo,
    readonly env: Env,
  ) {}
}

/** A builtin function (not yet applied). */
export class NixPrimop {
  constructor(readonly def: PrimopDef) {}
}

/** A builtin applied to fewer arguments than its arity. */
export class NixPrimopApp {
  constructor(
    readonly primop: NixPrimop,
    readonly args: readonly Lazy[],
  ) {}
}

/** Values in weak head normal form. Lists are plain (frozen by convention) JS arrays of lazy elements. */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | NixFloat
  | string
  | NixString
  | NixPath
  | readonly Lazy[]
  | NixAttrs
  | NixLambda
  | NixPrimop
  | NixPrimopApp;

/** A value or a suspended computation of one. */
export type Lazy = Value | Thunk;

/** Compiled code: evaluates an expression in an environment to WHNF. */
export type Code = (env: Env) => Value;

/**
 * A runtime environment frame: slots resolved at compile time to (depth, slot).
 * Frames with a single slot (`x: …` lambdas, `with`) keep it in `a0` and share the
 * empty `NO_SLOTS` array, so such a call allocates one object instead of three;
 * the compiler knows from the scope which frames those are (Scope.inline).
 */
export class Env {
  constructor(
    readonly up: Env | null,
    readonly v: Lazy[],
    readonly a0: Lazy | undefined = undefined,
  ) {}
}

/** The `v` of single-slot frames. Never mutated. */
export const NO_SLOTS: Lazy[] = [];

/** Where the thunks running a given code come from (see Thunk.span). */
const codeSpans = new WeakMap<object, Span>();

/**
 * Record the position of the expression a thunk code evaluates. The compiler calls
 * this when an expression first makes a thunk, so thunks need no field of their own.
 */
export function setCodeSpan(code: (env: any) => Value, span: Span | null): void {
  if (span !== null && !codeSpans.has(code)) codeSpans.set(code, span);
}

/**
 * A suspended computation. States: pending (code !== null), forcing
 * (code === null && value === undefined: the black hole), done (value set).
 * `env` is typed loosely so that builtins can make thunks over their own data
 * (see `mkApplyThunk`). Three fields only: thunks are the most numerous objects.
 */
export class Thunk {
  value: Value | undefined = undefined;
  constructor(
    /** `at`: where the value is needed, when known (a lazy application is called there, as Nix's tApp). */
    public code: ((env: any, at?: Span | null) => Value) | null,
    public env: any,
    span: Span | null = null,
  ) {
    if (span !== null && code !== null) setCodeSpan(code, span);
  }

  /** Position used for errors raised while forcing this thunk, if known (pending thunks only). */
  get span(): Span | null {
    return this.code === null ? null : (codeSpans.get(this.code) ?? null);
  }
}

export function mkThunk(code: (env: any) => Value, env: any, span: Span | null = null): Thunk {
  return new Thunk(code, env, span);
}

/** An already-evaluated thunk (useful where an API insists on a Thunk). */
export function doneThunk(v: Value): Thunk {
  const t = new Thunk(null, null);
  t.value = v;
  return t;
}

// ---- integers ------------------------------------------------------------

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Normalise a bigint integer: a JS number when it is a safe integer. Caller checks the int64 range. */
export function mkInt(b: bigint): number | bigint {
  if (b >= -9007199254740991n && b <= 9007199254740991n) return Number(b);
  return b;
}

export function isInt(v: Value): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

export function toBig(v: number | bigint): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

export function isList(v: Value): v is readonly Lazy[] {
  return Array.isArray(v);
}

export function isFunction(v: Value): v is NixLambda | NixPrimop | NixPrimopApp {
  return v instanceof NixLambda || v instanceof NixPrimop || v instanceof NixPrimopApp;
}

export function isStringValue(v: Value): v is string | NixString {
  return typeof v === "string" || v instanceof NixString;
}

/** The characters of a string value (without context). */
export function stringOf(v: string | NixString): string {
  return typeof v === "string" ? v : v.value;
}

export function contextOf(v: string | NixString): ReadonlySet<string> | null {
  return typeof v === "string" ? null : v.context;
}

/** Build a string value; an empty context gives a plain JS string. */
export function mkString(s: string, context?: ReadonlySet<string> | null): string | NixString {
  if (context === undefined || context === null || context.size === 0) return s;
  return new NixString(s, context);
}

/** An attribute set from [name, value] pairs in any order (later duplicates win). */
export function mkAttrs(entries: Iterable<[string, Lazy]>): NixAttrs {
  return NixAttrs.fromMap(new Map(entries));
}

/** Nix's type names as returned by `builtins.typeOf`. */
export function typeOf(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "int";
    case "string":
      return "string";
  }
  if (v instanceof NixString) return "string";
  if (v instanceof NixAttrs) return "set";
  if (Array.isArray(v)) return "list";
  if (v instanceof NixFloat) return "float";
  if (v instanceof NixPath) return "path";
  return "lambda";
}

/** Nix's `showType`: "an integer", "a set", ... (used in error messages). */
export function showType(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "a Boolean";
    case "number":
    case "bigint":
      return "an integer";
    case "string":
      return "a string";
  }
  if (v instanceof NixString) return "a string";
  if (v instanceof NixAttrs) return "a set";
  if (Array.isArray(v)) return "a list";
  if (v instanceof NixFloat) return "a float";
  if (v instanceof NixPath) return "a path";
  if (v instanceof NixPrimop) return "the built-in function '" + v.def.name + "'";
  if (v instanceof NixPrimopApp) return "the partially applied built-in function '" + v.primop.def.name + "'";
  return "a function";
}

/** Type names without article, as in "cannot coerce a function to a string" (showType(v, false)). */
export function showTypeShort(v: Value): string {
  const t = showType(v);
  if (v instanceof NixPrimop || v instanceof NixPrimopApp) return "a function";
  return t;
}
