// AST -> JS closures. Variables are resolved at compile time to (depth, slot);
// `with` is the only dynamic lookup (lowest priority, innermost `with` first).
import type {
  AssertExpr,
  AttrName,
  AttrsExpr,
  BinaryExpr,
  CallExpr,
  ConcatStringsExpr,
  Expr,
  IfExpr,
  LambdaExpr,
  LetExpr,
  SelectExpr,
  HasAttrExpr,
  Span,
  VarExpr,
} from "@tsnix/parser";
import { showExpr } from "@tsnix/parser";
import { NixError, evalError, toNixError, typeError } from "./errors.js";
import { expected, forceAttrs, forceBool, forceList } from "./check.js";
import type { FormalInfo, LambdaInfo } from "./lambda-info.js";
import { arith, coerceToString, eqValues, intAdd, lessThan, updateAttrs, type Coerced } from "./ops.js";
import { explainNotEqual } from "./assert-eq.js";
import { withInterpolation, withParens } from "./outer-span.js";
import { canonPath } from "./paths.js";
import { printValueForError } from "./print.js";
import { callLambda, callN, force, forceThunk, type Runtime } from "./runtime.js";
import {
  Env,
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixString,
  NO_SLOTS,
  Thunk,
  compareNames,
  mkInt,
  setCodeSpan,
  mkString,
  showType,
  type Code,
  type Lazy,
  type Value,
} from "./values.js";

interface Compiled {
  readonly eval: Code;
  /** The value without forcing it: a constant, a variable's cell, or a new thunk. */
  readonly lazy: (env: Env) => Lazy;
}

/**
 * A compile-time scope: one runtime Env frame. `names === null` marks a `with` frame.
 * `inline`: the frame's only slot lives in `Env.a0` (see values.ts Env).
 */
export class Scope {
  constructor(
    readonly up: Scope | null,
    readonly names: Map<string, number> | null,
    readonly inline: boolean = false,
  ) {}
}

type Resolved =
  | { kind: "static"; depth: number; slot: number; global: boolean; inline: boolean }
  | { kind: "with"; depths: number[] };

/** Operators the parser desugars into calls of `__sub` etc.; inlined when the name is the builtin. */
const INLINE_ARITH: Record<string, "sub" | "mul" | "div" | undefined> = {
  __sub: "sub",
  __mul: "mul",
  __div: "div",
};

function lazyOf(c: Code, span: Span | null): (env: Env) => Lazy {
  // The span is registered when the first thunk is made: most expressions never make one,
  // and registering every expression at compile time costed package-set ~8 % (WeakMap inserts).
  let registered = false;
  return (env) => {
    if (!registered) {
      registered = true;
      setCodeSpan(c, span);
    }
    return new Thunk(c, env);
  };
}

function slotThunk(code: Code, env: Env, span: Span): Thunk {
  setCodeSpan(code, span);
  return new Thunk(code, env);
}

function constant(v: Value): Compiled {
  return { eval: () => v, lazy: () => v };
}

function addTrace(e: unknown, span: Span | null, message: string): NixError {
  const ne = toNixError(e);
  ne.addTrace(span, message);
  return ne;
}

export class Compiler {
  /** The enclosing Attrs/Let whose `inheritFrom` slots InheritFrom nodes refer to. */
  private inheritFromFrames: { scope: Scope; base: number }[] = [];

  constructor(
    readonly rt: Runtime,
    readonly baseScope: Scope,
  ) {}

  /** Compile a whole file/string; the result runs in the env matching `scope`. */
  compileRoot(expr: Expr, scope: Scope = this.baseScope): Code {
    return this.compile(expr, scope).eval;
  }

  private resolve(name: string, scope: Scope): Resolved | null {
    let depth = 0;
    const withs: number[] = [];
    for (let s: Scope | null = scope; s !== null; s = s.up, depth++) {
      if (s.names === null) withs.push(depth);
      else {
        const slot = s.names.get(name);
        if (slot !== undefined)
          return { kind: "static", depth, slot, global: s.up === null, inline: s.inline };
      }
    }
    return withs.length > 0 ? { kind: "with", depths: withs } : null;
  }

