// How `tsnix eval` prints its result, as current Nix's `nix eval` (src/nix/eval.cc):
// - plain: the value printer with { force, derivationPaths } (not nix-instantiate's
//   printAmbiguous): «lambda f @ pos», «primop map», «derivation /nix/store/….drv»,
//   forcing as it prints, so an error anywhere is the command's error;
// - --json: strict JSON without copying paths to the store (copyToStore = false);
// - --raw: coerceToString (strings, paths, sets with __toString/outPath), no newline.
// Parsing and evaluation are shared with nix-instantiate (options.ts, instantiate.ts).
import { coerceToString, valueToJSON, type Evaluator, type Lazy } from "@tsnix/eval";
import type { OutputKind } from "./options.js";
import { EVAL_PRINT, ValuePrinter } from "./repl/value-printer.js";

export function renderEvalResult(ev: Evaluator, output: OutputKind, v: Lazy): string {
  return ev.run(() => {
    switch (output) {
      case "json":
        return valueToJSON(ev.rt, v, false, null) + "\n";
      case "raw":
        return coerceToString(
          ev.rt,
          v,
          null,
          { coerceMore: false, copyToStore: true },
          "while generating the eval command output",
        ).s;
      default:
        return new ValuePrinter(ev, EVAL_PRINT).print(v) + "\n";
    }
  });
}
