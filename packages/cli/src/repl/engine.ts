// The parts of @tsnix/eval and @tsnix/parser that the REPL and `tsnix eval`
// use beyond contracts.ts, written down structurally (the CLI loads those
// packages at run time, see engines.ts). The value representation is the one
// packages/eval/README.md documents.
//
// Evaluating REPL input in a scope of REPL variables needs the evaluator's
// compiler and base scope, which its public API does not expose yet; they are
// reached here, in one place (`evaluatorInternals`), so a future
// `Evaluator#evalStringIn(text, bindings)` replaces only this file's use.
import type { Evaluator, EvalModule, ParserModule } from "../contracts.js";
import { loadEngines } from "../engines.js";

/** A value or a thunk (opaque outside the printer). */
export type Lazy = unknown;
export type Value = unknown;

type Ctor<T> = abstract new (...args: never[]) => T;

export interface NixAttrsLike {
  readonly size: number;
  keys(): Iterable<string>;
  get(name: string): Lazy | undefined;
  has(name: string): boolean;
}

export interface ThunkLike {
  value: Value | undefined;
  code: unknown;
}

export interface Span {
  readonly [k: string]: unknown;
}

export interface EvalRuntimeModule extends EvalModule {
  NixAttrs: Ctor<NixAttrsLike> & {
    fromMap(m: Map<string, Lazy>): NixAttrsLike;
  };
  NixFloat: Ctor<{ value: number }>;
  NixString: Ctor<{ value: string; context: Set<string> }>;
  NixPath: Ctor<{ path: string }>;
  NixLambda: Ctor<{ info: { name: string | null; span: Span | null } }>;
  NixPrimop: Ctor<{ def: { name: string } }>;
  NixPrimopApp: Ctor<{ primop: { def: { name: string } } }>;
  Thunk: new (code: (env: unknown) => Value, env: unknown, span: Span | null) => ThunkLike;
  Env: new (up: unknown, values: Lazy[]) => unknown;
  NixError: EvalModule["NixError"];
  toNixError(e: unknown): Error & { format(opts?: { showTrace?: boolean }): string };
  showType(v: Value): string;
  formatFloat(x: number): string;
  escapeString(s: string): string;
  isDerivation(v: Value): boolean;
  coerceToString(
    rt: unknown,
    x: Lazy,
    span: null,
    opts: { coerceMore: boolean; copyToStore: boolean },
    errorCtx: string,
  ): { s: string };
  valueToJSON(rt: unknown, x: Lazy, copyToStore: boolean, context: Set<string> | null): string;
}

export interface FullParserModule extends ParserModule {
  showPos(span: Span): string;
}

export interface Engine {
  eval: EvalRuntimeModule;
  parser: FullParserModule;
  glue: Awaited<ReturnType<typeof loadEngines>>["glue"];
}

export async function loadEngine(): Promise<Engine> {
  const e = await loadEngines();
  if (e.evaluator === null) throw new Error("the evaluator (@tsnix/eval) is not built");
  return {
    eval: e.evaluator as EvalRuntimeModule,
    parser: e.parser as FullParserModule,
    glue: e.glue,
  };
}

/** The Evaluator fields the REPL needs (see the comment at the top). */
export interface EvaluatorInternals {
  rt: { depth: number; baseEnv: unknown; fileCache: Map<string, unknown> };
  compiler: { compileRoot(expr: unknown, scope: unknown): (env: unknown) => Value };
  baseScope: { constructor: new (up: unknown, names: Map<string, number> | null) => unknown };
  globals: Map<string, number>;
}

export function evaluatorInternals(ev: Evaluator): EvaluatorInternals {
  const i = ev as unknown as Partial<EvaluatorInternals>;
  if (!i.rt || !i.compiler || !i.baseScope || !i.globals)
    throw new Error("this build of @tsnix/eval does not have the internals the REPL needs");
  return i as EvaluatorInternals;
}
