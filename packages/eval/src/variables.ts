// Variables over the global scope that code is compiled against: the REPL's bindings, or an
// embedder's prelude. Names are slots in one frame that only grows, so code compiled earlier keeps
// seeing the binding it was compiled with; binding a name again shadows it for code compiled later.
import type { Expr } from "@tsnix/parser";
import type { Compiler } from "./compile.js";
import { Scope } from "./compile.js";
import { force } from "./runtime.js";
import { Env, Thunk, type Lazy, type Value } from "./values.js";

export class Variables {
  private readonly slots = new Map<string, number>();
  private readonly values: Lazy[] = [];
  private readonly scope: Scope;
  private readonly env: Env;

  /** Made by `Evaluator#newVariables`. */
  constructor(
    private readonly compiler: Compiler,
    globalScope: Scope,
    globalEnv: Env,
    private readonly guard: <T>(f: () => T) => T,
  ) {
    this.scope = new Scope(globalScope, this.slots);
    this.env = new Env(globalEnv, this.values);
  }

  /** Bind `name` (a value, or a thunk) for code compiled from now on. */
  bind(name: string, value: Lazy): void {
    this.slots.set(name, this.values.length);
    this.values.push(value);
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  /** The bound names, in the order they were first bound. */
  names(): string[] {
    return [...this.slots.keys()];
  }

  /** `expr` compiled now, in this scope, as an unevaluated thunk (undefined variables throw now). */
  lazy(expr: Expr): Lazy {
    const code = this.guard(() => this.compiler.compileRoot(expr, this.scope));
    return new Thunk(code, this.env, null);
  }

  /** `expr` evaluated in this scope to weak head normal form. */
  eval(expr: Expr): Value {
    const code = this.guard(() => this.compiler.compileRoot(expr, this.scope));
    return this.guard(() => force(code(this.env)));
  }
}