  compile(e: Expr, scope: Scope): Compiled {
    switch (e.kind) {
      case "Int":
        return constant(mkInt(e.value));
      case "Float":
        return constant(new NixFloat(e.value));
      case "String":
        return constant(e.value);
      case "Path":
        return constant(new NixPath(e.value));
      case "Var":
        return this.var(e, scope);
      case "Select":
        return this.select(e, scope);
      case "HasAttr":
        return this.hasAttr(e, scope);
      case "Attrs":
        return e.recursive ? this.recAttrs(e, scope) : this.attrs(e, scope);
      case "List": {
        const items = e.items.map((i) => this.compile(i, scope).lazy);
        const n = items.length;
        const code: Code = (env) => {
          const out: Lazy[] = new Array(n);
          for (let i = 0; i < n; i++) out[i] = items[i]!(env);
          return out;
        };
        return { eval: code, lazy: lazyOf(code, e.span) };
      }
      case "Lambda":
        return this.lambda(e, scope);
      case "Call":
        return this.call(e, scope);
      case "Let":
        return this.let(e, scope);
      case "With":
        return this.with(e, scope);
      case "If":
        return this.if(e, scope);
      case "Assert":
        return this.assert(e, scope);
      case "Not": {
        const arg = this.compile(e.expr, scope).eval;
        const argSpan = e.expr.span;
        const code: Code = (env) => {
          let v: Value;
          try {
            v = arg(env);
          } catch (err) {
            throw addTrace(err, argSpan, "in the argument of '!'");
          }
          if (typeof v !== "boolean")
            throw expected("a Boolean", v, "in the argument of '!'", argSpan, argSpan);
          return !v;
        };
        return { eval: code, lazy: lazyOf(code, e.span) };
      }
      case "Binary":
        return this.binary(e, scope);
      case "ConcatStrings":
        return this.concat(e, scope);
      case "CurPos": {
        const s = e.span;
        const v = NixAttrs.fromMap(
          new Map<string, Lazy>([
            ["file", s.source.path ?? (s.source.origin === "stdin" ? "«stdin»" : "«string»")],
            ["line", s.line],
            ["column", s.column],
          ]),
        );
        return constant(v);
      }
      case "InheritFrom": {
        const frame = this.inheritFromFrames[this.inheritFromFrames.length - 1];
        if (frame === undefined) throw evalError("internal error: InheritFrom outside attrs", e.span);
        let depth = 0;
        let s: Scope | null = scope;
        while (s !== null && s !== frame.scope) {
          s = s.up;
          depth++;
        }
        const slot = frame.base + e.index;
        return this.slotAccess(depth, slot, e.span, false);
      }
    }
  }

  // ---- variables ----------------------------------------------------------

  private slotAccess(depth: number, slot: number, span: Span, inline: boolean): Compiled {
    let eval_: Code;
    let lazy: (env: Env) => Lazy;
    // eval_ is also the code of thunks made for slots not yet filled (`rec`, `let`): rare,
    // so their span is registered when made (see lazyOf).
    const result = (): Compiled => ({ eval: eval_, lazy });
    if (inline) {
      // The frame's only slot, in Env.a0 (always set: lambda argument or `with` attrs).
      if (depth === 0) {
        eval_ = (env) => {
          const x = env.a0!;
          if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
          return x;
        };
        lazy = (env) => env.a0!;
      } else if (depth === 1) {
        eval_ = (env) => {
          const x = env.up!.a0!;
          if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
          return x;
        };
        lazy = (env) => env.up!.a0!;
      } else if (depth === 2) {
        eval_ = (env) => {
          const x = env.up!.up!.a0!;
          if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
          return x;
        };
        lazy = (env) => env.up!.up!.a0!;
      } else {
        const frame = (env: Env): Env => {
          let f = env;
          for (let i = 0; i < depth; i++) f = f.up!;
          return f;
        };
        eval_ = (env) => {
          const x = frame(env).a0!;
          if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
          return x;
        };
        lazy = (env) => frame(env).a0!;
      }
    } else if (depth === 0) {
      eval_ = (env) => {
        const x = env.v[slot]!;
        if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
        return x;
      };
      lazy = (env) => {
        const x = env.v[slot];
        return x === undefined ? slotThunk(eval_, env, span) : x;
      };
    } else if (depth === 1) {
      eval_ = (env) => {
        const x = env.up!.v[slot]!;
        if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
        return x;
      };
      lazy = (env) => {
        const x = env.up!.v[slot];
        return x === undefined ? slotThunk(eval_, env, span) : x;
      };
    } else if (depth === 2) {
      eval_ = (env) => {
        const x = env.up!.up!.v[slot]!;
        if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
        return x;
      };
      lazy = (env) => {
        const x = env.up!.up!.v[slot];
        return x === undefined ? slotThunk(eval_, env, span) : x;
      };
    } else {
      const frame = (env: Env): Env => {
        let f = env;
        for (let i = 0; i < depth; i++) f = f.up!;
        return f;
      };
      eval_ = (env) => {
        const x = frame(env).v[slot]!;
        if (x instanceof Thunk) return x.value !== undefined ? x.value : forceThunk(x, span);
        return x;
      };
      lazy = (env) => {
        const x = frame(env).v[slot];
        return x === undefined ? slotThunk(eval_, env, span) : x;
      };
    }
    return result();
  }

