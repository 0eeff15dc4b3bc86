// Builtins: lists (length head tail elemAt elem map filter foldl' concatLists
// concatMap genList sort partition groupBy any all).
//
// Positions follow Nix: a primop receives no position of its own (Nix passes
// `determinePos(noPos)`), so errors raised here carry none, callbacks are called
// without a call site, and lazily applied elements (map, genList, mapAttrs...)
// use the function's own position as their call site, as Nix's `determinePos`.
//
// Choices where Nix is unclear or cannot be copied exactly:
// - sort is current Nix's peeksort (not 2.8's std::stable_sort): same result for
//   any strict weak order, and the same comparator calls, so errors match.
// - genList beyond 2^32 - 1 elements fails with "cannot create list of size N"
//   (Nix would run out of memory).
// - The call site of a lazily applied element is computed when it is forced from
//   the function value; the position of the code that forces it (which Nix uses
//   when the function is not a lambda) is not available, so none is given.
import type { Span } from "@tsnix/parser";
import { expected, forceBool, forceFunction, forceInt, forceList, forceStringNoCtx } from "../check.js";
import { NixError, evalError } from "../errors.js";
import { compareValues, eqValues } from "../ops.js";
import { call1, callLambda, callN, force, type Runtime } from "../runtime.js";
import { NixAttrs, NixLambda, NixPrimop, Thunk, type Lazy, type Value } from "../values.js";
import { registerPrimops } from "./registry.js";

// ---- calling callbacks without a call site ----------------------------------------

/**
 * Nix adds "from call site" only when the call has a position; our runtime always
 * adds it, with a null span when there is none. Such a frame is always the last one
 * pushed by the outermost lambda call of `callN`/`call1`, so dropping it is O(1).
 */
function dropPositionlessCallSite(e: unknown): unknown {
  if (e instanceof NixError) {
    const t = e.traces;
    const last = t[t.length - 1];
    if (last !== undefined && last.span === null && last.message === "from call site") t.pop();
  }
  return e;
}

/** Apply `fn` (a forced function) to one argument, with Nix's call-site position `span`. */
export function apply1(rt: Runtime, fn: Value, arg: Lazy, span: Span | null): Value {
  try {
    return fn instanceof NixLambda ? callLambda(rt, fn, arg, span) : call1(rt, fn, arg, span);
  } catch (e) {
    throw span === null ? dropPositionlessCallSite(e) : e;
  }
}

/** Apply `fn` to two arguments (curried), as Nix's callFunction with two arguments. */
export function apply2(rt: Runtime, fn: Value, a: Lazy, b: Lazy, span: Span | null): Value {
  try {
    if (fn instanceof NixLambda) {
      const g = callLambda(rt, fn, a, span);
      return g instanceof NixLambda ? callLambda(rt, g, b, span) : call1(rt, g, b, span);
    }
    return callN(rt, fn, [a, b], span);
  } catch (e) {
    throw span === null ? dropPositionlessCallSite(e) : e;
  }
}

// ---- lazy applications (Nix's mkApp) ------------------------------------------------
//
// One closure per builtin call serves as the `code` of all its thunks, and each
// thunk's `env` is just the argument (map, genList) or an index (mapAttrs,
// zipAttrsWith): a lazy element costs one Thunk and nothing else.

/** Thunk code applying a function; `appFn` lets `functionPos` look through it. */
type AppCode<E> = ((env: E, at?: Span | null) => Value) & { appFn?: Lazy };

/**
 * Nix's `Value::determinePos` for an application: the position of the function
 * when it is an evaluated lambda (looking through pending applications), else none.
 */
function functionPos(fn: Lazy): Span | null {
  let v: Lazy = fn;
  for (;;) {
    if (v instanceof NixLambda) return v.info.span;
    if (!(v instanceof Thunk)) return null;
    if (v.value !== undefined) v = v.value;
    else {
      const inner = (v.code as AppCode<unknown> | null)?.appFn;
      if (inner === undefined) return null;
      v = inner;
    }
  }
}

