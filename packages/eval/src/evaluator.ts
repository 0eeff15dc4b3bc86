// The embedding API (described in packages/eval/README.md, "Embedding").
import { parse, parseSettingsFrom, type Expr, type ParseSettings } from "@tsnix/parser";
import "./builtins/index.js";
import { registeredConstants, registeredPrimops, type PrimopSpec } from "./builtins/registry.js";
import { resolveImportPath } from "./builtins/import.js";
import { corePkgsText } from "./builtins/corepkgs.js";
import { knownDerivations } from "./builtins/store-paths.js";
import type { Derivation } from "@tsnix/nix-compat";
import { forceAttrs } from "./check.js";
import { Compiler, Scope } from "./compile.js";
import { forceDeep } from "./deep.js";
import { NixError, evalError, toNixError } from "./errors.js";
import type { EvalIO } from "./io.js";
import { printAmbiguous } from "./print.js";
import { callN, force, Runtime } from "./runtime.js";
import type { SearchPathEntry } from "./search-path.js";
import { valueToJSON } from "./to-json.js";
import { valueToXML } from "./to-xml.js";
import { Variables } from "./variables.js";
import {
  Env,
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixString,
  Thunk,
  mkInt,
  type Lazy,
  type Value,
} from "./values.js";

export interface EvaluatorOptions {
  io: EvalIO;
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
}

export type AutoArg = { kind: "expr"; text: string } | { kind: "string"; value: string };

/** Run `f`, turning JS stack exhaustion and stray errors into NixErrors; restores the call depth. */
function guard<T>(rt: Runtime, f: () => T): T {
  const depth = rt.depth;
  try {
    return f();
  } catch (e) {
    rt.depth = depth;
    throw toNixError(e);
  }
}

export class Evaluator {
  readonly rt: Runtime;
  private readonly baseScope: Scope;
  private readonly globals = new Map<string, number>();
  private readonly compiler: Compiler;
  private readonly builtinsMap = new Map<string, Lazy>();

  constructor(readonly options: EvaluatorOptions) {
    const rt = new Runtime(options.io, options);
    this.rt = rt;
    const globalValues: Lazy[] = [];
    this.baseScope = new Scope(null, this.globals);
    rt.baseEnv = new Env(null, globalValues);
    this.compiler = new Compiler(rt, this.baseScope);
    this.builtinsMap.set("builtins", null);
    for (const c of registeredConstants()) {
      if (c.name === "nixPath" || c.name === "currentTime") {
        if (c.name === "currentTime" && rt.pureEval) continue;
      }
      const v = c.value(rt);
      this.builtinsMap.set(c.name, v);
      this.defineGlobal(c.global ? c.name : "__" + c.name, v);
    }
    for (const p of registeredPrimops()) this.addPrimopRaw(p);
    this.rebuildBuiltins();
    rt.evalFileHook = (p) => this.evalFile(p);
    rt.scopedImportHook = (scope, p) => this.scopedImport(scope, p);
  }

  private defineGlobal(name: string, v: Lazy): void {
    const existing = this.globals.get(name);
    if (existing !== undefined) {
      this.rt.baseEnv.v[existing] = v;
      return;
    }
    this.globals.set(name, this.rt.baseEnv.v.length);
    this.rt.baseEnv.v.push(v);
  }

  /**
   * Whether `name` is bound in the base environment (builtins, true, __nixPath, …):
   * pass as `parse`'s `isGlobal` so `--parse` reports undefined variables as Nix does.
   */
  isGlobal(name: string): boolean {
    return this.globals.has(name);
  }

  /** Add (or replace) a builtin. Call before evaluating code that uses it. */
  addPrimop(spec: PrimopSpec): void {
    this.addPrimopRaw(spec);
    this.rebuildBuiltins();
  }

  private addPrimopRaw(spec: PrimopSpec): void {
    const v = new NixPrimop(spec);
    this.builtinsMap.set(spec.name, v);
    this.defineGlobal(spec.global ? spec.name : "__" + spec.name, v);
  }

  /** (Re)build the `builtins` set, which contains itself as `builtins.builtins`. */
  private rebuildBuiltins(): void {
    const attrs = NixAttrs.fromMap(this.builtinsMap);
    (attrs.values as Lazy[])[attrs.indexOf("builtins")] = attrs;
    this.rt.builtins = attrs;
    this.defineGlobal("builtins", attrs);
  }

