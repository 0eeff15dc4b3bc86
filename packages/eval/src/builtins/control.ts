// Builtins: types and control (typeOf, is*, seq, deepSeq, throw, abort, tryEval,
// addErrorContext, trace, warn, functionArgs, unsafeGetAttrPos, break).
import { NixError, toNixError } from "../errors.js";
import { expected, forceAttrs, forceString } from "../check.js";
import { coerceToString } from "../ops.js";
import { printValue } from "../print.js";
import { force, type Runtime } from "../runtime.js";
import { forceDeep } from "../deep.js";
import {
  EMPTY_ATTRS,
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  typeOf,
  type Lazy,
  type Value,
} from "../values.js";
import { registerPrimops, type PrimopSpec } from "./registry.js";
import type { Span } from "@tsnix/parser";
import type { LambdaInfo } from "../lambda-info.js";

/** functionArgs depends only on the lambda's code: built once per lambda (callPackage calls it per package). */
const functionArgsCache = new WeakMap<LambdaInfo, NixAttrs>();

function functionArgsOf(info: LambdaInfo): NixAttrs {
  let r = functionArgsCache.get(info);
  if (r === undefined) {
    const m = new Map<string, Lazy>();
    const pos = new Map<string, Span>();
    for (const f of info.formals ?? []) {
      m.set(f.name, f.makeDefault !== null);
      pos.set(f.name, f.span);
    }
    r = NixAttrs.fromMap(m, pos);
    functionArgsCache.set(info, r);
  }
  return r;
}

function isPred(name: string, test: (v: Value) => boolean, global = false): PrimopSpec {
  return { name, arity: 1, args: ["e"], global, impl: (_rt, [x], span) => test(force(x!, span)) };
}

export function posToAttrs(span: Span): NixAttrs {
  const file = span.source.path ?? (span.source.origin === "stdin" ? "«stdin»" : "«string»");
  return NixAttrs.fromMap(
    new Map<string, Lazy>([
      ["file", file],
      ["line", span.line],
      ["column", span.column],
    ]),
  );
}

function errorMessage(rt: Runtime, x: Lazy, span: Span | null, ctx: string): string {
  return coerceToString(rt, x, span, { coerceMore: false, copyToStore: false }, ctx).s;
}

