// Builtins: string context (hasContext getContext appendContext
// unsafeDiscardStringContext unsafeDiscardOutputDependency
// addDrvOutputDependencies), as Nix's primops/context.cc.
//
// Context elements are encoded as in values.ts: "/nix/store/…" (opaque path),
// "!out!/nix/store/….drv" (one output of a derivation), "=/nix/store/….drv"
// (the derivation and all its outputs, "DrvDeep").
import type { Span } from "@tsnix/parser";
import { evalError } from "../errors.js";
import { forceAttrs, forceBool, forceList, forceStringNoCtx, forceStringValue } from "../check.js";
import type { Runtime } from "../runtime.js";
import { compareBytes } from "../ops.js";
import { NixAttrs, NixString, mkString, type Lazy } from "../values.js";
import { registerPrimops } from "./registry.js";
import { COERCE_TO_STORE, coerceArg } from "./strings.js";

const NIX_BASE32 = /^[0123456789abcdfghijklmnpqrsvwxyz]{32}$/;
const NAME_CHARS = /^[A-Za-z0-9+\-._?=]+$/;

/** Nix's isStorePath: directly inside the store dir, with a valid hash part and name. */
export function isStorePath(storeDir: string, p: string): boolean {
  if (!p.startsWith(storeDir + "/")) return false;
  const base = p.slice(storeDir.length + 1);
  if (base.length < 34 || base[32] !== "-" || !NIX_BASE32.test(base.slice(0, 32))) return false;
  const name = base.slice(33);
  return name.length <= 211 && NAME_CHARS.test(name) && name !== "." && name !== "..";
}

const isDerivationPath = (p: string) => p.endsWith(".drv");

type Elem =
  | { kind: "opaque"; path: string }
  | { kind: "built"; drv: string; output: string }
  | { kind: "deep"; drv: string };

export function decodeContextElem(c: string): Elem {
  if (c.startsWith("=")) return { kind: "deep", drv: c.slice(1) };
  if (c.startsWith("!")) {
    const j = c.indexOf("!", 1);
    return { kind: "built", drv: c.slice(j + 1), output: c.slice(1, j) };
  }
  return { kind: "opaque", path: c };
}

function contextOfArg(
  rt: Runtime,
  x: Lazy,
  span: Span | null,
  ctx: string,
): { s: string; ctx: ReadonlySet<string> } {
  const r = coerceArg(rt, x, span, COERCE_TO_STORE, ctx);
  return { s: r.s, ctx: r.ctx ?? new Set() };
}

function getContext(ctx: ReadonlySet<string>): NixAttrs {
  const infos = new Map<string, { path: boolean; allOutputs: boolean; outputs: string[] }>();
  const info = (p: string) => {
    let i = infos.get(p);
    if (i === undefined) infos.set(p, (i = { path: false, allOutputs: false, outputs: [] }));
    return i;
  };
  for (const c of ctx) {
    const e = decodeContextElem(c);
    if (e.kind === "deep") info(e.drv).allOutputs = true;
    else if (e.kind === "built") info(e.drv).outputs.push(e.output);
    else info(e.path).path = true;
  }
  const entries: [string, Lazy][] = [];
  for (const [p, i] of infos) {
    const attrs: [string, Lazy][] = [];
    if (i.path) attrs.push(["path", true]);
    if (i.allOutputs) attrs.push(["allOutputs", true]);
    if (i.outputs.length > 0) attrs.push(["outputs", i.outputs.sort(compareBytes)]);
    entries.push([p, NixAttrs.fromMap(new Map(attrs))]);
  }
  return NixAttrs.fromMap(new Map(entries));
}

