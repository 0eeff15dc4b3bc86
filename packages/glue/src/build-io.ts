// IO-driven builds (Tvix's "drive builds on IO"): an EvalIO wrapper that, when evaluation reads a
// store path that is not valid but that KnownPaths knows how to produce, has it built first, then
// reads it. Valid store paths are read through the Store (at its physical location, following
// symlinks by their logical targets); everything else goes to the wrapped EvalIO.
import { IOError, evalError, type EvalIO, type FileType } from "@tsnix/eval";
import type { KnownOutput, KnownPaths } from "./known-paths.js";

/** The part of @tsnix/store's Store read here (MemoryStore and LocalStore have it). */
export interface StoreReader {
  readonly storeDir: string;
  isValidPath(path: string): boolean;
  lstat(path: string): { readonly type: FileType | "unknown"; readonly executable: boolean } | undefined;
  readFile(path: string): Uint8Array;
  readDirectory(path: string): string[];
  readLink(path: string): string;
  resolvePath(path: string): string;
}

/** Realise derivations synchronously (over the bridge, in the CLI); resolves output name → path each. */
export type SyncRealiser = (drvPaths: readonly string[]) => ReadonlyArray<Readonly<Record<string, string>>>;

export interface BuildingIOOptions {
  readonly store: StoreReader;
  readonly knownPaths: KnownPaths;
  /** How to build. Absent: a read that needs a build fails saying so (Tvix's DummyBuildService). */
  readonly realise?: SyncRealiser;
  /** Nix's `allow-import-from-derivation` (default true). */
  readonly allowImportFromDerivation?: boolean;
  /** Told about every build evaluation had to wait for (instantiation-time dependencies). */
  readonly onRealised?: (known: KnownOutput, outputs: Readonly<Record<string, string>>) => void;
}

const HASH_LENGTH = 32;

export function ifdDisabledMessage(drvPath: string): string {
  return `cannot build '${drvPath}' during evaluation because the option 'allow-import-from-derivation' is disabled`;
}

function noBuildServiceMessage(path: string, drvPath: string): string {
  return `cannot read '${path}': it must be built first (by '${drvPath}'), but builds are not supported in this evaluation (no build service)`;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createBuildingIO(base: EvalIO, opts: BuildingIOOptions): EvalIO {
  const { store, knownPaths } = opts;
  const storePrefix = store.storeDir + "/";
  const allowIFD = opts.allowImportFromDerivation ?? true;

  /** The top-level store path of `path`, or undefined when it is not inside the store. */
  const topOf = (path: string): string | undefined => {
    if (!path.startsWith(storePrefix)) return undefined;
    const slash = path.indexOf("/", storePrefix.length);
    const top = slash < 0 ? path : path.slice(0, slash);
    return top.length > storePrefix.length + HASH_LENGTH ? top : undefined;
  };

  const build = (path: string, known: KnownOutput): void => {
    if (!allowIFD) throw evalError(ifdDisabledMessage(known.drvPath));
    if (opts.realise === undefined) throw evalError(noBuildServiceMessage(path, known.drvPath));
    // As Nix: in read-only mode (nix-instantiate --eval) the .drv was never written.
    if (!store.isValidPath(known.drvPath)) throw evalError(`path '${known.drvPath}' is not valid`);
    let outputs: Readonly<Record<string, string>>;
    try {
      outputs = opts.realise([known.drvPath])[0]!;
    } catch (e) {
      throw evalError(reason(e));
    }
    opts.onRealised?.(known, outputs);
  };

  /** Whether `path` is to be read from the store (building it first when needed). */
  const inStore = (path: string): boolean => {
    const top = topOf(path);
    if (top === undefined) return false;
    if (store.isValidPath(top)) return true;
    const known = knownPaths.lookupOutput(top);
    if (known === undefined) return false; // not ours: e.g. a host /nix/store, read as it is
    build(path, known);
    if (!store.isValidPath(top)) throw evalError(`building '${known.drvPath}' did not make '${top}' valid`);
    return true;
  };

  const storeErr = (e: unknown, what: string, path: string): IOError => {
    const m = reason(e);
    if (/No such file or directory|is not valid/.test(m))
      return new IOError(`${what} '${path}': No such file or directory`, "ENOENT");
    if (/is not a directory/.test(m)) return new IOError(`${what} '${path}': Not a directory`, "ENOTDIR");
    return new IOError(`${what} '${path}': ${m}`);
  };

  /** Resolve every symlink; the result may lead out of the store (then the base IO reads it). */
  const resolve = (path: string, what: string): string => {
    try {
      return store.resolvePath(path);
    } catch (e) {
      throw storeErr(e, what, path);
    }
  };

  const statOf = (path: string, what: string) => {
    let st;
    try {
      st = store.lstat(path);
    } catch (e) {
      throw storeErr(e, what, path);
    }
    if (st === undefined) throw new IOError(`${what} '${path}': No such file or directory`, "ENOENT");
    return st;
  };

  const readBytes = (path: string): Uint8Array => {
    if (!inStore(path)) return base.readFileBytes(path);
    const real = resolve(path, "opening file");
    if (real !== path && !real.startsWith(storePrefix)) return io.readFileBytes(real);
    if (real !== path && !inStore(real)) return base.readFileBytes(real);
    const st = statOf(real, "opening file");
    if (st.type === "directory") throw new IOError(`reading file '${path}': Is a directory`, "EISDIR");
    try {
      return store.readFile(real);
    } catch (e) {
      throw storeErr(e, "reading file", path);
    }
  };

  const io: EvalIO = Object.create(base) as EvalIO;
  io.readFileBytes = readBytes;
  io.readFile = (path) => (inStore(path) ? new TextDecoder().decode(readBytes(path)) : base.readFile(path));
  io.pathExists = (path) => {
    if (!inStore(path)) return base.pathExists(path);
    try {
      return store.lstat(path) !== undefined;
    } catch {
      return false;
    }
  };
  io.readFileType = (path) => {
    if (!inStore(path)) return base.readFileType(path);
    const t = statOf(path, "getting status of").type;
    return t;
  };
  io.lstat = (path) => {
    if (!inStore(path)) {
      if (base.lstat) return base.lstat(path);
      return { type: base.readFileType(path), executable: false };
    }
    const st = statOf(path, "getting status of");
    return { type: st.type, executable: st.type === "regular" && st.executable };
  };
  io.readLink = (path) => {
    if (!inStore(path)) {
      if (base.readLink) return base.readLink(path);
      throw new IOError(`reading symbolic link '${path}': not supported`);
    }
    try {
      return store.readLink(path);
    } catch (e) {
      throw storeErr(e, "reading symbolic link", path);
    }
  };
  io.readDir = (path) => {
    if (!inStore(path)) return base.readDir(path);
    const real = resolve(path, "opening directory");
    if (real !== path && (!real.startsWith(storePrefix) || !inStore(real))) return io.readDir(real);
    const st = statOf(real, "opening directory");
    if (st.type !== "directory") throw new IOError(`opening directory '${path}': Not a directory`, "ENOTDIR");
    const out = new Map<string, FileType>();
    for (const name of store.readDirectory(real)) {
      const t = store.lstat(`${real}/${name}`)?.type ?? "unknown";
      out.set(name, t);
    }
    return out;
  };
  io.realPath = (path) => {
    if (!inStore(path)) {
      if (base.realPath) return base.realPath(path);
      return path;
    }
    const real = resolve(path, "resolving");
    return real.startsWith(storePrefix) ? real : (base.realPath?.(real) ?? real);
  };
  return io;
}
