import type { HashAlgo } from "@tsnix/nix-compat";
import type { FileTree } from "./tree.js";

/** What a path in a file tree is; `unknown` for sockets, devices and the like (NAR cannot hold them). */
export type FileType = "regular" | "directory" | "symlink";

export interface FileStat {
  readonly type: FileType | "unknown";
  /** Bytes of a regular file; 0 otherwise. */
  readonly size: number;
  /** Only meaningful for regular files. */
  readonly executable: boolean;
}

/**
 * A read-only view of a file tree: the host file system, a NAR, a store. Paths are absolute and
 * `/`-separated. `lstat` and `readLink` do not follow a final symlink; walks call `readFile` and
 * `readDirectory` only on what `lstat` reported as a regular file or a directory. A `Store` follows
 * symlinks on the way (see `Store.resolvePath`).
 */
export interface SourceAccessor {
  /** undefined when nothing is there. */
  lstat(path: string): FileStat | undefined;
  readFile(path: string): Uint8Array;
  /** Entry names, in any order. */
  readDirectory(path: string): string[];
  readLink(path: string): string;
}

/**
 * How file contents become a content address: `flat` hashes a regular file's bytes, `nar` (Nix's
 * "recursive") hashes the NAR serialisation of a whole tree.
 */
export type IngestionMethod = "flat" | "nar";

/** Nix's `PathFilter`: called for every path below the root (never the root); false drops it. */
export type PathFilter = (path: string, type: FileType | "unknown") => boolean;

/** What `addToStore` copies. */
export type AddSource =
  /** A path read through `accessor` (LocalStore defaults to the host file system; MemoryStore has none). */
  | { readonly path: string; readonly accessor?: SourceAccessor }
  /** An in-memory tree. */
  | { readonly tree: FileTree }
  /** A NAR serialisation of the tree. */
  | { readonly nar: Uint8Array };

export interface AddToStoreOptions {
  /** The name part of the store path. */
  readonly name: string;
  /** Default `nar` (as `nix-store --add` and `builtins.path`). */
  readonly method?: IngestionMethod;
  /** Default sha256. Only `nar` + sha256 gives a `source` path; others are fixed-output paths. */
  readonly hashAlgo?: HashAlgo;
  readonly filter?: PathFilter;
  /** Full store paths this object refers to (only allowed for `nar` + sha256, as in Nix). */
  readonly references?: readonly string[];
}

/** Metadata of a valid store path (Nix's `ValidPathInfo`, without signatures and `ultimate`). */
export interface ValidPathInfo {
  /** Full logical store path, e.g. `/nix/store/<hash>-<name>`. */
  readonly path: string;
  /** `sha256:<nix32>` of the NAR serialisation (what `nix-store -q --hash` prints). */
  readonly narHash: string;
  readonly narSize: number;
  /** Full store paths, sorted, possibly including `path` itself. */
  readonly references: readonly string[];
  readonly deriver?: string;
  /** Nix's content-address string (`fixed:r:sha256:<nix32>`, `text:sha256:<nix32>`, ...). */
  readonly contentAddress?: string;
  /** Seconds since the epoch. */
  readonly registrationTime: number;
}

/** What a builder (or an importer) hands to `registerValidPaths`. */
export interface PathRegistration {
  readonly path: string;
  readonly narHash: string;
  readonly narSize: number;
  readonly references: readonly string[];
  readonly deriver?: string;
  readonly contentAddress?: string;
  /** Default: now. */
  readonly registrationTime?: number;
}

/**
 * A derivation output, for realisations of content-addressed outputs. `drvPath` is whatever identifies
 * the derivation stably: its store path (current Nix) or its `sha256:<hash modulo>` (Nix 2.8).
 */
export interface DrvOutputId {
  readonly drvPath: string;
  readonly outputName: string;
}

export interface Realisation {
  readonly key: DrvOutputId;
  /** Full store path; must be valid (or registered in the same transaction). */
  readonly outPath: string;
  readonly signatures?: readonly string[];
}

