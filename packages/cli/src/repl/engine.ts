// Evaluating REPL input in a scope of REPL variables needs the evaluator's
// compiler and base scope, which its public API does not expose yet. They are
// reached here, in one place, with the same mechanism as `scopedImport`
// (a Scope over the base scope, an Env over the base env); a future
// `Evaluator#evalStringIn(text, bindings)` would replace this file.
import type { Env, Evaluator, Lazy, Value } from "@tsnix/eval";
import type { Expr } from "@tsnix/parser";

export interface EvaluatorInternals {
  rt: { depth: number; baseEnv: Env };
  compiler: { compileRoot(expr: Expr, scope: unknown): (env: Env) => Value };
  baseScope: { constructor: new (up: unknown, names: Map<string, number> | null) => unknown };
  /** Names of the base scope (builtins and the globals Nix binds). */
  globals: Map<string, number>;
}

export function evaluatorInternals(ev: Evaluator): EvaluatorInternals {
  const i = ev as unknown as Partial<EvaluatorInternals>;
  if (!i.rt || !i.compiler || !i.baseScope || !i.globals)
    throw new Error("this build of @tsnix/eval lacks the internals the REPL needs");
  return i as EvaluatorInternals;
}

export type { Lazy, Value };