/** Code for thunks of `fn env`, `fn` already forced (map, genList). */
export function applyCode1(rt: Runtime, fn: Value): AppCode<Lazy> {
  const span = functionPos(fn);
  // Nix calls a lazy application (tApp) at the position it is forced from, when there is one.
  const code: AppCode<Lazy> = (arg: Lazy, at?: Span | null) => apply1(rt, fn, arg, at ?? span);
  code.appFn = fn;
  return code;
}

/**
 * Code for thunks of `fn firsts[env] seconds[env]` (mapAttrs, zipAttrsWith). `fn` may
 * still be a thunk: its position counts only once it has been evaluated, as in Nix.
 */
export function applyCode2(
  rt: Runtime,
  fn: Lazy,
  firsts: readonly Lazy[],
  seconds: readonly Lazy[],
): AppCode<number> {
  const code: AppCode<number> = (i: number) => {
    const span = functionPos(fn);
    return apply2(rt, force(fn, span), firsts[i]!, seconds[i]!, span);
  };
  code.appFn = fn;
  return code;
}

// ---- sorting (Nix's peeksort, src/libutil/include/nix/util/sort.hh) -----------------

type Less<T> = (x: T, y: T) => boolean;

/**
 * A stable natural merge sort that, like Nix's, only ever permutes its input even
 * when `less` is not a strict weak ordering, and makes the same comparisons as Nix
 * (so errors and traces raised by comparators come in the same order).
 */
export function peeksort<T>(a: T[], less: Less<T>): void {
  const n = a.length;
  if (n < 2) return;
  if (n === 2) {
    if (less(a[1]!, a[0]!)) {
      const t = a[0]!;
      a[0] = a[1]!;
      a[1] = t;
    }
    return;
  }
  peeksortRange(a, new Array<T>(n), less, 0, n, 0, n);
}

function peeksortRange<T>(
  a: T[],
  buf: T[],
  less: Less<T>,
  begin: number,
  end: number,
  leftRunEnd: number,
  rightRunBegin: number,
): void {
  if (leftRunEnd === end || rightRunBegin === begin) return;
  const length = end - begin;
  if (length <= 16) {
    insertionSort(a, less, begin, end);
    return;
  }
  const middle = begin + Math.floor(length / 2);
  if (middle <= leftRunEnd) {
    peeksortRange(a, buf, less, leftRunEnd, end, leftRunEnd + 1, rightRunBegin);
    mergeRuns(a, buf, less, begin, leftRunEnd, end);
    return;
  }
  if (middle >= rightRunBegin) {
    peeksortRange(a, buf, less, begin, rightRunBegin, leftRunEnd, rightRunBegin - 1);
    mergeRuns(a, buf, less, begin, rightRunBegin, end);
    return;
  }
  let i: number;
  let j: number;
  if (!less(a[middle]!, a[middle - 1]!)) {
    i = decreasingSuffix(a, less, leftRunEnd, middle, true);
    j = decreasingPrefix(a, less, middle - 1, rightRunBegin, true);
  } else {
    i = decreasingSuffix(a, less, leftRunEnd, middle, false);
    j = decreasingPrefix(a, less, middle - 1, rightRunBegin, false);
    for (let lo = i, hi = j - 1; lo < hi; lo++, hi--) {
      const t = a[lo]!;
      a[lo] = a[hi]!;
      a[hi] = t;
    }
  }
  if (i === begin && j === end) return;
  if (middle - i < j - middle) {
    peeksortRange(a, buf, less, begin, i, leftRunEnd, i - 1);
    peeksortRange(a, buf, less, i, end, j, rightRunBegin);
    mergeRuns(a, buf, less, begin, i, end);
  } else {
    peeksortRange(a, buf, less, begin, j, leftRunEnd, i);
    peeksortRange(a, buf, less, j, end, j + 1, rightRunBegin);
    mergeRuns(a, buf, less, begin, j, end);
  }
}