registerPrimops([
  {
    name: "hasContext",
    arity: 1,
    args: ["s"],
    doc: "Whether the string s has a non-empty context.",
    impl: (_rt, [x], span) =>
      forceStringValue(x!, span, "while evaluating the argument passed to builtins.hasContext") instanceof
      NixString,
  },
  {
    name: "getContext",
    arity: 1,
    args: ["s"],
    doc: "The context of s as { <store path> = { path?; allOutputs?; outputs?; }; }.",
    impl: (_rt, [x], span) => {
      const v = forceStringValue(x!, span, "while evaluating the argument passed to builtins.getContext");
      return getContext(v instanceof NixString ? v.context : new Set());
    },
  },
  {
    name: "appendContext",
    arity: 2,
    args: ["s", "context"],
    doc: "s with the context described by the attribute set (as getContext returns) added.",
    impl: (rt, [x, c], span) => {
      const v = forceStringValue(
        x!,
        null,
        "while evaluating the first argument passed to builtins.appendContext",
      );
      const attrs = forceAttrs(
        c!,
        span,
        "while evaluating the second argument passed to builtins.appendContext",
      );
      const ctx = new Set<string>(v instanceof NixString ? v.context : []);
      for (let k = 0; k < attrs.names.length; k++) {
        const name = attrs.names[k]!;
        const pos = attrs.positions?.[k] ?? null;
        if (!isStorePath(rt.storeDir, name))
          throw evalError(`context key '${name}' is not a store path`, pos);
        const info = forceAttrs(attrs.values[k]!, pos, "while evaluating the value of a string context");
        const pathV = info.get("path");
        if (
          pathV !== undefined &&
          forceBool(pathV, info.posOf("path"), "while evaluating the `path` attribute of a string context")
        )
          ctx.add(name);
        const allV = info.get("allOutputs");
        if (
          allV !== undefined &&
          forceBool(
            allV,
            info.posOf("allOutputs"),
            "while evaluating the `allOutputs` attribute of a string context",
          )
        ) {
          if (!isDerivationPath(name)) {
            throw evalError(
              `tried to add all-outputs context of ${name}, which is not a derivation, to a string`,
              pos,
            );
          }
          ctx.add("=" + name);
        }
        const outsV = info.get("outputs");
        if (outsV !== undefined) {
          const outs = forceList(
            outsV,
            info.posOf("outputs"),
            "while evaluating the `outputs` attribute of a string context",
          );
          if (outs.length > 0 && !isDerivationPath(name)) {
            throw evalError(
              `tried to add derivation output context of ${name}, which is not a derivation, to a string`,
              pos,
            );
          }
          for (const o of outs) {
            const out = forceStringNoCtx(
              o,
              info.posOf("outputs"),
              "while evaluating an output name within a string context",
            );
            ctx.add("!" + out + "!" + name);
          }
        }
      }
      return mkString(typeof v === "string" ? v : v.value, ctx);
    },
  },
  {
    name: "unsafeDiscardStringContext",
    arity: 1,
    args: ["s"],
    doc: "s without its context.",
    impl: (rt, [x], span) =>
      contextOfArg(
        rt,
        x!,
        span,
        "while evaluating the argument passed to builtins.unsafeDiscardStringContext",
      ).s,
  },
  {
    name: "unsafeDiscardOutputDependency",
    arity: 1,
    args: ["s"],
    doc: "s with every all-outputs (DrvDeep) context element turned into a plain path element.",
    impl: (rt, [x], span) => {
      const r = contextOfArg(
        rt,
        x!,
        span,
        "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency",
      );
      const out = new Set<string>();
      for (const c of r.ctx) out.add(c.startsWith("=") ? c.slice(1) : c);
      return mkString(r.s, out);
    },
  },
  {
    name: "addDrvOutputDependencies",
    arity: 1,
    args: ["s"],
    doc: "s with its single plain .drv context element turned into an all-outputs element.",
    impl: (rt, [x], span) => {
      const r = contextOfArg(
        rt,
        x!,
        span,
        "while evaluating the argument passed to builtins.addDrvOutputDependencies",
      );
      if (r.ctx.size !== 1) {
        throw evalError(`context of string '${r.s}' must have exactly one element, but has ${r.ctx.size}`);
      }
      const e = decodeContextElem([...r.ctx][0]!);
      if (e.kind === "built") {
        throw evalError(
          `\`addDrvOutputDependencies\` can only act on derivations, not on a derivation output such as '${e.output}'`,
        );
      }
      if (e.kind === "opaque") {
        if (!isDerivationPath(e.path)) throw evalError(`path '${e.path}' is not a derivation`);
        return mkString(r.s, new Set(["=" + e.path]));
      }
      return mkString(r.s, r.ctx);
    },
  },
]);
