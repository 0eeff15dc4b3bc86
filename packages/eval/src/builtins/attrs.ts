// Builtins: attribute sets (attrNames attrValues hasAttr getAttr removeAttrs
// intersectAttrs mapAttrs listToAttrs zipAttrsWith catAttrs genericClosure).
// As in lists.ts, primops have no position of their own (Nix's noPos).
//
// Choices: attribute order is by name (tsnix's NixAttrs), so where Nix walks a set
// in symbol-creation order (listToAttrs' "value missing" check) we go by name. The
// mapAttrs function, when already a value, is treated as Nix treats an inline
// lambda argument (a thunk): its first application has no call site.
// genericClosure's ordered key set is a sorted array with std::map's comparisons.
import type { Span } from "@tsnix/parser";
import { expected, forceAttrs, forceFunction, forceList, forceStringNoCtx } from "../check.js";
import { NixError, typeError } from "../errors.js";
import { compareValues } from "../ops.js";
import { printValueForError } from "../print.js";
import { force, type Runtime } from "../runtime.js";
import {
  EMPTY_ATTRS,
  NixAttrs,
  NixFloat,
  NixPath,
  NixString,
  Thunk,
  type Lazy,
  type Value,
} from "../values.js";
import { apply1, applyCode2 } from "./lists.js";
import { registerPrimops } from "./registry.js";

/** Nix's EvalState::getAttr: the attribute or a positionless "attribute 'x' missing" with `ctx`. */
function requireAttr(attrs: NixAttrs, name: string, ctx: string | null): number {
  const i = attrs.indexOf(name);
  if (i < 0) {
    const e = typeError(`attribute '${name}' missing`);
    if (ctx !== null) e.addTrace(null, ctx);
    throw e;
  }
  return i;
}

/** A string without context; a plain JS string (the common case) needs no check. */
function nameOf(x: Lazy, span: Span | null, ctx: string): string {
  return typeof x === "string" ? x : forceStringNoCtx(x, span, ctx);
}

const PAIR_CTX = "in a {name=...; value=...;} pair";
const NAME_CTX =
  "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs";

/** builtins.listToAttrs: the first occurrence of a name wins; every `name` is forced. */
function listToAttrs(xs: Lazy): NixAttrs {
  const list = forceList(xs, null, "while evaluating the argument passed to builtins.listToAttrs");
  const n = list.length;
  if (n === 0) return EMPTY_ATTRS;
  // Names and their pairs, then a stable sort of the indices by name: the first pair
  // with a given name wins, as in Nix. No Map: most calls build small sets.
  const pairNames = new Array<string>(n);
  const pairs = new Array<NixAttrs>(n);
  const order = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const a = forceAttrs(
      list[k]!,
      null,
      "while evaluating an element of the list passed to builtins.listToAttrs",
    );
    const ni = requireAttr(a, "name", PAIR_CTX);
    const nl = a.values[ni]!;
    let name: string;
    if (typeof nl === "string") name = nl;
    else {
      const pos = a.positions === null ? null : a.positions[ni]!;
      const nv = force(nl, pos);
      if (typeof nv === "string") name = nv;
      else if (nv instanceof NixString) name = forceStringNoCtx(nv, pos, NAME_CTX);
      else throw expected("a string", nv, NAME_CTX, pos, pos);
    }
    pairNames[k] = name;
    pairs[k] = a;
    order[k] = k;
  }
  if (n <= 32) {
    // Insertion sort (stable): cheaper than Array#sort's comparator calls for small sets.
    for (let k = 1; k < n; k++) {
      const i = order[k]!;
      const name = pairNames[i]!;
      let j = k - 1;
      while (j >= 0 && pairNames[order[j]!]! > name) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = i;
    }
  } else
    order.sort((x, y) => {
      const a = pairNames[x]!;
      const b = pairNames[y]!;
      return a < b ? -1 : a > b ? 1 : x - y;
    });
  const names: string[] = [];
  const values: Lazy[] = [];
  let positions: (Span | null)[] | null = null;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const name = pairNames[i]!;
    if (names.length > 0 && names[names.length - 1] === name) continue;
    const a = pairs[i]!;
    const vi = requireAttr(a, "value", PAIR_CTX);
    if (a.positions !== null) {
      positions ??= new Array<Span | null>(names.length).fill(null);
      positions.push(a.positions[vi]!);
    } else if (positions !== null) positions.push(null);
    names.push(name);
    values.push(a.values[vi]!);
  }
  return new NixAttrs(names, values, positions);
}

