import { Evaluator, NixError } from "@tsnix/eval";
import { createNodeIO } from "../nodeIO.js";

/** The whole Nix error text that evaluating `expr` (deeply) over the host file system gives. */
export function nixErrorOf(expr: string): string {
  const ev = new Evaluator({ io: createNodeIO() });
  try {
    ev.forceDeep(ev.evalString(expr));
  } catch (e) {
    if (e instanceof NixError) return e.format();
    throw e;
  }
  throw new Error(`no error from ${expr}`);
}