  private homeDir(): string | undefined {
    return this.rt.io.getEnv("HOME");
  }

  private parseSettingsCache: ParseSettings | null = null;

  /** What the parser takes from the settings (experimental features, lints) and where its warnings go. */
  private parserOptions() {
    const s = (this.parseSettingsCache ??= parseSettingsFrom(this.rt.settings));
    return {
      experimentalFeatures: s.experimentalFeatures,
      lints: s.lints,
      onWarning: (text: string) => this.rt.onWarning(text),
    };
  }

  private parseFile(path: string): Expr {
    const text = corePkgsText(path) ?? this.rt.io.readFile(path);
    const slash = path.lastIndexOf("/");
    const baseDir = slash <= 0 ? "/" : path.slice(0, slash);
    return parse(text, {
      path,
      origin: "file",
      baseDir,
      homeDir: this.homeDir(),
      ...this.parserOptions(),
    } as never);
  }

  /** Forget the files imported so far (their values and how their paths resolved): the REPL's `:r`. */
  forgetFiles(): void {
    this.rt.fileCache.clear();
    this.rt.importResolution.clear();
  }

  /** `import path`: each file is parsed and compiled once; its value is cached. */
  evalFile(path: string): Value {
    return guard(this.rt, () => {
      const resolved = resolveImportPath(this.rt, path);
      const cached = this.rt.fileCache.get(resolved);
      if (cached !== undefined) return cached;
      const expr = this.parseFile(resolved);
      const code = this.compiler.compileRoot(expr);
      const v = code(this.rt.baseEnv);
      this.rt.fileCache.set(resolved, v);
      return v;
    });
  }

  /** A new set of variables over the global scope (see variables.ts): the REPL's bindings, a prelude. */
  newVariables(): Variables {
    return new Variables(this.compiler, this.baseScope, this.rt.baseEnv, (f) => guard(this.rt, f));
  }

  /** The names of the global scope (builtins, `true`, `__nixPath`, …), for completion and the like. */
  globalNames(): string[] {
    return [...this.globals.keys()];
  }

  /**
   * Run `f`, which works with this evaluator's values, as the methods of this class run their own
   * work: running out of JS stack and stray errors become NixErrors, and the call depth is restored.
   */
  run<T>(f: () => T): T {
    return guard(this.rt, f);
  }

  private scopedImport(scope: NixAttrs, path: string): Value {
    const names = new Map<string, number>();
    const vals: Lazy[] = [];
    for (const k of scope.keys()) {
      names.set(k, vals.length);
      vals.push(scope.get(k)!);
    }
    const expr = this.parseFile(path);
    const code = this.compiler.compileRoot(expr, new Scope(this.baseScope, names));
    return code(new Env(this.rt.baseEnv, vals));
  }

  evalString(text: string, opts: { baseDir?: string; origin?: "string" | "stdin" } = {}): Value {
    return guard(this.rt, () => {
      const expr = parse(text, {
        path: null,
        origin: opts.origin ?? "string",
        baseDir: opts.baseDir ?? "/",
        homeDir: this.homeDir(),
        ...this.parserOptions(),
      } as never);
      return this.compiler.compileRoot(expr)(this.rt.baseEnv);
    });
  }

  /** Every derivation this evaluator instantiated: drv path → Derivation (Nix's KnownPaths). */
  get knownDerivations(): ReadonlyMap<string, Derivation> {
    return knownDerivations(this.rt);
  }

  force(v: Lazy): Value {
    return guard(this.rt, () => force(v));
  }

  forceDeep(v: Lazy): Value {
    return guard(this.rt, () => {
      forceDeep(this.rt, v, null);
      return force(v);
    });
  }

  call(fn: Lazy, ...args: Lazy[]): Value {
    return guard(this.rt, () => callN(this.rt, force(fn), args, null));
  }