function removeAttrs(set: Lazy, xs: Lazy): NixAttrs {
  const attrs = forceAttrs(set, null, "while evaluating the first argument passed to builtins.removeAttrs");
  const list = forceList(xs, null, "while evaluating the second argument passed to builtins.removeAttrs");
  const k = list.length;
  const remove = new Set<string>();
  for (let i = 0; i < k; i++) {
    remove.add(
      nameOf(
        list[i]!,
        null,
        "while evaluating the values of the second argument passed to builtins.removeAttrs",
      ),
    );
  }
  if (k === 0 || attrs.size === 0) return attrs;
  const { names: srcNames, values: srcValues, positions: srcPos } = attrs;
  const names: string[] = [];
  const values: Lazy[] = [];
  const positions: (Span | null)[] | null = srcPos === null ? null : [];
  for (let i = 0; i < srcNames.length; i++) {
    const name = srcNames[i]!;
    if (remove.has(name)) continue;
    names.push(name);
    values.push(srcValues[i]!);
    if (positions !== null) positions.push(srcPos![i]!);
  }
  if (names.length === srcNames.length) return attrs;
  return new NixAttrs(names, values, positions);
}

/** The attributes of `right` whose names occur in `left` (values and positions from `right`). */
function intersectAttrs(left: NixAttrs, right: NixAttrs): NixAttrs {
  const names: string[] = [];
  const values: Lazy[] = [];
  const withPos = right.positions !== null;
  const positions: (Span | null)[] = [];
  const add = (ri: number) => {
    names.push(right.names[ri]!);
    values.push(right.values[ri]!);
    if (withPos) positions.push(right.positions![ri]!);
  };
  if (left.size < right.size) {
    for (let i = 0; i < left.names.length; i++) {
      const ri = right.indexOf(left.names[i]!);
      if (ri >= 0) add(ri);
    }
  } else {
    for (let i = 0; i < right.names.length; i++) if (left.has(right.names[i]!)) add(i);
  }
  if (names.length === 0) return EMPTY_ATTRS;
  return new NixAttrs(names, values, withPos ? positions : null);
}

function zipAttrsWith(rt: Runtime, f: Lazy, xs: Lazy): NixAttrs {
  const fn = forceFunction(f, null, "while evaluating the first argument passed to builtins.zipAttrsWith");
  const list = forceList(xs, null, "while evaluating the second argument passed to builtins.zipAttrsWith");
  const seen = new Map<string, Lazy[]>();
  for (let i = 0; i < list.length; i++) {
    const a = forceAttrs(
      list[i]!,
      null,
      "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith",
    );
    const an = a.names;
    for (let j = 0; j < an.length; j++) {
      const vs = seen.get(an[j]!);
      if (vs === undefined) seen.set(an[j]!, [a.values[j]!]);
      else vs.push(a.values[j]!);
    }
  }
  const names = [...seen.keys()].sort();
  const m = names.length;
  const lists = new Array<Lazy>(m);
  for (let i = 0; i < m; i++) lists[i] = seen.get(names[i]!)!;
  const code = applyCode2(rt, fn, names, lists);
  const values = new Array<Lazy>(m);
  for (let i = 0; i < m; i++) values[i] = new Thunk(code, i);
  return new NixAttrs(names, values);
}

/** A thunk that evaluates to `v` when first forced (Nix's thunk for an argument expression). */
function doneLaterThunk(v: Value): Thunk {
  return new Thunk(identity, v);
}

function identity(v: Value): Value {
  return v;
}

// ---- genericClosure -------------------------------------------------------------

const KeyMode = { Empty: 0, String: 1, Path: 2, Int: 3, Fallback: 4 } as const;
type KeyMode = (typeof KeyMode)[keyof typeof KeyMode];

/**
 * The set of keys seen by genericClosure, as Nix's GenericClosureKeyTracker: hashed
 * while every key is a string, a path or an integer (of the first key's type),
 * otherwise an ordered set under Nix's value comparison (so mixing incomparable
 * keys fails, naming both elements).
 */
class KeyTracker {
  private mode: KeyMode = KeyMode.Empty;
  private readonly strings = new Set<string>();
  private readonly ints = new Map<number | bigint, Value>();
  /** Fallback: keys sorted by `less`, with their elements. */
  private fbKeys: Value[] = [];
  private fbElems: Value[] = [];
  private diagKey: Value = null;
  private diagElem: Value = null;

  constructor(private readonly rt: Runtime) {}

  private less(a: Value, b: Value): boolean {
    return compareValues(this.rt, a, b, null) < 0;
  }

