// Builtins: import, scopedImport, __findFile, getEnv, and the constants
// (true false null currentSystem currentTime langVersion nixVersion storeDir nixPath).
import type { Span } from "@tsnix/parser";
import { NixError, evalError } from "../errors.js";
import { forceAttrs, forceList, forceString, forceStringNoCtx } from "../check.js";
import { coerceToString } from "../ops.js";
import { canonPath } from "../paths.js";
import { force, type Runtime } from "../runtime.js";
import { NixAttrs, NixPath, NixString, type Lazy, type Value } from "../values.js";
import { corePkgsPath, corePkgsText } from "./corepkgs.js";
import { registerConstants, registerPrimops } from "./registry.js";

/** Nix's realisePath for import/readFile: a path value, or an absolute string. */
export function coerceToPath(rt: Runtime, x: Lazy, span: Span | null, ctx: string): string {
  const v = force(x, span);
  if (v instanceof NixPath) return v.path;
  const s = coerceToString(rt, v, span, { coerceMore: false, copyToStore: false }, ctx).s;
  if (!s.startsWith("/")) {
    throw evalError(`string '${s}' doesn't represent an absolute path`, span);
  }
  return canonPath(s);
}

/** `import`'s file resolution: directories mean their default.nix. Cached per path, as Nix does. */
export function resolveImportPath(rt: Runtime, path: string): string {
  const known = rt.importResolution.get(path);
  if (known !== undefined) return known;
  const resolved = resolveImportPathUncached(rt, path);
  rt.importResolution.set(path, resolved);
  return resolved;
}

function resolveImportPathUncached(rt: Runtime, path: string): string {
  if (corePkgsText(path) !== undefined) return path;
  let t: string;
  try {
    t = rt.io.readFileType(path);
  } catch (e) {
    // A Nix error from the IO (e.g. a failed import-from-derivation build) is the real reason.
    if (e instanceof NixError) throw e;
    throw evalError(`path '${path}' does not exist`);
  }
  if (t === "symlink" && rt.io.realPath) {
    const real = rt.io.realPath(path);
    return resolveImportPath(rt, real);
  }
  if (t === "directory") return canonPath(path + "/default.nix");
  return path;
}

export const VERSION = "2.31.0";
export const LANG_VERSION = 6;

/** Resolve `<path>` against a `__nixPath`-shaped list, as Nix's findFile. */
export function findFile(rt: Runtime, searchPath: readonly Lazy[], path: string, span: Span | null): string {
  for (const item of searchPath) {
    const entry = forceAttrs(
      item,
      span,
      "while evaluating an element of the list passed to builtins.findFile",
    );
    const prefixV = entry.get("prefix");
    const prefix =
      prefixV === undefined
        ? ""
        : forceStringNoCtx(
            prefixV,
            span,
            "while evaluating the `prefix` attribute of an element of the list passed to builtins.findFile",
          );
    const pathV = entry.get("path");
    if (pathV === undefined) throw evalError("attribute 'path' missing", span);
    const base = coerceToString(
      rt,
      pathV,
      span,
      { coerceMore: false, copyToStore: false },
      "while evaluating the `path` attribute of an element of the list passed to builtins.findFile",
    ).s;
    let suffix: string;
    if (prefix === "") suffix = path;
    else if (path === prefix) suffix = "";
    else if (path.startsWith(prefix + "/")) suffix = path.slice(prefix.length + 1);
    else continue;
    const candidate = canonPath(suffix === "" ? base : base + "/" + suffix);
    if (rt.io.pathExists(candidate)) return candidate;
  }
  const core = corePkgsPath(path);
  if (core !== undefined) return core;
  throw new NixError(
    `file '${path}' was not found in the Nix search path (add it using $NIX_PATH or -I)`,
    span,
    "throw",
  );
}

registerPrimops([
  {
    name: "import",
    arity: 1,
    args: ["path"],
    global: true,
    doc: "Load, parse and return the Nix expression in the file path (a directory means its default.nix).",
    impl: (rt, [x], span) => {
      const p = coerceToPath(rt, x!, span, "while evaluating the first argument passed to builtins.import");
      return rt.evalFileHook(p);
    },
  },
  {
    name: "scopedImport",
    arity: 2,
    args: ["scope", "path"],
    global: true,
    impl: (rt, [s, x], span) => {
      const scope = forceAttrs(
        s!,
        span,
        "while evaluating the first argument passed to builtins.scopedImport",
      );
      const p = coerceToPath(
        rt,
        x!,
        span,
        "while evaluating the second argument passed to builtins.scopedImport",
      );
      return rt.scopedImportHook(scope, resolveImportPath(rt, p));
    },
  },
  {
    name: "findFile",
    arity: 2,
    args: ["search-path", "lookup-path"],
    impl: (rt, [sp, p], span): Value => {
      const list = forceList(sp!, span, "while evaluating the first argument passed to builtins.findFile");
      const path = forceStringNoCtx(
        p!,
        span,
        "while evaluating the second argument passed to builtins.findFile",
      );
      return new NixPath(findFile(rt, list, path, span));
    },
  },
  {
    name: "getEnv",
    arity: 1,
    args: ["s"],
    impl: (rt, [x], span) => {
      const name = forceString(x!, span, "while evaluating the first argument passed to builtins.getEnv");
      if (rt.pureEval) return "";
      return rt.io.getEnv(name) ?? "";
    },
  },
]);

registerConstants([
  { name: "true", value: () => true, global: true },
  { name: "false", value: () => false, global: true },
  { name: "null", value: () => null, global: true },
  { name: "currentSystem", value: (rt) => rt.currentSystem },
  { name: "currentTime", value: () => Math.floor(Date.now() / 1000) },
  { name: "langVersion", value: () => LANG_VERSION },
  { name: "nixVersion", value: () => VERSION },
  { name: "storeDir", value: (rt) => rt.storeDir },
  {
    name: "nixPath",
    value: (rt) =>
      rt.searchPath.map((e) =>
        NixAttrs.fromMap(
          new Map<string, Lazy>([
            ["path", e.path],
            ["prefix", e.prefix],
          ]),
        ),
      ),
  },
]);

export { NixString };
