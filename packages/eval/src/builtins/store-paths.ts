// Paths into the store: copying sources ("${./src}", builtins.path, filterSource), toFile,
// storePath, placeholder, hashFile; and the per-evaluator store state (known derivations,
// copied sources) that derivation.ts shares. As Nix's EvalState::copyPathToStore, prim_path,
// prim_filterSource, prim_toFile, prim_storePath (primops.cc).
//
// Everything is computed here from bytes read through EvalIO (nix-compat does the NAR, hashes and
// store paths); EvalIO.store only receives finished objects. Without a store (or when it is
// `readOnly`) paths are computed and nothing is written, like nix-instantiate --readonly-mode.
import type { Span } from "@tsnix/parser";
import {
  DerivationHasher,
  computeStorePathForText,
  hashBytes,
  makeFixedOutputPath,
  narDirectory,
  narHash,
  narRegular,
  narSymlink,
  parseDerivation,
  printHash,
  type Derivation,
  type HashAlgo,
  type NarNode,
} from "@tsnix/nix-compat";
import { forceAttrs, forceBool, forceFunction, forceString, forceStringNoCtx } from "../check.js";
import { NixError, evalError, toNixError } from "../errors.js";
import { IOError, type EvalStore, type FileType } from "../io.js";
import { KnownDerivations } from "../known-derivations.js";
import { coerceToString, storePathHooks } from "../ops.js";
import { baseNameOfString, canonPath } from "../paths.js";
import { callN, force, type Runtime } from "../runtime.js";
import { NixPath, NixString, mkString, type Lazy, type Value } from "../values.js";
import { decodeContextElem, isStorePath } from "./context.js";
import { parseExpectedHash } from "./hashing.js";
import { registerPrimops } from "./registry.js";

// ---- per-evaluator state ------------------------------------------------------

export interface StoreState {
  /** Every derivation instantiated (or read) by this evaluator: full drv path → derivation. */
  readonly known: KnownDerivations;
  readonly hasher: DerivationHasher;
  /** Source path → store path, so each source is copied once (Nix's srcToStore). */
  readonly copied: Map<string, string>;
  /** References of the store objects this evaluator made (toFile, sources). */
  readonly references: Map<string, readonly string[]>;
}

const states = new WeakMap<Runtime, StoreState>();

export function storeState(rt: Runtime): StoreState {
  let s = states.get(rt);
  if (s === undefined) {
    const known = new KnownDerivations(rt.storeDir);
    const hasher = new DerivationHasher({
      storeDir: rt.storeDir,
      readDerivation: (base) => readDerivation(rt, `${rt.storeDir}/${base}`),
    });
    s = { known, hasher, copied: new Map(), references: new Map() };
    states.set(rt, s);
  }
  return s;
}

/** The derivations an evaluator instantiated (drv path → Derivation). */
export function knownDerivations(rt: Runtime): ReadonlyMap<string, Derivation> {
  return storeState(rt).known;
}

/** A derivation by full path: instantiated here, or read from the store. */
export function readDerivation(rt: Runtime, drvPath: string): Derivation {
  const known = storeState(rt).known.get(drvPath);
  if (known !== undefined) return known;
  const text = rt.io.store?.readDerivation?.(drvPath);
  if (text === undefined)
    throw evalError(`cannot read derivation '${drvPath}': it is not known to this evaluator`);
  const base = drvPath.slice(rt.storeDir.length + 1);
  const drv = parseDerivation(text, base.slice(33, -4), rt.storeDir);
  storeState(rt).known.set(drvPath, text, drv);
  return drv;
}

/** The store hooks that may write, or null in read-only mode. */
export function writableStore(rt: Runtime): EvalStore | null {
  const st = rt.io.store;
  return st === undefined || st.readOnly === true ? null : st;
}

/** References of a store path (for `=drv` closures). */
export function referencesOf(rt: Runtime, path: string): readonly string[] {
  const st = storeState(rt);
  const drv = st.known.get(path);
  if (drv !== undefined) return [...drv.inputSrcs, ...drv.inputDrvs.keys()].map((b) => `${rt.storeDir}/${b}`);
  return st.references.get(path) ?? rt.io.store?.queryReferences?.(path) ?? [];
}