function insertionSort<T>(a: T[], less: Less<T>, begin: number, end: number): void {
  for (let cur = begin + 1; cur < end; cur++) {
    for (let p = cur; p !== begin && less(a[p]!, a[p - 1]!); p--) {
      const t = a[p]!;
      a[p] = a[p - 1]!;
      a[p - 1] = t;
    }
  }
}

/** Maximal i such that [begin, i) is strictly decreasing (weakly increasing when `weak`). */
function decreasingPrefix<T>(a: T[], less: Less<T>, begin: number, end: number, weak: boolean): number {
  if (begin === end) return begin;
  while (begin + 1 !== end && less(a[begin + 1]!, a[begin]!) !== weak) begin++;
  return begin + 1;
}

/** Minimal i such that [i, end) is strictly decreasing (weakly increasing when `weak`). */
function decreasingSuffix<T>(a: T[], less: Less<T>, begin: number, end: number, weak: boolean): number {
  if (begin === end) return end;
  while (end - 1 > begin && less(a[end - 1]!, a[end - 2]!) !== weak) end--;
  return end - 1;
}

/** Merge the sorted runs [begin, middle) and [middle, end) through `buf` (stable). */
function mergeRuns<T>(a: T[], buf: T[], less: Less<T>, begin: number, middle: number, end: number): void {
  const n = end - begin;
  for (let k = 0; k < n; k++) buf[k] = a[begin + k]!;
  const mid = middle - begin;
  let l = 0;
  let r = mid;
  let out = begin;
  while (l < mid && r < n) a[out++] = !less(buf[r]!, buf[l]!) ? buf[l++]! : buf[r++]!;
  while (l < mid) a[out++] = buf[l++]!;
  while (r < n) a[out++] = buf[r++]!;
}

// ---- the builtins -----------------------------------------------------------------

const EMPTY_LIST: readonly Lazy[] = [];

/** JS arrays hold at most 2^32 - 1 elements; Nix would run out of memory first. */
const MAX_LIST_SIZE = 2 ** 32 - 1;

function anyOrAll(name: "any" | "all"): (rt: Runtime, args: Lazy[]) => Value {
  const isAny = name === "any";
  const ctxFn = `while evaluating the first argument passed to builtins.${name}`;
  const ctxList = `while evaluating the second argument passed to builtins.${name}`;
  const ctxRet = `while evaluating the return value of the function passed to builtins.${name}`;
  return (rt, [f, xs]) => {
    const fn = forceFunction(f!, null, ctxFn);
    const list = forceList(xs!, null, ctxList);
    for (let i = 0; i < list.length; i++) {
      if (forceBool(apply1(rt, fn, list[i]!, null), null, ctxRet) === isAny) return isAny;
    }
    return !isAny;
  };
}

function isLessThanPrimop(v: Value): boolean {
  return v instanceof NixPrimop && v.def.name === "lessThan";
}