/** A derivation ready to be written: its ATerm text and what the `.drv` refers to. */
export interface DerivationToWrite {
  /** The derivation's name (the `.drv` file is `<name>.drv`). */
  readonly name: string;
  /** The exact ATerm text (nix-compat prints it). */
  readonly aterm: string;
  /** inputSrcs and the keys of inputDrvs, as full store paths: the references of the `.drv` file. */
  readonly references: readonly string[];
  /**
   * Output name → output path, for outputs whose path is known now (input-addressed and fixed);
   * recorded like Nix's DerivationOutputs table.
   */
  readonly outputs?: Readonly<Record<string, string>>;
}

export interface RegisterOptions {
  /** Registered in the same transaction as the paths. */
  readonly realisations?: readonly Realisation[];
}

/** A held path lock; `release` is idempotent. */
export interface PathLock {
  readonly path: string;
  release(): void;
}

/**
 * The store. Queries, adds and reads are synchronous (the evaluator is synchronous); only waiting for a
 * lock is asynchronous. All paths are full logical paths (`storeDir` + `/` + base name).
 */
export interface Store extends SourceAccessor {
  /** The logical store directory every path and hash is computed with (default `/nix/store`). */
  readonly storeDir: string;

  isValidPath(path: string): boolean;
  /** undefined when the path is not valid. */
  queryPathInfo(path: string): ValidPathInfo | undefined;
  /** Valid paths whose references include `path` (sorted). */
  queryReferrers(path: string): string[];
  queryAllValidPaths(): string[];
  /** Output name → path recorded when a `.drv` was written with known outputs. */
  queryDerivationOutputs(drvPath: string): Record<string, string>;
  /** `.drv` paths recorded as producing `outPath`. */
  queryValidDerivers(outPath: string): string[];

  /** Copy a tree into the store, computing its path as Nix's `addToStore` / `builtins.path` do. */
  addToStore(source: AddSource, options: AddToStoreOptions): ValidPathInfo;
  /** A text store object (`builtins.toFile`, `.drv`); returns its path. */
  addTextToStore(name: string, text: string | Uint8Array, references?: readonly string[]): string;
  /** Writes the `.drv` via `addTextToStore`; returns the drv path. */
  writeDerivation(drv: DerivationToWrite): string;
  /** Import a NAR whose metadata is known (the NAR hash is checked). */
  importNar(registration: PathRegistration, nar: Uint8Array): ValidPathInfo;
  /** The NAR serialisation of a valid path. */
  narFromPath(path: string): Uint8Array;

  /**
   * Make several paths valid in ONE transaction (a builder registering its outputs). Their files must
   * already be complete; every reference must be valid or in the batch.
   */
  registerValidPaths(registrations: readonly PathRegistration[], options?: RegisterOptions): void;
  registerRealisation(realisation: Realisation): void;
  queryRealisation(key: DrvOutputId): Realisation | undefined;

  /**
   * Follow symlinks inside the store (by their logical targets, also across store paths) to the path
   * they end at, like `realpath` would if the store were at `storeDir`. Each store path passed through
   * must be valid. Resolution stops at the first path outside the store (e.g. a link to `/etc/x`),
   * which is returned normalised for the caller to resolve on its own file system. `readFile` and
   * `readDirectory` resolve like this and refuse a result outside the store; `lstat` and `readLink`
   * resolve all but the last component.
   */
  resolvePath(path: string): string;

  /**
   * Lock a store path for writing (held until `release`): in-process queue plus a cross-process lock, so
   * one output is built once even by two processes.
   */
  lockPath(path: string): Promise<PathLock>;
  /** undefined when someone (here or in another process) holds it. */
  tryLockPath(path: string): PathLock | undefined;

  close(): void;
}

/** Store errors carry Nix's wording. */
export class StoreError extends Error {
  override name = "StoreError";
}

export function storeError(message: string): never {
  throw new StoreError(message);
}