  private var(e: VarExpr, scope: Scope): Compiled {
    const r = this.resolve(e.name, scope);
    if (r === null) throw evalError(`undefined variable '${e.name}'`, e.span);
    if (r.kind === "static") return this.slotAccess(r.depth, r.slot, e.span, r.inline);
    const depths = r.depths;
    const name = e.name;
    const span = e.span;
    const code: Code = (env) => {
      let f = env;
      let at = 0;
      for (const d of depths) {
        while (at < d) {
          f = f.up!;
          at++;
        }
        const attrs = forceAttrs(
          f.a0!,
          span,
          "while evaluating the first subexpression of a with expression",
        );
        const x = attrs.get(name);
        if (x !== undefined) return force(x, span);
      }
      throw evalError(`undefined variable '${name}'`, span);
    };
    return { eval: code, lazy: lazyOf(code, span) };
  }

  /** Whether `name` resolves to the global builtin of that name (so the compiler may inline it). */
  private isGlobal(name: string, scope: Scope): boolean {
    const r = this.resolve(name, scope);
    return r !== null && r.kind === "static" && r.global && this.rt.baseEnv !== undefined;
  }

  // ---- attribute paths ----------------------------------------------------

  private attrName(n: AttrName, scope: Scope): string | Code {
    if (n.kind === "static") return n.name;
    const c = this.compile(n.expr, scope).eval;
    const span = n.expr.span;
    return (env) => {
      let v: Value;
      try {
        v = c(env);
      } catch (err) {
        throw addTrace(err, span, "while evaluating an attribute name");
      }
      if (typeof v === "string") return v;
      if (v instanceof NixString) return v.value;
      throw expected("a string", v, "while evaluating an attribute name", span, span);
    };
  }

  private showAttrPath(path: readonly AttrName[]): string {
    return path
      .map((n) => {
        if (n.kind === "static") return n.name;
        return `"\${${showExpr(n.expr)}}"`;
      })
      .join(".");
  }

  private select(e: SelectExpr, scope: Scope): Compiled {
    const base = this.compile(e.expr, scope).eval;
    const names = e.path.map((n) => this.attrName(n, scope));
    const def = e.default === null ? null : this.compile(e.default, scope).eval;
    const span = e.span.offset === e.expr.span.offset ? withParens(e.expr.span) : e.span;
    const pathStr = this.showAttrPath(e.path);
    const n = names.length;
    const code: Code = (env) => {
      let cur: Value;
      try {
        cur = base(env);
      } catch (err) {
        throw addTrace(err, span, "while selecting an attribute");
      }
      // fast path: one static name, present
      const n0 = names[0];
      if (n === 1 && typeof n0 === "string" && cur instanceof NixAttrs) {
        const x = cur.get(n0);
        if (x !== undefined) {
          if (!(x instanceof Thunk)) return x;
          if (x.value !== undefined) return x.value;
        }
      }
      // The set the last name was found in; its position is looked up only when needed.
      let from: NixAttrs | null = null;
      let lastName = "";
      try {
        for (let i = 0; i < n; i++) {
          const nm = names[i]!;
          const name = typeof nm === "string" ? nm : (nm(env) as string);
          if (!(cur instanceof NixAttrs)) {
            if (def !== null) return def(env);
            throw expected("a set", cur, "while selecting an attribute", span);
          }
          const x = cur.get(name);
          if (x === undefined) {
            if (def !== null) return def(env);
            throw evalError(`attribute '${name}' missing`).withSuggestions(cur.keys(), name);
          }
          from = cur;
          lastName = name;
          if (x instanceof Thunk) {
            // forceThunk uses the span only for "infinite recursion" (a black hole: code === null).
            cur =
              x.value !== undefined
                ? x.value
                : forceThunk(x, x.code === null ? (cur.posOf(name) ?? span) : span);
          } else cur = x;
        }
        return cur;
      } catch (err) {
        const ne = toNixError(err);
        const pos2 = from === null ? null : from.posOf(lastName);
        if (pos2 !== null) ne.addTrace(pos2, `from the definition of '${lastName}'`);
        ne.addTrace(span, `while evaluating the attribute '${pathStr}'`);
        throw ne;
      }
    };
    return { eval: code, lazy: lazyOf(code, span) };
  }