  /** nix-instantiate's auto-calling: pass --arg/--argstr values for the formals a function asks for. */
  autoCall(fn: Lazy, args: Map<string, AutoArg>): Value {
    return guard(this.rt, () => {
      const f = force(fn);
      if (f instanceof NixAttrs && f.has("__functor")) {
        // Nix auto-calls functors with the same rules as their underlying function.
        return this.autoCall(callN(this.rt, force(f.get("__functor")!), [f], null), args);
      }
      if (!(f instanceof NixLambda) || f.info.formals === null) return f;
      const m = new Map<string, Lazy>();
      for (const formal of f.info.formals) {
        const a = args.get(formal.name);
        if (a !== undefined) m.set(formal.name, this.autoArgValue(a));
        else if (formal.makeDefault === null) {
          throw evalError(
            `cannot evaluate a function that has an argument without a value ('${formal.name}')
Nix attempted to evaluate a function as a top level expression; in
this case it must have its arguments supplied either by default
values, or passed explicitly with '--arg' or '--argstr'. See
https://nixos.org/manual/nix/stable/language/constructs.html#functions.`,
            formal.span,
          );
        }
      }
      return callN(this.rt, f, [NixAttrs.fromMap(m)], null);
    });
  }

  private autoArgValue(a: AutoArg): Lazy {
    if (a.kind === "string") return a.value;
    const text = a.text;
    return new Thunk(() => this.evalString(text, { baseDir: this.rt.io.getEnv("PWD") ?? "/" }), null);
  }

  /** `-A a.b.0`: as Nix's findAlongAttrPath. */
  selectAttrPath(v: Lazy, attrPath: string): Value {
    return guard(this.rt, () => {
      let cur = force(v);
      const parts = splitAttrPath(attrPath);
      for (const part of parts) {
        if (part === "") throw evalError(`empty attribute name in selection path '${attrPath}'`);
        const idx = /^[0-9]+$/.test(part) ? Number(part) : null;
        if (idx === null) {
          if (!(cur instanceof NixAttrs)) {
            throw evalError(
              `the expression selected by the selection path '${attrPath}' should be a set but is ${describe(cur)}`,
            );
          }
          const x = cur.get(part);
          if (x === undefined)
            throw evalError(`attribute '${part}' in selection path '${attrPath}' not found`);
          cur = force(x);
        } else {
          if (!Array.isArray(cur)) {
            throw evalError(
              `the expression selected by the selection path '${attrPath}' should be a list but is ${describe(cur)}`,
            );
          }
          const list = cur as readonly Lazy[];
          if (idx >= list.length)
            throw evalError(`list index ${idx} in selection path '${attrPath}' is out of range`);
          cur = force(list[idx]!);
        }
      }
      return cur;
    });
  }

  print(v: Lazy, opts: { strict?: boolean } = {}): string {
    return guard(this.rt, () => {
      if (opts.strict) forceDeep(this.rt, v, null);
      else force(v);
      return printAmbiguous(v);
    });
  }

  toJSON(v: Lazy): string {
    return guard(this.rt, () => valueToJSON(this.rt, v, true, null));
  }

  toXML(v: Lazy, opts: { location?: boolean } = {}): string {
    return guard(this.rt, () => valueToXML(this.rt, v, opts.location ?? true));
  }

  toJS(v: Lazy): unknown {
    return guard(this.rt, () => toJSValue(v));
  }

  fromJS(x: unknown): Value {
    return fromJSValue(x);
  }
}

function describe(v: Value): string {
  if (v instanceof NixAttrs) return "a set";
  if (Array.isArray(v)) return "a list";
  return String(typeof v === "string" ? "a string" : "a " + (v === null ? "null" : typeof v));
}

function splitAttrPath(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === "." && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quoted) throw evalError(`missing closing quote in selection path '${s}'`);
  if (s !== "") out.push(cur);
  return out;
}

function toJSValue(x: Lazy): unknown {
  const v = force(x);
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "bigint") return v;
  if (v instanceof NixFloat) return v.value;
  if (v instanceof NixString) return v.value;
  if (v instanceof NixPath) return v.path;
  if (Array.isArray(v)) return (v as readonly Lazy[]).map(toJSValue);
  if (v instanceof NixAttrs) {
    const o: Record<string, unknown> = {};
    for (const k of v.keys()) o[k] = toJSValue(v.get(k)!);
    return o;
  }
  return v; // functions stay opaque
}

function fromJSValue(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x === "boolean" || typeof x === "string") return x;
  if (typeof x === "number") return Number.isInteger(x) ? x : new NixFloat(x);
  if (typeof x === "bigint") return mkInt(x);
  if (Array.isArray(x)) return x.map(fromJSValue);
  if (typeof x === "object") {
    const m = new Map<string, Lazy>();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) m.set(k, fromJSValue(v));
    return NixAttrs.fromMap(m);
  }
  throw new NixError(`cannot convert a JS ${typeof x} to a Nix value`);
}

export { forceAttrs };
