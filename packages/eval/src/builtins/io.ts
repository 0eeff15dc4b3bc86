// File-reading builtins: readFile, readDir, readFileType, pathExists, toPath.
// Every access goes through EvalIO; IO failures become Nix's messages for the path as the
// evaluator sees it. Paths are taken as Nix's realisePath/coerceToPath do.
import type { Span } from "@tsnix/parser";
import { NixError, evalError, toNixError } from "../errors.js";
import { IOError, type FileType } from "../io.js";
import { coerceToString } from "../ops.js";
import { canonPath } from "../paths.js";
import { force, type Runtime } from "../runtime.js";
import { peelToStringOutPath } from "../to-json.js";
import { NixAttrs, NixPath, mkString, type Lazy, type Value } from "../values.js";
import { registerPrimops } from "./registry.js";

const REALISE_CTX = "while realising the context of a path";

/**
 * Nix's coerceToPath: a path value, or (through `__toString` / `outPath`) a path or an absolute
 * string. Returns the canonical path and the string context it carried.
 */
export function coerceToPathValue(
  rt: Runtime,
  x: Lazy,
  errorCtx: string,
): { path: string; context: ReadonlySet<string> | null } {
  return peelToStringOutPath(rt, null, x, false, (v) => {
    if (v instanceof NixPath) return { path: v.path, context: null };
    const c = coerceToString(rt, v, null, { coerceMore: false, copyToStore: false }, errorCtx);
    if (!c.s.startsWith("/"))
      throw evalError(`string '${c.s}' doesn't represent an absolute path`).addTrace(null, errorCtx);
    return { path: canonPath(c.s), context: c.ctx };
  });
}

/** Nix's realisePath for the file builtins (store-path contexts are not realised yet). */
export function realisePath(rt: Runtime, x: Lazy): string {
  return coerceToPathValue(rt, x, REALISE_CTX).path;
}

function fileType(rt: Runtime, path: string): FileType | null {
  try {
    return rt.io.readFileType(path);
  } catch (e) {
    if (e instanceof IOError) return null;
    throw e;
  }
}

/** Follow symlinks (Nix's SymlinkResolution::Full) when the EvalIO can. */
function resolveSymlinks(rt: Runtime, path: string): string {
  if (rt.io.realPath === undefined) return path;
  if (fileType(rt, path) !== "symlink") return path;
  try {
    return rt.io.realPath(path);
  } catch (e) {
    if (e instanceof IOError) return path;
    throw e;
  }
}

function ioFailure(e: unknown, what: string, path: string, span: Span | null): NixError {
  if (!(e instanceof IOError)) return toNixError(e);
  const reason =
    e.code === "ENOENT"
      ? "No such file or directory"
      : e.code === "ENOTDIR"
        ? "Not a directory"
        : e.code === "EISDIR"
          ? "Is a directory"
          : e.code === "EACCES"
            ? "Permission denied"
            : e.message;
  return evalError(`${what} '${path}': ${reason}`, span);
}

/** pathExists: a string ending in "/" or "/." must name a directory (after following symlinks). */
function pathExists(rt: Runtime, x: Lazy, span: Span | null): boolean {
  const v = force(x, span);
  const s = typeof v === "string" ? v : null;
  const mustBeDir = s !== null && (s.endsWith("/") || s.endsWith("/."));
  const path = realisePath(rt, v);
  const t = fileType(rt, path);
  if (t === null) return false;
  if (!mustBeDir) return true;
  if (t === "directory") return true;
  return t === "symlink" && fileType(rt, resolveSymlinks(rt, path)) === "directory";
}

registerPrimops([
  {
    name: "readFile",
    arity: 1,
    args: ["path"],
    doc: "Return the contents of the file path as a string.",
    impl: (rt, [x], span): Value => {
      const path = resolveSymlinks(rt, realisePath(rt, x!));
      let text: string;
      try {
        text = rt.io.readFile(path);
      } catch (e) {
        throw ioFailure(
          e,
          e instanceof IOError && e.code === "EISDIR" ? "reading file" : "opening file",
          path,
          null,
        );
      }
      if (text.indexOf("\0") >= 0)
        throw evalError(`the contents of the file '${path}' cannot be represented as a Nix string`, span);
      return text;
    },
  },
  {
    name: "readDir",
    arity: 1,
    args: ["path"],
    doc: "Return the entries of directory path as an attribute set of name → file type.",
    impl: (rt, [x]) => {
      const path = resolveSymlinks(rt, realisePath(rt, x!));
      const t = fileType(rt, path);
      if (t === null) throw evalError(`path '${path}' does not exist`);
      if (t !== "directory") throw evalError(`'${path}' is not a directory`);
      let entries: Map<string, FileType>;
      try {
        entries = rt.io.readDir(path);
      } catch (e) {
        throw ioFailure(e, "opening directory", path, null);
      }
      const m = new Map<string, Lazy>();
      for (const [name, type] of entries) {
        // An unknown d_type is looked up with lstat, as Nix does.
        m.set(name, type === "unknown" ? (fileType(rt, canonPath(path + "/" + name)) ?? "unknown") : type);
      }
      return NixAttrs.fromMap(m);
    },
  },
  {
    name: "readFileType",
    arity: 1,
    args: ["p"],
    doc: 'The type of the directory entry at p: "regular", "directory", "symlink" or "unknown".',
    impl: (rt, [x]) => {
      const path = realisePath(rt, x!);
      try {
        return rt.io.readFileType(path);
      } catch (e) {
        throw ioFailure(e, "getting status of", path, null);
      }
    },
  },
  {
    name: "pathExists",
    arity: 1,
    args: ["path"],
    doc: "Whether path exists (a string ending in / must be a directory).",
    impl: (rt, [x], span) => pathExists(rt, x!, span),
  },
  {
    name: "toPath",
    arity: 1,
    args: ["s"],
    doc: "Deprecated: the canonical absolute path of s, as a string.",
    impl: (rt, [x]) => {
      const r = coerceToPathValue(rt, x!, "while evaluating the first argument passed to builtins.toPath");
      return mkString(r.path, r.context);
    },
  },
]);