  private hasAttr(e: HasAttrExpr, scope: Scope): Compiled {
    const base = this.compile(e.expr, scope).eval;
    const names = e.path.map((n) => this.attrName(n, scope));
    const span = e.span;
    const code: Code = (env) => {
      let cur: Value;
      try {
        cur = base(env);
      } catch (err) {
        throw addTrace(err, e.expr.span, "in the argument of '?'");
      }
      for (let i = 0; i < names.length; i++) {
        if (!(cur instanceof NixAttrs)) return false;
        const nm = names[i]!;
        const name = typeof nm === "string" ? nm : (nm(env) as string);
        const x = cur.get(name);
        if (x === undefined) return false;
        if (i < names.length - 1) cur = force(x, span);
      }
      return true;
    };
    return { eval: code, lazy: lazyOf(code, span) };
  }

  // ---- attribute sets, let ------------------------------------------------

  private staticPos(e: AttrsExpr): Map<string, Span> {
    const m = new Map<string, Span>();
    for (const a of e.attrs) m.set(a.name, a.span);
    return m;
  }

  /** Static attribute names in Nix order, computed once at compile time. */
  private sortedLayout(e: AttrsExpr) {
    const order = e.attrs.map((_, i) => i).sort((x, y) => compareNames(e.attrs[x]!.name, e.attrs[y]!.name));
    return {
      order,
      names: order.map((i) => e.attrs[i]!.name),
      positions: order.map((i): Span | null => e.attrs[i]!.span),
    };
  }

  private dynamicAttrs(e: AttrsExpr, scope: Scope) {
    return e.dynamicAttrs.map((d) => ({
      nameCode: this.compile(d.name, scope).eval,
      value: this.compile(d.value, scope).lazy,
      span: d.span,
      nameSpan: d.name.span,
    }));
  }

  private addDynamic(
    env: Env,
    dyn: ReturnType<Compiler["dynamicAttrs"]>,
    map: Map<string, Lazy>,
    pos: Map<string, Span>,
    staticPos: Map<string, Span>,
  ): Map<string, Span> {
    let p = pos;
    for (const d of dyn) {
      let nv: Value;
      try {
        nv = d.nameCode(env);
      } catch (err) {
        throw addTrace(err, d.nameSpan, "while evaluating the name of a dynamic attribute");
      }
      if (nv === null) continue;
      let name: string;
      if (typeof nv === "string") name = nv;
      else if (nv instanceof NixString) name = nv.value;
      else
        throw expected(
          "a string",
          nv,
          "while evaluating the name of a dynamic attribute",
          d.nameSpan,
          d.nameSpan,
        );
      if (map.has(name)) {
        const prev = p.get(name);
        throw evalError(
          `dynamic attribute '${name}' already defined at ${prev ? showPosOf(prev) : "«unknown»"}`,
          d.span,
        );
      }
      map.set(name, d.value(env));
      if (p === staticPos) p = new Map(staticPos);
      p.set(name, d.span);
    }
    return p;
  }

  private attrs(e: AttrsExpr, scope: Scope): Compiled {
    const span = e.span;
    const staticPos = this.staticPos(e);
    const dyn = this.dynamicAttrs(e, scope);
    // `inherit (x) a` in a non-recursive set: a hidden frame holds the shared `x` thunks.
    const hasFrom = e.inheritFrom.length > 0;
    const fromScope = hasFrom ? new Scope(scope, new Map()) : scope;
    const fromCodes = hasFrom ? e.inheritFrom.map((f) => this.compile(f, scope).eval) : [];
    fromCodes.forEach((c, i) => setCodeSpan(c, e.inheritFrom[i]!.span));
    if (hasFrom) this.inheritFromFrames.push({ scope: fromScope, base: 0 });
    const defs = e.attrs.map((a) => ({
      name: a.name,
      inFrame: a.kind === "inheritedFrom",
      value: this.compile(a.value, a.kind === "inheritedFrom" ? fromScope : scope).lazy,
    }));
    if (hasFrom) this.inheritFromFrames.pop();
    const nDefs = defs.length;
    const layout = this.sortedLayout(e);
    const sortedDefs = layout.order.map((i) => defs[i]!);
    const code: Code = (env) => {
      let frame: Env | null = null;
      if (hasFrom) {
        const slots: Lazy[] = new Array(fromCodes.length);
        for (let i = 0; i < fromCodes.length; i++) slots[i] = new Thunk(fromCodes[i]!, env);
        frame = new Env(env, slots);
      }
      if (dyn.length === 0) {
        const values: Lazy[] = new Array(nDefs);
        for (let i = 0; i < nDefs; i++) {
          const d = sortedDefs[i]!;
          values[i] = d.value(d.inFrame ? frame! : env);
        }
        return new NixAttrs(layout.names, values, layout.positions);
      }
      const map = new Map<string, Lazy>();
      for (let i = 0; i < nDefs; i++) {
        const d = defs[i]!;
        map.set(d.name, d.value(d.inFrame ? frame! : env));
      }
      const pos = this.addDynamic(env, dyn, map, staticPos, staticPos);
      return NixAttrs.fromMap(map, pos);
    };
    return { eval: code, lazy: lazyOf(code, span) };
  }

