// The builtins registry: a table of primops and constants. Each domain file under
// builtins/ calls `registerPrimops` / `registerConstants` at module load; the
// Evaluator builds the `builtins` set and the global scope from this table.
import type { Span } from "@tsnix/parser";
import type { Runtime } from "../runtime.js";
import type { Lazy, Value } from "../values.js";

/** Implementation of a primop: receives exactly `arity` lazy arguments; forces what it needs. */
export type PrimopImpl = (rt: Runtime, args: Lazy[], span: Span | null) => Value;

export interface PrimopSpec {
  /** The name in `builtins` (without `__`). */
  readonly name: string;
  readonly arity: number;
  readonly impl: PrimopImpl;
  /** Argument names, for documentation (`builtins.foo a b`). */
  readonly args?: readonly string[];
  readonly doc?: string;
  /**
   * Also bound in the global scope under its plain name (like `map`, `import`).
   * Every primop is bound globally as `__name` otherwise, as Nix does.
   */
  readonly global?: boolean;
  /** Do not add the "while calling the '…' builtin" trace (Nix's addTrace = false). */
  readonly noTrace?: boolean;
}

export type PrimopDef = PrimopSpec;

export interface ConstantSpec {
  readonly name: string;
  /** Computed once per evaluator. */
  readonly value: (rt: Runtime) => Lazy;
  readonly global?: boolean;
  readonly doc?: string;
}

const primops = new Map<string, PrimopSpec>();
const constants = new Map<string, ConstantSpec>();

export function registerPrimops(specs: readonly PrimopSpec[]): void {
  for (const s of specs) {
    if (primops.has(s.name) || constants.has(s.name)) throw new Error(`builtin '${s.name}' registered twice`);
    primops.set(s.name, s);
  }
}

export function registerConstants(specs: readonly ConstantSpec[]): void {
  for (const s of specs) {
    if (primops.has(s.name) || constants.has(s.name)) throw new Error(`builtin '${s.name}' registered twice`);
    constants.set(s.name, s);
  }
}

export function registeredPrimops(): readonly PrimopSpec[] {
  return [...primops.values()];
}

export function registeredConstants(): readonly ConstantSpec[] {
  return [...constants.values()];
}