registerPrimops([
  {
    name: "typeOf",
    arity: 1,
    args: ["e"],
    doc: "The type of e as a string.",
    impl: (_rt, [x], span) => typeOf(force(x!, span)),
  },
  isPred("isNull", (v) => v === null, true),
  isPred("isFunction", (v) => v instanceof NixLambda || v instanceof NixPrimop || v instanceof NixPrimopApp),
  isPred("isInt", (v) => typeof v === "number" || typeof v === "bigint"),
  isPred("isFloat", (v) => v instanceof NixFloat),
  isPred("isString", (v) => typeof v === "string" || v instanceof NixString),
  isPred("isBool", (v) => typeof v === "boolean"),
  isPred("isPath", (v) => v instanceof NixPath),
  isPred("isAttrs", (v) => v instanceof NixAttrs),
  isPred("isList", (v) => Array.isArray(v)),
  {
    name: "seq",
    arity: 2,
    args: ["e1", "e2"],
    doc: "Evaluate e1, then return e2.",
    impl: (_rt, [a, b], span) => {
      force(a!, span);
      return force(b!, span);
    },
  },
  {
    name: "deepSeq",
    arity: 2,
    args: ["e1", "e2"],
    doc: "Evaluate e1 deeply, then return e2.",
    impl: (rt, [a, b], span) => {
      forceDeep(rt, a!, span);
      return force(b!, span);
    },
  },
  {
    name: "throw",
    arity: 1,
    args: ["s"],
    global: true,
    impl: (rt, [x], span) => {
      throw new NixError(
        errorMessage(rt, x!, span, "while evaluating the error message passed to builtin.throw"),
        null,
        "throw",
      );
    },
  },
  {
    name: "abort",
    arity: 1,
    args: ["s"],
    global: true,
    impl: (rt, [x], span) => {
      const msg = errorMessage(rt, x!, span, "while evaluating the error message passed to builtins.abort");
      throw new NixError(`evaluation aborted with the following error message: '${msg}'`, null, "abort");
    },
  },
  {
    name: "tryEval",
    arity: 1,
    args: ["e"],
    doc: "Evaluate e; catch `throw` and failed assertions.",
    impl: (rt, [x], span) => {
      const depth = rt.depth;
      try {
        const v = force(x!, span);
        return NixAttrs.fromMap(
          new Map<string, Lazy>([
            ["success", true],
            ["value", v],
          ]),
        );
      } catch (e) {
        const ne = toNixError(e);
        if (ne.kind !== "throw" && ne.kind !== "assert") throw ne;
        rt.depth = depth;
        return NixAttrs.fromMap(
          new Map<string, Lazy>([
            ["success", false],
            ["value", false],
          ]),
        );
      }
    },
  },
  {
    name: "addErrorContext",
    arity: 2,
    noTrace: true,
    args: ["ctx", "e"],
    impl: (rt, [c, x], span) => {
      try {
        return force(x!, span);
      } catch (e) {
        const ne = toNixError(e);
        if (ne.kind === "stack-overflow") throw ne;
        const msg = coerceToString(
          rt,
          c!,
          span,
          { coerceMore: false, copyToStore: false },
          "while evaluating the error context",
        ).s;
        ne.addAlwaysTrace(null, msg);
        throw ne;
      }
    },
  },
  {
    name: "trace",
    arity: 2,
    args: ["e1", "e2"],
    impl: (rt, [a, b], span) => {
      const v = force(a!, span);
      const text = typeof v === "string" ? v : v instanceof NixString ? v.value : printValue(a!);
      rt.onTrace("trace: " + text);
      return force(b!, span);
    },
  },
  {
    name: "traceVerbose",
    arity: 2,
    args: ["e1", "e2"],
    doc: "Like trace, but only when the trace-verbose setting is on.",
    impl: (rt, [a, b], span) => {
      if (rt.traceVerbose) {
        const v = force(a!, span);
        rt.onTrace(
          "trace: " + (typeof v === "string" ? v : v instanceof NixString ? v.value : printValue(a!)),
        );
      }
      return force(b!, span);
    },
  },
  {
    name: "warn",
    arity: 2,
    args: ["msg", "e"],
    impl: (rt, [m, x], span) => {
      const msg = forceString(
        m!,
        span,
        "while evaluating the first argument; the message passed to builtins.warn",
      );
      const lines = msg.split("\n");
      const text = msg.startsWith("\n")
        ? "evaluation warning:" + msg
        : "evaluation warning: " + lines.join("\n" + " ".repeat("evaluation warning: ".length));
      rt.onWarning(text);
      if (rt.abortOnWarn) throw new NixError(msg, null, "eval");
      return force(x!, span);
    },
  },
  {
    name: "functionArgs",
    arity: 1,
    args: ["f"],
    impl: (_rt, [x], span) => {
      const v = force(x!, span);
      if (v instanceof NixPrimop || v instanceof NixPrimopApp) return EMPTY_ATTRS;
      if (!(v instanceof NixLambda)) throw new NixError("'functionArgs' requires a function", null, "type");
      return functionArgsOf(v.info);
    },
  },
  {
    name: "unsafeGetAttrPos",
    arity: 2,
    args: ["s", "set"],
    impl: (_rt, [n, s], span) => {
      const name = forceString(
        n!,
        span,
        "while evaluating the first argument passed to builtins.unsafeGetAttrPos",
      );
      const attrs = forceAttrs(
        s!,
        span,
        "while evaluating the second argument passed to builtins.unsafeGetAttrPos",
      );
      const p = attrs.posOf(name);
      if (!attrs.has(name) || p === null) return null;
      return posToAttrs(p);
    },
  },
  {
    name: "break",
    arity: 1,
    args: ["v"],
    global: true,
    impl: (_rt, [x], span) => force(x!, span),
  },
]);

export { expected };
