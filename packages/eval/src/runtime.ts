// Forcing thunks and calling functions: the evaluator's hot core.
import type { Span } from "@tsnix/parser";
import { NixError, STACK_OVERFLOW_MESSAGE, toNixError, typeError } from "./errors.js";
import type { EvalIO } from "./io.js";
import type { LambdaInfo } from "./lambda-info.js";
import {
  Env,
  NixAttrs,
  NixLambda,
  NixPrimop,
  NixPrimopApp,
  NO_SLOTS,
  Thunk,
  showType,
  type Lazy,
  type Value,
} from "./values.js";
import { printValueForError } from "./print.js";
import type { SearchPathEntry } from "./search-path.js";

/** Per-evaluator state shared by compiled code and builtins. */
export class Runtime {
  depth = 0;
  maxCallDepth: number;
  readonly storeDir: string;
  readonly currentSystem: string;
  readonly searchPath: SearchPathEntry[];
  readonly pureEval: boolean;
  readonly settings: Record<string, string>;
  /** Compiled files by resolved path (import semantics: each file once). */
  readonly fileCache = new Map<string, Value>();
  /** `import` path → the file it resolves to (Nix's importResolutionCache): one stat per path. */
  readonly importResolution = new Map<string, string>();
  /** Set up by the evaluator: the base environment and global scope. */
  baseEnv!: Env;
  builtins!: NixAttrs;
  /** Hooks installed by the evaluator (avoid import cycles). */
  evalFileHook!: (path: string) => Value;
  scopedImportHook!: (scope: NixAttrs, path: string) => Value;
  onWarning: (message: string) => void;
  onTrace: (message: string) => void;
  abortOnWarn: boolean;
  traceVerbose: boolean;

  constructor(
    readonly io: EvalIO,
    opts: {
      storeDir?: string;
      currentSystem?: string;
      searchPath?: SearchPathEntry[];
      pureEval?: boolean;
      maxCallDepth?: number;
      settings?: Record<string, string>;
      onWarning?: (message: string) => void;
      onTrace?: (message: string) => void;
      abortOnWarn?: boolean;
      traceVerbose?: boolean;
    },
  ) {
    this.storeDir = opts.storeDir ?? "/nix/store";
    this.currentSystem = opts.currentSystem ?? "x86_64-linux";
    this.searchPath = opts.searchPath ?? [];
    this.pureEval = opts.pureEval ?? false;
    this.maxCallDepth = opts.maxCallDepth ?? 10000;
    this.settings = opts.settings ?? {};
    this.onWarning = opts.onWarning ?? (() => {});
    this.onTrace = opts.onTrace ?? (() => {});
    this.abortOnWarn = opts.abortOnWarn ?? false;
    this.traceVerbose = opts.traceVerbose ?? false;
  }

  warn(message: string): void {
    this.onWarning("warning: " + message);
  }
}

// ---- forcing ----------------------------------------------------------------

/** Force a lazy value to weak head normal form. `span` is where the value is needed (for infinite recursion errors). */
export function force(x: Lazy, span: Span | null = null): Value {
  if (x instanceof Thunk) {
    const v = x.value;
    return v !== undefined ? v : forceThunk(x, span);
  }
  return x;
}

export function forceThunk(t: Thunk, span: Span | null): Value {
  if (t.value !== undefined) return t.value;
  const code = t.code;
  if (code === null) {
    const e = new NixError("infinite recursion encountered", span, "infinite-recursion");
    e.recursionThunk = t;
    throw e;
  }
  t.code = null;
  try {
    const v = code(t.env, span);
    t.value = v;
    t.env = null;
    return v;
  } catch (e) {
    const ne = toNixError(e);
    if (ne.recursionThunk === t) {
      ne.recursionThunk = null;
      ne.addTrace(null, "entering the infinite recursion");
    }
    if (ne.kind === "stack-overflow") {
      // not memoised: the same thunk may well succeed from a shallower stack
      t.code = code;
    } else {
      // Errors are memoised (Nix >= 2.34): forcing again throws a fresh copy of the first error
      // (including traces added while it first propagated, as Nix shares the stored exception).
      if (code !== rethrowFailed) {
        t.code = rethrowFailed;
        t.env = ne;
      } else t.code = code;
    }
    throw ne;
  }
}

function snapshotError(e: NixError): NixError {
  const c = new NixError(e.message, e.span, e.kind);
  for (const t of e.traces) c.traces.push(t);
  c.suggestions = e.suggestions;
  return c;
}

function rethrowFailed(saved: NixError): Value {
  throw snapshotError(saved);
}

// ---- calling ----------------------------------------------------------------

export function lambdaName(info: LambdaInfo): string {
  return info.name === null ? "anonymous lambda" : `'${info.name}'`;
}

function stackOverflow(span: Span | null): NixError {
  return new NixError(STACK_OVERFLOW_MESSAGE, span, "stack-overflow");
}