// ---- reading trees through EvalIO ---------------------------------------------

/** Nix's path filter: (path, type) → keep? Called for everything below the root. */
export type PathFilter = (path: string, type: FileType) => boolean;

function statOf(rt: Runtime, path: string): { type: FileType; executable: boolean } {
  if (rt.io.lstat !== undefined) return rt.io.lstat(path);
  return { type: rt.io.readFileType(path), executable: false };
}

/** The file tree at `path` (symlinks not followed), as a NAR node, filtered like Nix's dumpPath. */
export function readTree(rt: Runtime, path: string, filter: PathFilter | null): NarNode {
  const st = statOf(rt, path);
  switch (st.type) {
    case "regular":
      return narRegular(rt.io.readFileBytes(path), st.executable);
    case "symlink":
      if (rt.io.readLink === undefined)
        throw evalError(`cannot read symbolic link '${path}': this EvalIO has no readLink`);
      return narSymlink(rt.io.readLink(path));
    case "directory": {
      const entries = new Map<string, NarNode>();
      const names = [...rt.io.readDir(path).keys()].sort();
      for (const name of names) {
        const child = path === "/" ? "/" + name : path + "/" + name;
        if (filter !== null && !filter(child, statOf(rt, child).type)) continue;
        entries.set(name, readTree(rt, child, filter));
      }
      return narDirectory(entries);
    }
    default:
      throw evalError(`file '${path}' has an unsupported type`);
  }
}

function checkName(name: string, what: string): void {
  try {
    makeFixedOutputPath(name, "nar", { algo: "sha256", bytes: new Uint8Array(32) });
  } catch (e) {
    throw evalError(`invalid ${what} name: ${(e as Error).message}`);
  }
}

export interface AddPathOptions {
  name: string;
  method: "nar" | "flat";
  filter: PathFilter | null;
  expectedHash?: { algo: HashAlgo; bytes: Uint8Array };
}

/** Copy (or, read-only, just hash) a source tree; returns the store path. */
export function addPathToStore(rt: Runtime, srcPath: string, opts: AddPathOptions): string {
  checkName(opts.name, "store path");
  const tree = readTree(rt, srcPath, opts.filter);
  let path: string;
  const algo: HashAlgo = "sha256";
  if (opts.method === "nar") {
    path = makeFixedOutputPath(opts.name, "nar", narHash(tree, algo).hash, [], false, rt.storeDir).baseName;
  } else {
    if (tree.type !== "regular")
      throw evalError(`cannot add '${srcPath}' to the store with flat hashing: it is not a regular file`);
    path = makeFixedOutputPath(
      opts.name,
      "flat",
      hashBytes(algo, tree.contents),
      [],
      false,
      rt.storeDir,
    ).baseName;
  }
  const full = `${rt.storeDir}/${path}`;
  if (opts.expectedHash !== undefined) {
    const want = makeFixedOutputPath(
      opts.name,
      opts.method,
      opts.expectedHash,
      [],
      false,
      rt.storeDir,
    ).baseName;
    if (want !== path)
      throw evalError(`store path mismatch in (possibly filtered) path added from '${srcPath}'`);
  }
  storeState(rt).references.set(full, []);
  writableStore(rt)?.addToStore?.({
    path: full,
    name: opts.name,
    method: opts.method,
    hashAlgo: algo,
    tree,
    references: [],
  });
  return full;
}

/** Nix's EvalState::copyPathToStore ("${./p}"): cached per source path. */
export function copyPathToStoreImpl(rt: Runtime, path: string, span: Span | null): string {
  const st = storeState(rt);
  const cached = st.copied.get(path);
  if (cached !== undefined) return cached;
  if (path.endsWith(".drv")) throw evalError("file names are not allowed to end in '.drv'", span);
  let dst: string;
  if (rt.io.copyToStore !== undefined) dst = rt.io.copyToStore(path);
  else {
    if (!rt.io.pathExists(path)) throw evalError(`path '${path}' does not exist`);
    try {
      dst = addPathToStore(rt, path, { name: baseNameOfString(path), method: "nar", filter: null });
    } catch (e) {
      throw ioToNix(e, span);
    }
  }
  st.copied.set(path, dst);
  return dst;
}