registerPrimops([
  {
    name: "length",
    arity: 1,
    args: ["e"],
    doc: "Return the length of the list e.",
    impl: (_rt, [xs]) =>
      forceList(xs!, null, "while evaluating the first argument passed to builtins.length").length,
  },
  {
    name: "head",
    arity: 1,
    args: ["list"],
    doc: "Return the first element of a list.",
    impl: (_rt, [xs]) => {
      const list = forceList(xs!, null, "while evaluating the first argument passed to 'builtins.head'");
      if (list.length === 0) throw evalError("'builtins.head' called on an empty list");
      return force(list[0]!, null);
    },
  },
  {
    name: "tail",
    arity: 1,
    args: ["list"],
    doc: "Return the list without its first element (O(n)).",
    impl: (_rt, [xs]) => {
      const list = forceList(xs!, null, "while evaluating the first argument passed to 'builtins.tail'");
      if (list.length === 0) throw evalError("'builtins.tail' called on an empty list");
      return list.slice(1);
    },
  },
  {
    name: "elemAt",
    arity: 2,
    args: ["xs", "n"],
    doc: "Return element n of the list xs (counting from 0).",
    impl: (_rt, [xs, n]) => {
      const i = forceInt(n!, null, "while evaluating the second argument passed to 'builtins.elemAt'");
      const list = forceList(xs!, null, "while evaluating the first argument passed to 'builtins.elemAt'");
      if (typeof i !== "number" || i < 0 || i >= list.length) {
        throw evalError(`'builtins.elemAt' called with index ${i} on a list of size ${list.length}`);
      }
      return force(list[i]!, null);
    },
  },
  {
    name: "elem",
    arity: 2,
    args: ["x", "xs"],
    doc: "Whether a value equal to x occurs in the list xs.",
    impl: (rt, [x, xs]) => {
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.elem");
      if (list.length === 0) return false;
      const v = force(x!, null);
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        if (e === x || eqValues(rt, v, force(e, null), null)) return true;
      }
      return false;
    },
  },
  {
    name: "map",
    arity: 2,
    args: ["f", "list"],
    global: true,
    doc: "Apply f to every element of list (lazily).",
    impl: (rt, [f, xs]) => {
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.map");
      const n = list.length;
      if (n === 0) return list;
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.map");
      const code = applyCode1(rt, fn);
      const out = new Array<Lazy>(n);
      for (let i = 0; i < n; i++) out[i] = new Thunk(code, list[i]!);
      return out;
    },
  },
  {
    name: "filter",
    arity: 2,
    args: ["f", "list"],
    doc: "The elements of list for which f returns true.",
    impl: (rt, [f, xs]) => {
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.filter");
      const n = list.length;
      if (n === 0) return list;
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.filter");
      let out: Lazy[] | null = null;
      for (let i = 0; i < n; i++) {
        const e = list[i]!;
        const keep = forceBool(
          apply1(rt, fn, e, null),
          null,
          "while evaluating the return value of the filtering function passed to builtins.filter",
        );
        if (out !== null) {
          if (keep) out.push(e);
        } else if (!keep) out = list.slice(0, i);
      }
      return out ?? list;
    },
  },
  {
    name: "concatLists",
    arity: 1,
    args: ["lists"],
    doc: "Concatenate a list of lists.",
    impl: (_rt, [xss]) => {
      const lists = forceList(
        xss!,
        null,
        "while evaluating the first argument passed to builtins.concatLists",
      );
      return concatForced(lists, "while evaluating a value of the list passed to builtins.concatLists");
    },
  },
  {
    name: "concatMap",
    arity: 2,
    args: ["f", "list"],
    doc: "concatLists (map f list), strictly in the spine.",
    impl: (rt, [f, xs]) => {
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.concatMap");
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.concatMap");
      const n = list.length;
      const parts = new Array<readonly Lazy[]>(n);
      let len = 0;
      for (let i = 0; i < n; i++) {
        const r = apply1(rt, fn, list[i]!, null);
        if (!Array.isArray(r)) {
          const where = r instanceof NixLambda ? r.info.span : functionPos(fn);
          throw expected(
            "a list",
            r,
            "while evaluating the return value of the function passed to builtins.concatMap",
            where,
          );
        }
        parts[i] = r as readonly Lazy[];
        len += r.length;
      }
      return flatten(parts, len);
    },
  },
  {
    name: "foldl'",
    arity: 3,
    args: ["op", "nul", "list"],
    doc: "Left fold, forcing each intermediate accumulator.",
    impl: (rt, [f, nul, xs]) => {
      const fn = forceFunction(
        f!,
        null,
        "while evaluating the first argument passed to builtins.foldlStrict",
      );
      const list = forceList(xs!, null, "while evaluating the third argument passed to builtins.foldlStrict");
      const n = list.length;
      if (n === 0) return force(nul!, null);
      let acc: Lazy = nul!;
      for (let i = 0; i < n; i++) acc = apply2(rt, fn, acc, list[i]!, null);
      return acc as Value;
    },
  },
  {
    name: "genList",
    arity: 2,
    args: ["generator", "length"],
    doc: "The list [ (generator 0) ... (generator (length - 1)) ], elements lazy.",
    impl: (rt, [f, len]) => {
      const n = forceInt(len!, null, "while evaluating the second argument passed to builtins.genList");
      if (n < 0 || n > MAX_LIST_SIZE) throw evalError(`cannot create list of size ${n}`);
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.genList");
      const size = Number(n);
      const code = applyCode1(rt, fn);
      const out = new Array<Lazy>(size);
      for (let i = 0; i < size; i++) out[i] = new Thunk(code, i);
      return out;
    },
  },
  {
    name: "sort",
    arity: 2,
    args: ["comparator", "list"],
    doc: "Stable sort of list by comparator (a strict less-than).",
    impl: (rt, [f, xs]) => {
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.sort");
      const n = list.length;
      if (n === 0) return list;
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.sort");
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = force(list[i]!, null);
      const less: Less<Value> = isLessThanPrimop(fn)
        ? (a, b) => {
            try {
              return compareValues(rt, a, b, null) < 0;
            } catch (e) {
              if (e instanceof NixError)
                e.addTrace(null, "while evaluating the ordering function passed to builtins.sort");
              throw e;
            }
          }
        : (a, b) =>
            forceBool(
              apply2(rt, fn, a, b, null),
              null,
              "while evaluating the return value of the sorting function passed to builtins.sort",
            );
      peeksort(out, less);
      return out;
    },
  },
  {
    name: "partition",
    arity: 2,
    args: ["pred", "list"],
    doc: "{ right = elements satisfying pred; wrong = the others; }",
    impl: (rt, [f, xs]) => {
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.partition");
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.partition");
      const right: Lazy[] = [];
      const wrong: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        force(e, null);
        const ok = forceBool(
          apply1(rt, fn, e, null),
          null,
          "while evaluating the return value of the partition function passed to builtins.partition",
        );
        (ok ? right : wrong).push(e);
      }
      return new NixAttrs(["right", "wrong"], [right, wrong]);
    },
  },
  {
    name: "groupBy",
    arity: 2,
    args: ["f", "list"],
    doc: "Group the elements of list by the string f returns for each.",
    impl: (rt, [f, xs]) => {
      const fn = forceFunction(f!, null, "while evaluating the first argument passed to builtins.groupBy");
      const list = forceList(xs!, null, "while evaluating the second argument passed to builtins.groupBy");
      const groups = new Map<string, Lazy[]>();
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        const r = apply1(rt, fn, e, null);
        const name =
          typeof r === "string"
            ? r
            : forceStringNoCtx(
                r,
                null,
                "while evaluating the return value of the grouping function passed to builtins.groupBy",
              );
        const g = groups.get(name);
        if (g === undefined) groups.set(name, [e]);
        else g.push(e);
      }
      const names = [...groups.keys()].sort();
      const values = new Array<Lazy>(names.length);
      for (let i = 0; i < names.length; i++) values[i] = groups.get(names[i]!)!;
      return new NixAttrs(names, values);
    },
  },
  {
    name: "any",
    arity: 2,
    args: ["pred", "list"],
    doc: "Whether pred holds for some element.",
    impl: anyOrAll("any"),
  },
  {
    name: "all",
    arity: 2,
    args: ["pred", "list"],
    doc: "Whether pred holds for every element.",
    impl: anyOrAll("all"),
  },
]);

/** Nix's EvalState::concatLists: force each list; share the only non-empty one. */
function concatForced(lists: readonly Lazy[], ctx: string): readonly Lazy[] {
  const n = lists.length;
  const parts = new Array<readonly Lazy[]>(n);
  let len = 0;
  let nonEmpty: readonly Lazy[] | null = null;
  for (let i = 0; i < n; i++) {
    const l = forceList(lists[i]!, null, ctx);
    parts[i] = l;
    len += l.length;
    if (l.length > 0) nonEmpty = l;
  }
  if (nonEmpty !== null && nonEmpty.length === len) return nonEmpty;
  return flatten(parts, len);
}

function flatten(parts: readonly (readonly Lazy[])[], len: number): readonly Lazy[] {
  if (len === 0) return EMPTY_LIST;
  const out = new Array<Lazy>(len);
  let k = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    for (let j = 0; j < p.length; j++) out[k++] = p[j]!;
  }
  return out;
}