/** Bind a lambda's argument(s) into a fresh environment frame. */
function bindArgs(rt: Runtime, fn: NixLambda, arg: Lazy, span: Span | null): Env {
  const info = fn.info;
  const formals = info.formals;
  if (formals === null) return new Env(fn.env, NO_SLOTS, arg);
  const attrsV = force(arg, span);
  if (!(attrsV instanceof NixAttrs)) {
    const e = typeError(`expected a set but found ${showType(attrsV)}: ${printValueForError(attrsV)}`);
    e.addTrace(info.span, "while evaluating the value passed for the lambda argument");
    e.addTrace(span, "from call site");
    throw e;
  }
  const slots: Lazy[] = new Array(info.nSlots);
  const env = new Env(fn.env, slots);
  if (info.arg !== null) slots[0] = arg;
  let used = 0;
  for (let k = 0; k < formals.length; k++) {
    const f = formals[k]!;
    const v = attrsV.get(f.name);
    if (v !== undefined) {
      slots[f.slot] = v;
      used++;
    } else if (f.makeDefault !== null) {
      slots[f.slot] = f.makeDefault(env);
    } else {
      const e = typeError(
        `function '${info.name ?? "anonymous lambda"}' called without required argument '${f.name}'`,
        info.span,
      );
      e.addTrace(span, "from call site");
      throw e;
    }
  }
  if (!info.ellipsis && used !== attrsV.size) {
    for (const name of attrsV.keys()) {
      if (!info.formalNames!.has(name)) {
        const e = typeError(
          `function '${info.name ?? "anonymous lambda"}' called with unexpected argument '${name}'`,
          info.span,
        );
        e.withSuggestions(info.formalNames!, name);
        e.addTrace(span, "from call site");
        throw e;
      }
    }
  }
  return env;
}

export function callLambda(rt: Runtime, fn: NixLambda, arg: Lazy, span: Span | null): Value {
  if (rt.depth > rt.maxCallDepth) throw stackOverflow(span);
  const env = fn.info.formals === null ? new Env(fn.env, NO_SLOTS, arg) : bindArgs(rt, fn, arg, span);
  rt.depth++;
  try {
    const r = fn.info.body(env);
    rt.depth--;
    return r;
  } catch (e) {
    rt.depth--;
    const ne = toNixError(e);
    ne.addCallTrace(fn.info.span, `while calling ${lambdaName(fn.info)}`);
    ne.addCallTrace(span, "from call site");
    throw ne;
  }
}

export function callPrimop(rt: Runtime, op: NixPrimop, args: Lazy[], span: Span | null): Value {
  if (rt.depth > rt.maxCallDepth) throw stackOverflow(span);
  rt.depth++;
  try {
    const r = op.def.impl(rt, args, span);
    rt.depth--;
    return r;
  } catch (e) {
    rt.depth--;
    const ne = toNixError(e);
    if (op.def.noTrace !== true) ne.addTrace(span, `while calling the '${op.def.name}' builtin`);
    throw ne;
  }
}

/** Apply `fn` to one argument. */
export function call1(rt: Runtime, fn: Value, arg: Lazy, span: Span | null): Value {
  if (fn instanceof NixLambda) return callLambda(rt, fn, arg, span);
  return callN(rt, fn, [arg], span);
}

/** Apply `fn` to several arguments (curried), as Nix's callFunction. */
export function callN(rt: Runtime, fn: Value, args: readonly Lazy[], span: Span | null): Value {
  let i = 0;
  let f = fn;
  while (i < args.length) {
    if (f instanceof NixLambda) {
      f = callLambda(rt, f, args[i++]!, span);
    } else if (f instanceof NixPrimop || f instanceof NixPrimopApp) {
      const op = f instanceof NixPrimop ? f : f.primop;
      const have = f instanceof NixPrimop ? [] : f.args;
      const arity = op.def.arity;
      const need = arity - have.length;
      const avail = args.length - i;
      if (avail < need) {
        f = new NixPrimopApp(op, have.concat(args.slice(i)));
        i = args.length;
      } else {
        const all =
          have.length === 0
            ? i === 0 && need === args.length
              ? (args as Lazy[])
              : args.slice(i, i + need)
            : have.concat(args.slice(i, i + need));
        i += need;
        f = callPrimop(rt, op, all, span);
      }
    } else if (f instanceof NixAttrs && f.has("__functor")) {
      const functor = force(f.get("__functor")!, span);
      // __functor self arg
      f = callN(rt, functor, [f, args[i++]!], span);
    } else {
      throw typeError(
        `attempt to call something which is not a function but ${showType(f)}: ${printValueForError(f)}`,
        span,
      );
    }
  }
  return f;
}

/** A thunk that applies a function to arguments when forced (used by builtins like map). */
export function mkApplyThunk(rt: Runtime, fn: Lazy, args: readonly Lazy[], span: Span | null): Thunk {
  return new Thunk(applyCode, new ApplyData(rt, fn, args, span));
}

class ApplyData {
  constructor(
    readonly rt: Runtime,
    readonly fn: Lazy,
    readonly args: readonly Lazy[],
    readonly span: Span | null,
  ) {}
}

function applyCode(d: ApplyData): Value {
  return callN(d.rt, force(d.fn, d.span), d.args, d.span);
}