  /** Scope and slot layout for `rec { }` and `let`: named attrs, then hidden inherit-from slots. */
  private recLayout(e: AttrsExpr, scope: Scope, realThunks = false) {
    const names = new Map<string, number>();
    e.attrs.forEach((a, i) => names.set(a.name, i));
    const inner = new Scope(scope, names);
    const base = e.attrs.length;
    this.inheritFromFrames.push({ scope: inner, base });
    const fromCodes = e.inheritFrom.map((f) => ({ code: this.compile(f, inner).eval, span: f.span }));
    for (const f of fromCodes) setCodeSpan(f.code, f.span);
    // With `__overrides`, every value is a real thunk so that it sees overridden slots (as Nix).
    const values = e.attrs.map((a) => {
      if (a.kind === "inherited") return { outer: true, lazy: this.compile(a.value, scope).lazy };
      const c = this.compile(a.value, inner);
      return { outer: false, lazy: realThunks ? lazyOf(c.eval, a.value.span) : c.lazy };
    });
    this.inheritFromFrames.pop();
    const nSlots = base + fromCodes.length;
    const fill = (env: Env): Env => {
      const slots: Lazy[] = new Array(nSlots);
      const frame = new Env(env, slots);
      for (let i = 0; i < fromCodes.length; i++) slots[base + i] = new Thunk(fromCodes[i]!.code, frame);
      for (let i = 0; i < base; i++) {
        const v = values[i]!;
        slots[i] = v.outer ? v.lazy(env) : v.lazy(frame);
      }
      return frame;
    };
    return { inner, fill };
  }

  private recAttrs(e: AttrsExpr, scope: Scope): Compiled {
    const { inner, fill } = this.recLayout(
      e,
      scope,
      e.attrs.some((a) => a.name === "__overrides"),
    );
    const staticPos = this.staticPos(e);
    const dyn = this.dynamicAttrs(e, inner);
    const names = e.attrs.map((a) => a.name);
    const overridesSlot = names.indexOf("__overrides");
    const layout = this.sortedLayout(e);
    const order = layout.order;
    const n = order.length;
    const code: Code = (env) => {
      const frame = fill(env);
      if (overridesSlot < 0 && dyn.length === 0) {
        const values: Lazy[] = new Array(n);
        const slots = frame.v;
        for (let i = 0; i < n; i++) values[i] = slots[order[i]!]!;
        return new NixAttrs(layout.names, values, layout.positions);
      }
      const map = new Map<string, Lazy>();
      for (let i = 0; i < names.length; i++) map.set(names[i]!, frame.v[i]!);
      let pos = staticPos;
      if (overridesSlot >= 0) {
        const ov = forceAttrs(
          frame.v[overridesSlot]!,
          e.span,
          "while evaluating the `__overrides` attribute",
        );
        for (const [k, v] of ov.entries()) {
          map.set(k, v);
          const slot = names.indexOf(k);
          if (slot >= 0) frame.v[slot] = v;
        }
      }
      if (dyn.length > 0) pos = this.addDynamic(frame, dyn, map, pos, staticPos);
      return NixAttrs.fromMap(map, pos);
    };
    return { eval: code, lazy: lazyOf(code, e.span) };
  }

  private let(e: LetExpr, scope: Scope): Compiled {
    const { inner, fill } = this.recLayout(e.attrs, scope);
    const body = this.compile(e.body, inner).eval;
    const code: Code = (env) => body(fill(env));
    return { eval: code, lazy: lazyOf(code, e.span) };
  }

  private with(e: import("@tsnix/parser").WithExpr, scope: Scope): Compiled {
    const attrs = this.compile(e.env, scope).lazy;
    const body = this.compile(e.body, new Scope(scope, null, true)).eval;
    const code: Code = (env) => body(new Env(env, NO_SLOTS, attrs(env)));
    return { eval: code, lazy: lazyOf(code, e.span) };
  }

  // ---- functions ------------------------------------------------------------