storePathHooks.copyPathToStore = copyPathToStoreImpl;

function ioToNix(e: unknown, span: Span | null): NixError {
  if (e instanceof IOError) return evalError(e.message, span);
  return toNixError(e);
}

// ---- helpers for the primops ----------------------------------------------------

/** Nix's coerceToPath: a path value or an absolute string (its context kept in `ctx`). */
function coercePath(rt: Runtime, x: Lazy, span: Span | null, errCtx: string, ctx?: Set<string>): string {
  const v = force(x, span);
  if (v instanceof NixPath) return v.path;
  const c = coerceToString(rt, v, null, { coerceMore: false, copyToStore: false }, errCtx);
  if (ctx !== undefined && c.ctx !== null) for (const e of c.ctx) ctx.add(e);
  if (!c.s.startsWith("/")) {
    const e = evalError(`string '${c.s}' doesn't represent an absolute path`);
    e.addTrace(null, errCtx);
    throw e;
  }
  return canonPath(c.s);
}

function storePathString(path: string): Value {
  return mkString(path, new Set([path]));
}

/** The filter as Nix calls it: `filter "/abs/path" "regular"` → Boolean. */
function pathFilter(rt: Runtime, fn: Value, span: Span | null): PathFilter {
  return (p, type) => {
    const r = callN(rt, fn, [p, type], null);
    return forceBool(r, span, "while evaluating the return value of the path filter function");
  };
}

function addPathPrimop(rt: Runtime, span: Span | null, srcPath: string, opts: AddPathOptions): Value {
  try {
    if (!rt.io.pathExists(srcPath)) throw evalError(`path '${srcPath}' does not exist`);
    try {
      return storePathString(addPathToStore(rt, srcPath, opts));
    } catch (e) {
      throw ioToNix(e, null);
    }
  } catch (e) {
    const ne = toNixError(e);
    ne.addTrace(null, `while adding path '${srcPath}'`);
    throw ne;
  }
}