  /** Record `key` (of element `elem`); false when an equal key was seen before. */
  insert(key: Value, elem: Value): boolean {
    const isString = typeof key === "string" || key instanceof NixString;
    const isInt = typeof key === "number" || typeof key === "bigint";
    switch (this.mode) {
      case KeyMode.Empty:
        this.diagKey = key;
        this.diagElem = elem;
        if (isString) {
          this.mode = KeyMode.String;
          this.strings.add(typeof key === "string" ? key : (key as NixString).value);
          return true;
        }
        if (key instanceof NixPath) {
          this.mode = KeyMode.Path;
          this.strings.add(key.path);
          return true;
        }
        if (isInt) {
          this.mode = KeyMode.Int;
          this.ints.set(key as number | bigint, elem);
          return true;
        }
        this.mode = KeyMode.Fallback;
        return this.insertFallback(key, elem);
      case KeyMode.String:
        if (isString) return addNew(this.strings, typeof key === "string" ? key : (key as NixString).value);
        return this.throwCompareError(key, elem);
      case KeyMode.Path:
        if (key instanceof NixPath) return addNew(this.strings, key.path);
        return this.throwCompareError(key, elem);
      case KeyMode.Int:
        if (isInt) {
          if (this.ints.has(key as number | bigint)) return false;
          this.ints.set(key as number | bigint, elem);
          return true;
        }
        if (key instanceof NixFloat) {
          this.mode = KeyMode.Fallback;
          for (const [k, e] of this.ints) this.insertFallback(k, e);
          this.ints.clear();
          return this.insertFallback(key, elem);
        }
        return this.throwCompareError(key, elem);
      case KeyMode.Fallback:
        return this.insertFallback(key, elem);
    }
  }

  private throwCompareError(key: Value, elem: Value): never {
    try {
      this.less(key, this.diagKey);
    } catch (e) {
      if (e instanceof NixError) addCompareTraces(e, elem, this.diagElem);
      throw e;
    }
    throw new Error("genericClosure: keys of different types compared without error");
  }

