// Explaining why `assert a == b` failed, as Nix's assertEqValues does.
import type { Span } from "@tsnix/parser";
import { NixError, toNixError } from "./errors.js";
import { eqValues, isDerivation } from "./ops.js";
import { formatFloat, printValueForError } from "./print.js";
import { force, type Runtime } from "./runtime.js";
import {
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  showType,
  type Lazy,
  type Value,
} from "./values.js";

function fail(msg: string): never {
  throw new NixError(msg, null, "assert");
}

function isFn(v: Value): boolean {
  return v instanceof NixLambda || v instanceof NixPrimop || v instanceof NixPrimopApp;
}

/** Throws an error describing the first difference between `a` and `b`; returns if they are equal. */
export function explainNotEqual(rt: Runtime, a: Value, b: Value, span: Span | null): void {
  if (eqValues(rt, a, b, span)) return;
  const numA = typeof a === "number" || typeof a === "bigint";
  const numB = typeof b === "number" || typeof b === "bigint";
  const fA = a instanceof NixFloat;
  const fB = b instanceof NixFloat;
  if ((numA || fA) && (numB || fB)) {
    const show = (v: Value) =>
      v instanceof NixFloat
        ? `a float with value '${formatFloat(v.value)}'`
        : `an integer with value '${String(v)}'`;
    fail(`${show(a)} is not equal to ${show(b)}`);
  }
  const strA = typeof a === "string" || a instanceof NixString;
  const strB = typeof b === "string" || b instanceof NixString;
  if (strA && strB)
    fail(`string '${printValueForError(a)}' is not equal to string '${printValueForError(b)}'`);
  if (typeof a === "boolean" && typeof b === "boolean") fail(`boolean '${a}' is not equal to boolean '${b}'`);
  if (a instanceof NixPath && b instanceof NixPath) fail(`path '${a.path}' is not equal to path '${b.path}'`);
  if (isFn(a) && isFn(b))
    fail("distinct functions and immediate comparisons of identical functions compare as unequal");
  if (Array.isArray(a) && Array.isArray(b)) {
    const la = a as readonly Lazy[];
    const lb = b as readonly Lazy[];
    if (la.length !== lb.length) {
      fail(
        `list of size '${la.length}' is not equal to list of size '${lb.length}', left hand side is '${printValueForError(a)}', right hand side is '${printValueForError(b)}'`,
      );
    }
    for (let i = 0; i < la.length; i++) {
      try {
        explainNotEqual(rt, force(la[i]!, span), force(lb[i]!, span), span);
      } catch (e) {
        const ne = toNixError(e);
        ne.addTrace(span, `while comparing list element ${i}`);
        throw ne;
      }
    }
    return;
  }
  if (a instanceof NixAttrs && b instanceof NixAttrs) {
    if (isDerivation(a) && isDerivation(b)) {
      const oa = a.get("outPath");
      const ob = b.get("outPath");
      if (oa !== undefined && ob !== undefined) {
        try {
          explainNotEqual(rt, force(oa, span), force(ob, span), span);
        } catch (e) {
          const ne = toNixError(e);
          ne.addTrace(span, "while comparing a derivation by its 'outPath' attribute");
          throw ne;
        }
        return;
      }
    }
    const ka = a.keys();
    const kb = b.keys();
    if (ka.length !== kb.length || ka.some((k, i) => kb[i] !== k)) {
      fail(
        `attribute names of attribute set '${printValueForError(a)}' differs from attribute set '${printValueForError(b)}'`,
      );
    }
    for (const k of ka) {
      try {
        explainNotEqual(rt, force(a.get(k)!, span), force(b.get(k)!, span), span);
      } catch (e) {
        const ne = toNixError(e);
        ne.addTrace(b.posOf(k), "where right hand side is");
        ne.addTrace(a.posOf(k), "where left hand side is");
        ne.addTrace(span, `while comparing attribute '${k}'`);
        throw ne;
      }
    }
    return;
  }
  if (showType(a) !== showType(b) || a === null || b === null) {
    fail(
      `${showType(a)} of value '${printValueForError(a)}' is not equal to ${showType(b)} of value '${printValueForError(b)}'`,
    );
  }
  fail(`values '${printValueForError(a)}' and '${printValueForError(b)}' are not equal`);
}