registerPrimops([
  {
    name: "path",
    arity: 1,
    args: ["args"],
    doc: "Copy a path to the store, with an optional name, filter, recursive flag and expected sha256.",
    impl: (rt, [x], span) => {
      const attrs = forceAttrs(x!, span, "while evaluating the argument passed to 'builtins.path'");
      let path: string | undefined;
      let name = "";
      let filterFn: Value | null = null;
      let method: "nar" | "flat" = "nar";
      let expectedHash: { algo: HashAlgo; bytes: Uint8Array } | undefined;
      for (const [n, v] of attrs.entries()) {
        const pos = attrs.posOf(n);
        if (n === "path")
          path = coercePath(rt, v, pos, "while evaluating the 'path' attribute passed to 'builtins.path'");
        else if (n === "name")
          name = forceStringNoCtx(v, pos, "while evaluating the `name` attribute passed to builtins.path");
        else if (n === "filter")
          filterFn = forceFunction(v, pos, "while evaluating the `filter` parameter passed to builtins.path");
        else if (n === "recursive")
          method = forceBool(v, pos, "while evaluating the `recursive` attribute passed to builtins.path")
            ? "nar"
            : "flat";
        else if (n === "sha256") {
          const s = forceStringNoCtx(
            v,
            pos,
            "while evaluating the `sha256` attribute passed to builtins.path",
          );
          expectedHash = parseExpectedHash(rt, s, "sha256", pos);
        } else throw evalError(`unsupported argument '${n}' to 'builtins.path'`, pos);
      }
      if (path === undefined)
        throw evalError("missing required 'path' attribute in the first argument to 'builtins.path'", span);
      if (name === "") name = baseNameOfString(path);
      const filter = filterFn === null ? null : pathFilter(rt, filterFn, span);
      return addPathPrimop(rt, span, path, { name, method, filter, expectedHash });
    },
  },
  {
    name: "filterSource",
    arity: 2,
    args: ["e1", "e2"],
    doc: "Copy a path to the store, keeping only what `e1 path type` accepts.",
    impl: (rt, [f, p], span) => {
      const path = coercePath(
        rt,
        p!,
        span,
        "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'",
      );
      const fn = forceFunction(
        f!,
        span,
        "while evaluating the first argument passed to builtins.filterSource",
      );
      return addPathPrimop(rt, span, path, {
        name: baseNameOfString(path),
        method: "nar",
        filter: pathFilter(rt, fn, span),
      });
    },
  },
  {
    name: "toFile",
    arity: 2,
    args: ["name", "s"],
    doc: "Store the string s in a file called name and return its store path.",
    impl: (rt, [n, s], span) => {
      const name = forceStringNoCtx(
        n!,
        span,
        "while evaluating the first argument passed to builtins.toFile",
      );
      const v = force(s!, span);
      const contents = forceString(v, span, "while evaluating the second argument passed to builtins.toFile");
      const refs: string[] = [];
      if (v instanceof NixString) {
        for (const c of v.context) {
          const e = decodeContextElem(c);
          if (e.kind !== "opaque")
            throw evalError(
              `files created by builtins.toFile may not reference derivations, but ${name} references ${c}`,
              span,
            );
          refs.push(e.path);
        }
      }
      refs.sort();
      let base: string;
      try {
        base = computeStorePathForText(
          name,
          contents,
          refs.map((r) => r.slice(rt.storeDir.length + 1)),
          rt.storeDir,
        ).baseName;
      } catch (e) {
        throw evalError((e as Error).message, span);
      }
      const full = `${rt.storeDir}/${base}`;
      storeState(rt).references.set(full, refs);
      writableStore(rt)?.addTextToStore?.({ path: full, name, text: contents, references: refs });
      return storePathString(full);
    },
  },
  {
    name: "storePath",
    arity: 1,
    args: ["path"],
    doc: "Treat path as a store path already in the store and give it the matching context.",
    impl: (rt, [x], span) => {
      if (rt.pureEval) throw evalError("'builtins.storePath' is not allowed in pure evaluation mode", span);
      const ctx = new Set<string>();
      let path = coercePath(
        rt,
        x!,
        span,
        "while evaluating the first argument passed to 'builtins.storePath'",
        ctx,
      );
      if (!isStorePath(rt.storeDir, path) && rt.io.realPath !== undefined && rt.io.pathExists(path))
        path = rt.io.realPath(path);
      if (!path.startsWith(rt.storeDir + "/"))
        throw evalError(`path '${path}' is not in the Nix store`, span);
      const rest = path.slice(rt.storeDir.length + 1);
      const slash = rest.indexOf("/");
      const storePath = rt.storeDir + "/" + (slash < 0 ? rest : rest.slice(0, slash));
      if (!isStorePath(rt.storeDir, storePath))
        throw evalError(`path '${path}' is not in the Nix store`, span);
      const st = writableStore(rt);
      if (st !== null && st.isValidPath !== undefined && !st.isValidPath(storePath))
        throw evalError(`path '${storePath}' is not valid`, span);
      ctx.add(storePath);
      return mkString(path, ctx);
    },
  },
  {
    name: "hashFile",
    arity: 2,
    args: ["type", "p"],
    doc: "Return a base-16 hash of the file at path p, with algorithm type (md5, sha1, sha256, sha512).",
    impl: (rt, [t, p], span) => {
      const algo = forceStringNoCtx(
        t!,
        span,
        "while evaluating the first argument passed to builtins.hashFile",
      );
      if (algo !== "md5" && algo !== "sha1" && algo !== "sha256" && algo !== "sha512")
        throw evalError(`unknown hash algorithm '${algo}'`, span);
      const path = coercePath(rt, p!, span, "while realising the context of a path");
      let bytes: Uint8Array;
      try {
        if (!rt.io.pathExists(path)) throw evalError(`path '${path}' does not exist`);
        bytes = rt.io.readFileBytes(path);
      } catch (e) {
        throw ioToNix(e, null);
      }
      return printHash(hashBytes(algo, bytes), "base16");
    },
  },
]);
