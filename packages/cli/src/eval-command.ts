// How `tsnix eval` prints its result, as current Nix's `nix eval` (src/nix/eval.cc):
// - plain: the value printer with { force, derivationPaths } (not nix-instantiate's
//   printAmbiguous): «lambda @ pos», «primop map», «derivation /nix/store/….drv»,
//   forcing as it prints, so an error anywhere is the command's error;
// - --json: strict JSON without copying paths to the store (copyToStore = false);
// - --raw: coerceToString (strings, paths, sets with __toString/outPath), no newline.
// Parsing and evaluation are shared with nix-instantiate (options.ts, instantiate.ts).
import type { Evaluator } from "./contracts.js";
import type { OutputKind } from "./options.js";
import { evaluatorInternals, loadEngine, type Engine, type Value } from "./repl/engine.js";
import { EVAL_PRINT, ValuePrinter } from "./repl/value-printer.js";

let engine: Engine | null = null;

/** Loads what `renderEvalResult` needs; call (and await) once before rendering. */
export async function prepareEvalRenderer(): Promise<void> {
  engine ??= await loadEngine();
}

export function renderEvalResult(ev: Evaluator, output: OutputKind, v: Value): string {
  if (engine === null) throw new Error("prepareEvalRenderer() was not awaited");
  const m = engine.eval;
  const rt = evaluatorInternals(ev).rt;
  const depth = rt.depth;
  try {
    return render(ev, engine, rt, output, v);
  } catch (e) {
    rt.depth = depth;
    throw m.toNixError(e);
  }
}

function render(ev: Evaluator, engine: Engine, rt: unknown, output: OutputKind, v: Value): string {
  const m = engine.eval;
  switch (output) {
    case "json":
      return m.valueToJSON(rt, v, false, null) + "\n";
    case "raw":
      return m.coerceToString(
        rt,
        v,
        null,
        { coerceMore: false, copyToStore: true },
        "while generating the eval command output",
      ).s;
    default:
      return new ValuePrinter(ev, m, engine.parser, EVAL_PRINT).print(v) + "\n";
  }
}