  private lambda(e: LambdaExpr, scope: Scope): Compiled {
    const names = new Map<string, number>();
    let slot = 0;
    if (e.arg !== null) names.set(e.arg, slot++);
    const formalSlots: number[] = [];
    if (e.formals !== null) {
      for (const f of e.formals.formals) {
        formalSlots.push(slot);
        names.set(f.name, slot++);
      }
    }
    const inner = new Scope(scope, names, e.formals === null);
    let formals: FormalInfo[] | null = null;
    if (e.formals !== null) {
      formals = e.formals.formals.map((f, i) => ({
        name: f.name,
        span: f.span,
        slot: formalSlots[i]!,
        makeDefault: f.default === null ? null : this.compile(f.default, inner).lazy,
      }));
    }
    const info: LambdaInfo = {
      name: e.name,
      span: e.span,
      arg: e.arg,
      formals,
      formalNames: formals === null ? null : new Set(formals.map((f) => f.name)),
      ellipsis: e.formals?.ellipsis ?? false,
      nSlots: slot,
      body: this.compile(e.body, inner).eval,
    };
    const code: Code = (env) => new NixLambda(info, env);
    // In lazy positions Nix allocates a thunk for a lambda too (it prints as <CODE> unforced).
    return { eval: code, lazy: lazyOf(code, e.span) };
  }

  private call(e: CallExpr, scope: Scope): Compiled {
    // Nix's call position is the start of the application, including a `(` around the function.
    const span = e.span.offset === e.fn.span.offset ? withParens(e.fn.span) : e.span;
    const rt = this.rt;
    if (e.fn.kind === "Var" && e.args.length === 2 && this.isGlobal(e.fn.name, scope)) {
      const op = INLINE_ARITH[e.fn.name];
      if (op !== undefined || e.fn.name === "__lessThan") {
        const a = this.compile(e.args[0]!, scope).eval;
        const b = this.compile(e.args[1]!, scope).eval;
        const builtinName = e.fn.name.slice(2);
        if (op === "sub") {
          const code: Code = (env) => {
            try {
              const x = a(env);
              const y = b(env);
              if (typeof x === "number" && typeof y === "number") {
                const r = x - y;
                if (Number.isSafeInteger(r)) return r;
              }
              return arith("sub", x, y, span);
            } catch (err) {
              throw addTrace(err, span, "while calling the 'sub' builtin");
            }
          };
          return { eval: code, lazy: lazyOf(code, span) };
        }
        if (op !== undefined) {
          const code: Code = (env) => {
            try {
              return arith(op, a(env), b(env), span);
            } catch (err) {
              throw addTrace(err, span, `while calling the '${builtinName}' builtin`);
            }
          };
          return { eval: code, lazy: lazyOf(code, span) };
        }
        const code: Code = (env) => {
          try {
            const x = a(env);
            const y = b(env);
            if (typeof x === "number" && typeof y === "number") return x < y;
            return lessThan(rt, x, y, span);
          } catch (err) {
            throw addTrace(err, span, "while calling the 'lessThan' builtin");
          }
        };
        return { eval: code, lazy: lazyOf(code, span) };
      }
    }
    const fn = this.compile(e.fn, scope).eval;
    const args = e.args.map((a) => this.compile(a, scope).lazy);
    let code: Code;
    if (args.length === 1) {
      const a0 = args[0]!;
      code = (env) => {
        const f = fn(env);
        if (f instanceof NixLambda) return callLambda(rt, f, a0(env), span);
        return callN(rt, f, [a0(env)], span);
      };
    } else if (args.length === 2) {
      // `f a b` with a curried lambda: two direct calls, no argument array.
      const a0 = args[0]!;
      const a1 = args[1]!;
      code = (env) => {
        const f = fn(env);
        if (f instanceof NixLambda) {
          const g = callLambda(rt, f, a0(env), span);
          if (g instanceof NixLambda) return callLambda(rt, g, a1(env), span);
          return callN(rt, g, [a1(env)], span);
        }
        return callN(rt, f, [a0(env), a1(env)], span);
      };
    } else {
      const n = args.length;
      code = (env) => {
        const f = fn(env);
        const vals: Lazy[] = new Array(n);
        for (let i = 0; i < n; i++) vals[i] = args[i]!(env);
        return callN(rt, f, vals, span);
      };
    }
    return { eval: code, lazy: lazyOf(code, span) };
  }

  // ---- control ----------------------------------------------------------------