  /** Insert into the ordered set, with the comparisons of std::map::insert. */
  private insertFallback(key: Value, elem: Value): boolean {
    const keys = this.fbKeys;
    try {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.less(key, keys[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      if (lo > 0 && !this.less(keys[lo - 1]!, key)) return false;
      keys.splice(lo, 0, key);
      this.fbElems.splice(lo, 0, elem);
      return true;
    } catch (e) {
      if (!(e instanceof NixError)) throw e;
      let other: Value | undefined;
      for (let i = 0; i < keys.length && other === undefined; i++) {
        try {
          this.less(key, keys[i]!);
        } catch {
          other = this.fbElems[i]!;
        }
      }
      if (other !== undefined) addCompareTraces(e, elem, other);
      else e.addTrace(null, `while checking key of element ${printValueForError(elem)}`);
      throw e;
    }
  }
}

function addNew(set: Set<string>, s: string): boolean {
  if (set.has(s)) return false;
  set.add(s);
  return true;
}

function addCompareTraces(e: NixError, elem: Value, other: Value): void {
  e.addTrace(null, `with element ${printValueForError(other)}`);
  e.addTrace(null, `while comparing element ${printValueForError(elem)}`);
}

const GC_ARG_CTX = "in the attrset passed as argument to builtins.genericClosure";

function genericClosure(rt: Runtime, arg: Lazy): Value {
  const args = forceAttrs(arg, null, "while evaluating the first argument passed to builtins.genericClosure");
  const startSet = forceList(
    args.values[requireAttr(args, "startSet", GC_ARG_CTX)]!,
    null,
    "while evaluating the 'startSet' attribute passed as argument to builtins.genericClosure",
  );
  if (startSet.length === 0) return startSet;
  const work: Lazy[] = startSet.slice();
  const op = forceFunction(
    args.values[requireAttr(args, "operator", GC_ARG_CTX)]!,
    null,
    "while evaluating the 'operator' attribute passed as argument to builtins.genericClosure",
  );
  const res: Value[] = [];
  const keys = new KeyTracker(rt);
  for (let head = 0; head < work.length; head++) {
    const cell = work[head]!;
    work[head] = null; // let the work queue's prefix be collected
    let e: NixAttrs;
    let keyIndex: number;
    try {
      e = forceAttrs(cell, null, null);
      keyIndex = requireAttr(e, "key", null);
    } catch (err) {
      if (err instanceof NixError)
        err.addTrace(null, `in genericClosure element ${printValueForError(cell)}`);
      throw err;
    }
    const key = force(e.values[keyIndex]!, null);
    if (!keys.insert(key, e)) continue;
    res.push(e);
    try {
      const next = forceList(
        apply1(rt, op, e, null),
        null,
        "while evaluating the return value of the `operator` passed to builtins.genericClosure",
      );
      for (let i = 0; i < next.length; i++) {
        force(next[i]!, null);
        work.push(next[i]!);
      }
    } catch (err) {
      if (err instanceof NixError)
        err.addTrace(null, `while calling operator on genericClosure element ${printValueForError(e)}`);
      throw err;
    }
  }
  return res;
}

// ---- registration -----------------------------------------------------------------

registerPrimops([
  {
    name: "attrNames",
    arity: 1,
    args: ["set"],
    doc: "The names of the attributes of set, sorted.",
    // Shares the set's (immutable, sorted) name array: no copy.
    impl: (_rt, [s]) =>
      forceAttrs(s!, null, "while evaluating the argument passed to builtins.attrNames").names,
  },
  {
    name: "attrValues",
    arity: 1,
    args: ["set"],
    doc: "The values of the attributes of set, in the order of attrNames.",
    impl: (_rt, [s]) =>
      forceAttrs(s!, null, "while evaluating the argument passed to builtins.attrValues").values,
  },
  {
    name: "hasAttr",
    arity: 2,
    args: ["s", "set"],
    doc: "Whether set has an attribute named s.",
    impl: (_rt, [n, s]) => {
      const name = nameOf(n!, null, "while evaluating the first argument passed to builtins.hasAttr");
      return forceAttrs(s!, null, "while evaluating the second argument passed to builtins.hasAttr").has(
        name,
      );
    },
  },
  {
    name: "getAttr",
    arity: 2,
    args: ["s", "set"],
    doc: "The attribute named s of set (a dynamic `.`).",
    impl: (_rt, [n, s]) => {
      const name = nameOf(n!, null, "while evaluating the first argument passed to builtins.getAttr");
      const attrs = forceAttrs(s!, null, "while evaluating the second argument passed to builtins.getAttr");
      return force(attrs.values[requireAttr(attrs, name, "in the attribute set under consideration")]!, null);
    },
  },
  {
    name: "removeAttrs",
    arity: 2,
    args: ["set", "list"],
    global: true,
    doc: "set without the attributes named in list.",
    impl: (_rt, [s, xs]) => removeAttrs(s!, xs!),
  },
  {
    name: "intersectAttrs",
    arity: 2,
    args: ["e1", "e2"],
    doc: "The attributes of e2 whose names occur in e1.",
    impl: (_rt, [a, b]) =>
      intersectAttrs(
        forceAttrs(a!, null, "while evaluating the first argument passed to builtins.intersectAttrs"),
        forceAttrs(b!, null, "while evaluating the second argument passed to builtins.intersectAttrs"),
      ),
  },
  {
    name: "mapAttrs",
    arity: 2,
    args: ["f", "attrset"],
    doc: "Apply f name value to every attribute of attrset (lazily).",
    impl: (rt, [f, s]) => {
      const attrs = forceAttrs(s!, null, "while evaluating the second argument passed to builtins.mapAttrs");
      const { names, values } = attrs;
      const n = names.length;
      if (n === 0) return EMPTY_ATTRS;
      // Nix passes an inline lambda as a thunk that mapAttrs does not force, so the
      // first application has no call site and later ones the lambda's position.
      const fn = f instanceof Thunk ? f : doneLaterThunk(f!);
      const out = new Array<Lazy>(n);
      const code = applyCode2(rt, fn, names, values);
      for (let i = 0; i < n; i++) out[i] = new Thunk(code, i);
      return new NixAttrs(names, out);
    },
  },
  {
    name: "listToAttrs",
    arity: 1,
    args: ["e"],
    doc: "A set from a list of { name; value; } pairs (the first of a name wins).",
    impl: (_rt, [xs]) => listToAttrs(xs!),
  },
  {
    name: "zipAttrsWith",
    arity: 2,
    args: ["f", "list"],
    doc: "{ name = f name [ values of name in each set of list ]; ... } (lazily).",
    impl: (rt, [f, xs]) => zipAttrsWith(rt, f!, xs!),
  },
  {
    name: "catAttrs",
    arity: 2,
    args: ["attr", "list"],
    doc: "The values of attribute attr in each set of list that has it.",
    impl: (_rt, [n, xs]) => {
      const name = nameOf(n!, null, "while evaluating the first argument passed to builtins.catAttrs");
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.catAttrs");
      const out: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        const a = forceAttrs(
          list[i]!,
          null,
          "while evaluating an element in the list passed as second argument to builtins.catAttrs",
        );
        const j = a.indexOf(name);
        if (j >= 0) out.push(a.values[j]!);
      }
      return out;
    },
  },
  {
    name: "genericClosure",
    arity: 1,
    args: ["attrset"],
    doc: "The closure of startSet under operator, elements identified by their `key`.",
    impl: (rt, [a]) => genericClosure(rt, a!),
  },
]);