  private if(e: IfExpr, scope: Scope): Compiled {
    const cond = this.compile(e.cond, scope).eval;
    const then = this.compile(e.then, scope).eval;
    const else_ = this.compile(e.else, scope).eval;
    const condSpan = e.cond.span;
    const code: Code = (env) => {
      const c = cond(env);
      if (c === true) return then(env);
      if (c === false) return else_(env);
      throw expected("a Boolean", c, "while evaluating a branch condition", condSpan, condSpan);
    };
    return { eval: code, lazy: lazyOf(code, e.span) };
  }

  private assert(e: AssertExpr, scope: Scope): Compiled {
    const cond = this.compile(e.cond, scope).eval;
    const body = this.compile(e.body, scope).eval;
    const span = e.span;
    const rt = this.rt;
    const text = showExpr(e.cond);
    const eq = e.cond.kind === "Binary" && e.cond.op === "==" ? e.cond : null;
    const eqL = eq ? this.compile(eq.left, scope).eval : null;
    const eqR = eq ? this.compile(eq.right, scope).eval : null;
    const eqSpan = eq ? eq.span : span;
    const code: Code = (env) => {
      let c: Value;
      try {
        c = cond(env);
        if (typeof c !== "boolean") throw expected("a Boolean", c, null);
        if (c === false && eqL !== null && eqR !== null) {
          explainNotEqual(rt, eqL(env), eqR(env), eqSpan);
        }
      } catch (err) {
        throw addTrace(err, span, `while evaluating the condition of the assertion '${text}'`);
      }
      if (c === false) throw new NixError(`assertion '${text}' failed`, span, "assert");
      return body(env);
    };
    return { eval: code, lazy: lazyOf(code, span) };
  }

  private binary(e: BinaryExpr, scope: Scope): Compiled {
    const l = this.compile(e.left, scope).eval;
    const r = this.compile(e.right, scope).eval;
    const op = e.op;
    const ls = e.left.span;
    const rs = e.right.span;
    const span = e.span;
    const rt = this.rt;
    const left = (env: Env): Value => {
      try {
        return l(env);
      } catch (err) {
        throw addTrace(err, ls, `in the left operand of '${op}'`);
      }
    };
    const right = (env: Env): Value => {
      try {
        return r(env);
      } catch (err) {
        throw addTrace(err, rs, `in the right operand of '${op}'`);
      }
    };
    const bool = (v: Value, which: "left" | "right"): boolean => {
      if (typeof v === "boolean") return v;
      const sp = which === "left" ? ls : rs;
      throw expected("a Boolean", v, `in the ${which} operand of '${op}'`, sp, sp);
    };
    let code: Code;
    switch (op) {
      case "==":
        code = (env) => eqValues(rt, left(env), right(env), span);
        break;
      case "!=":
        code = (env) => !eqValues(rt, left(env), right(env), span);
        break;
      case "&&":
        code = (env) => bool(left(env), "left") && bool(right(env), "right");
        break;
      case "||":
        code = (env) => bool(left(env), "left") || bool(right(env), "right");
        break;
      case "->":
        code = (env) => !bool(left(env), "left") || bool(right(env), "right");
        break;
      case "//":
        code = (env) => {
          const a = left(env);
          if (!(a instanceof NixAttrs))
            throw expected("a set", a, "in the left operand of the update (//) operator", ls);
          const b = right(env);
          if (!(b instanceof NixAttrs))
            throw expected("a set", b, "in the right operand of the update (//) operator", rs);
          return updateAttrs(a, b);
        };
        break;
      case "++":
        code = (env) => {
          const a = forceList(left(env), span, null);
          const b = forceList(right(env), span, null);
          if (a.length === 0) return b;
          if (b.length === 0) return a;
          return a.concat(b);
        };
        code = wrapListType(code, span);
        break;
    }
    return { eval: code, lazy: lazyOf(code, span) };
  }

  // ---- `+` and interpolation ----------------------------------------------------

  private concat(e: ConcatStringsExpr, scope: Scope): Compiled {
    const parts = e.parts.map((p) => this.compile(p, scope).eval);
    const forceString = e.forceString;
    const spans = e.parts.map((p) => (forceString ? withInterpolation(p.span) : withParens(p.span)));
    const span = e.span;
    const n = parts.length;
    if (!forceString && n === 2) {
      // `a + b`: the common case, kept to one JS frame for deep recursion.
      const p0 = parts[0]!;
      const p1 = parts[1]!;
      const s0 = spans[0]!;
      const s1 = spans[1]!;
      const general = this.concatGeneral(parts, spans, false, span);
      const code2: Code = (env) => {
        let a: Value;
        let b: Value;
        try {
          a = p0(env);
        } catch (err) {
          throw addTrace(err, s0, "in an operand of '+'");
        }
        if (typeof a === "number") {
          try {
            b = p1(env);
          } catch (err) {
            throw addTrace(err, s1, "in an operand of '+'");
          }
          if (typeof b === "number") {
            const r = a + b;
            if (Number.isSafeInteger(r)) return r;
          }
          return addNumbers(a, [b], [s1]);
        }
        return general(env, a);
      };
      return { eval: code2, lazy: lazyOf(code2, span) };
    }
    const general = this.concatGeneral(parts, spans, forceString, span);
    const code: Code = (env) => general(env, undefined);
    return { eval: code, lazy: lazyOf(code, span) };
  }

  private concatGeneral(
    parts: Code[],
    spans: Span[],
    forceString: boolean,
    span: Span,
  ): (env: Env, first: Value | undefined) => Value {
    const rt = this.rt;
    const n = parts.length;
    const evalPart = (env: Env, i: number): Value => {
      if (forceString) return parts[i]!(env);
      try {
        return parts[i]!(env);
      } catch (err) {
        throw addTrace(err, spans[i]!, "in an operand of '+'");
      }
    };
    return (env, firstIn) => {
      const first = firstIn !== undefined ? firstIn : evalPart(env, 0);
      if (!forceString) {
        if (typeof first === "number" && n === 2) {
          const second = evalPart(env, 1);
          if (typeof second === "number") {
            const r = first + second;
            if (Number.isSafeInteger(r)) return r;
          }
          return addNumbers(first, [second], spans.slice(1));
        }
        if (typeof first === "number" || typeof first === "bigint" || first instanceof NixFloat) {
          const rest: Value[] = [];
          for (let i = 1; i < n; i++) rest.push(evalPart(env, i));
          return addNumbers(first, rest, spans.slice(1));
        }
      }
      if (!forceString && first instanceof NixPath) {
        const acc: Coerced = { s: first.path, ctx: null, owned: false };
        for (let i = 1; i < n; i++) {
          coerceToString(
            rt,
            evalPart(env, i),
            spans[i]!,
            { coerceMore: false, copyToStore: false },
            "while evaluating a path segment",
            acc,
          );
        }
        if (acc.ctx !== null && acc.ctx.size > 0)
          throw evalError("a string that refers to a store path cannot be appended to a path", span);
        return new NixPath(canonPath(acc.s));
      }
      const acc: Coerced = { s: "", ctx: null, owned: false };
      if (typeof first === "string") acc.s = first;
      else
        coerceToString(
          rt,
          first,
          spans[0]!,
          { coerceMore: false, copyToStore: true },
          "while evaluating a path segment",
          acc,
        );
      for (let i = 1; i < n; i++) {
        const v = evalPart(env, i);
        if (typeof v === "string") acc.s += v;
        else
          coerceToString(
            rt,
            v,
            spans[i]!,
            { coerceMore: false, copyToStore: true },
            "while evaluating a path segment",
            acc,
          );
      }
      return mkString(acc.s, acc.ctx);
    };
  }
}

function wrapListType(code: Code, span: Span): Code {
  return (env) => {
    try {
      return code(env);
    } catch (err) {
      const ne = toNixError(err);
      if (ne.kind === "type" && ne.traces.length === 0 && ne.message.startsWith("expected a list")) {
        ne.addTrace(span, "while evaluating one of the elements to concatenate");
      }
      throw ne;
    }
  };
}

function addNumbers(first: Value, rest: Value[], spans: Span[]): Value {
  let isFloat = first instanceof NixFloat;
  let n: number | bigint = isFloat ? 0 : (first as number | bigint);
  let f = isFloat ? (first as NixFloat).value : 0;
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i]!;
    const sp = spans[i] ?? null;
    if (!isFloat) {
      if (typeof v === "number" || typeof v === "bigint") n = intAdd(n, v, sp);
      else if (v instanceof NixFloat) {
        isFloat = true;
        f = Number(n) + v.value;
      } else throw evalError(`cannot add ${showType(v)} to an integer`, sp);
    } else {
      if (typeof v === "number" || typeof v === "bigint") f += Number(v);
      else if (v instanceof NixFloat) f += v.value;
      else throw evalError(`cannot add ${showType(v)} to a float`, sp);
    }
  }
  return isFloat ? new NixFloat(f) : n;
}

function showPosOf(s: Span): string {
  const name = s.source.path ?? (s.source.origin === "stdin" ? "«stdin»" : "«string»");
  return `${name}:${s.line}:${s.column}`;
}

export { typeError, printValueForError, forceBool };
