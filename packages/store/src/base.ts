import {
  compareUtf8,
  type Hash,
  parseHashPrefixed,
  makeTextPath,
  type ContentAddress,
  hashBytes,
  narHash as narHashOf,
  parseStorePath,
  printContentAddress,
  printHash,
  printStorePath,
  splitStorePath,
  utf8Encode,
} from "@tsnix/nix-compat";
import { type ContentWalk, prepareAdd, rethrowFormat, sourceWalk } from "./add.js";
import type {
  AddSource,
  AddToStoreOptions,
  DerivationToWrite,
  DrvOutputId,
  FileStat,
  PathLock,
  PathRegistration,
  Realisation,
  RegisterOptions,
  SourceAccessor,
  Store,
  ValidPathInfo,
} from "./store.js";
import { storeError } from "./store.js";
import { sortedUnique } from "./util.js";
import { pathComponents } from "./tree.js";
import { narBytesVisitor, visitAccessor, visitTree } from "./walk.js";

const MAX_SYMLINK_HOPS = 40;

export interface CommitOptions {
  /**
   * Check the walk's NAR hash against the registration's: `source` for sources that may change while
   * they are read, `import` for hashes the caller gave; false when the hash was just computed.
   */
  readonly verify: "source" | "import" | false;
  /** For `.drv` files: output name → path, recorded in the same transaction. */
  readonly derivationOutputs?: Readonly<Record<string, string>> | undefined;
}

/** `sha256:<nix32>`: the form ValidPathInfo.narHash uses. */
export function printNarHash(hash: Parameters<typeof printHash>[0]): string {
  return printHash(hash, "nix32", true);
}

/**
 * What MemoryStore and LocalStore share: path computation, validity checks around reads, symlink
 * resolution, `.drv` writing. Subclasses supply storage (`commitNew`, `registerValidPaths`, queries),
 * raw content access (`contents`) and locking.
 */
/** Throws unless a walk's NAR hash `got` (a Hash) matches the registration. */
export function checkWalkHash(info: PathRegistration, got: Hash, kind: "source" | "import"): void {
  const gotText = printNarHash(got);
  const want = rethrowFormat(() => printNarHash(parseHashPrefixed(info.narHash)));
  if (gotText === want) return;
  const what =
    kind === "source"
      ? `adding path '${info.path}' (did its source change while it was being added?)`
      : `importing path '${info.path}'`;
  storeError(`hash mismatch ${what};\n  specified: ${want}\n  got:       ${gotText}`);
}

export abstract class StoreBase implements Store {
  readonly storeDir: string;

  constructor(storeDir: string) {
    if (!storeDir.startsWith("/") || storeDir.endsWith("/") || storeDir.length < 2)
      storeError(`store directory '${storeDir}' must be an absolute path without a trailing slash`);
    this.storeDir = storeDir;
  }

  // ---- what a subclass provides ----

  abstract queryPathInfo(path: string): ValidPathInfo | undefined;
  abstract queryReferrers(path: string): string[];
  abstract queryAllValidPaths(): string[];
  abstract queryDerivationOutputs(drvPath: string): Record<string, string>;
  abstract queryValidDerivers(outPath: string): string[];
  abstract registerValidPaths(registrations: readonly PathRegistration[], options?: RegisterOptions): void;
  abstract queryRealisation(key: DrvOutputId): Realisation | undefined;
  abstract lockPath(path: string): Promise<PathLock>;
  abstract tryLockPath(path: string): PathLock | undefined;
  abstract close(): void;

  /** Raw access to store contents by logical path; no validity checks. */
  protected abstract contents(): SourceAccessor;
  /** The accessor for `{ path }` sources without one (the host file system, where there is one). */
  protected abstract defaultSourceAccessor(): SourceAccessor | undefined;
  /**
   * Write `walk`'s contents at `info.path` and make it valid, atomically, unless it is valid already
   * (then do nothing). With `verify`, the walk's NAR hash must equal `info.narHash` (the walk may
   * re-read a source that changed, or the hash came from the caller).
   */
  protected abstract commitNew(info: PathRegistration, walk: ContentWalk, options: CommitOptions): void;

  // ---- shared ----

  /** References must be valid before anything is written (Nix refuses dangling references too). */
  private commitChecked(info: PathRegistration, walk: ContentWalk, options: CommitOptions): void {
    for (const ref of info.references)
      if (ref !== info.path && !this.isValidPath(ref))
        storeError(`cannot add '${info.path}' to the store: its reference '${ref}' is not valid`);
    this.commitNew(info, walk, options);
  }

  isValidPath(path: string): boolean {
    return this.queryPathInfo(path) !== undefined;
  }

  registerRealisation(realisation: Realisation): void {
    this.registerValidPaths([], { realisations: [realisation] });
  }

  /** Full path → base name, checking it is a store path of this store. */
  protected baseNameOf(path: string): string {
    return rethrowFormat(() => parseStorePath(path, this.storeDir).baseName);
  }

  protected checkRegistration(r: PathRegistration): void {
    this.baseNameOf(r.path);
    for (const ref of r.references) this.baseNameOf(ref);
    if (r.deriver !== undefined) this.baseNameOf(r.deriver);
  }

  addToStore(source: AddSource, options: AddToStoreOptions): ValidPathInfo {
    const walk = sourceWalk(source, options, this.defaultSourceAccessor());
    const prepared = prepareAdd(walk, options, this.storeDir);
    const existing = this.queryPathInfo(prepared.path);
    if (existing) return existing;
    this.commitChecked(
      {
        path: prepared.path,
        narHash: printNarHash(prepared.narHash),
        narSize: prepared.narSize,
        references: prepared.references,
        contentAddress: printContentAddress(prepared.contentAddress),
      },
      walk,
      { verify: "path" in source ? "source" : false },
    );
    return this.mustInfo(prepared.path);
  }

  addTextToStore(name: string, text: string | Uint8Array, references: readonly string[] = []): string {
    return this.addText(name, text, references);
  }

  private addText(
    name: string,
    text: string | Uint8Array,
    references: readonly string[],
    derivationOutputs?: Readonly<Record<string, string>>,
  ): string {
    const bytes = typeof text === "string" ? utf8Encode(text) : text;
    const refs = sortedUnique(references);
    const contentHash = hashBytes("sha256", bytes);
    const path = rethrowFormat(() =>
      printStorePath(
        makeTextPath(
          name,
          contentHash,
          refs.map((r) => this.baseNameOf(r)),
          this.storeDir,
        ),
        this.storeDir,
      ),
    );
    if (this.isValidPath(path)) return path;
    const node = { type: "regular" as const, executable: false, contents: bytes };
    const nar = narHashOf(node);
    const ca: ContentAddress = { method: "text", hash: contentHash };
    this.commitChecked(
      {
        path,
        narHash: printNarHash(nar.hash),
        narSize: nar.size,
        references: refs,
        contentAddress: printContentAddress(ca),
      },
      (v) => visitTree(node, v),
      { verify: false, derivationOutputs },
    );
    return path;
  }

  writeDerivation(drv: DerivationToWrite): string {
    if (drv.outputs) for (const p of Object.values(drv.outputs)) this.baseNameOf(p);
    return this.addText(`${drv.name}.drv`, drv.aterm, drv.references, drv.outputs);
  }

  importNar(registration: PathRegistration, nar: Uint8Array): ValidPathInfo {
    this.checkRegistration(registration);
    const existing = this.queryPathInfo(registration.path);
    if (existing) return existing;
    const walk = sourceWalk({ nar }, { name: "imported" }, undefined);
    this.commitChecked(registration, walk, { verify: "import" });
    return this.mustInfo(registration.path);
  }

  narFromPath(path: string): Uint8Array {
    this.checkValidStorePath(path);
    const v = narBytesVisitor();
    visitAccessor(this.contents(), path, v);
    return v.finish();
  }

  protected mustInfo(path: string): ValidPathInfo {
    const info = this.queryPathInfo(path);
    if (!info) storeError(`path '${path}' is not valid`);
    return info;
  }

  /** `path` must be a store path (exactly) that is valid. */
  protected checkValidStorePath(path: string): void {
    this.baseNameOf(path);
    if (!this.isValidPath(path)) storeError(`path '${path}' is not valid`);
  }

  /** `path` must lie inside (or be) a valid store path. Returns the path, normalised. */
  protected checkInsideValid(path: string): string {
    const norm = "/" + pathComponents(path).join("/");
    const { storePath } = rethrowFormat(() => splitStorePath(norm, this.storeDir));
    const top = printStorePath(storePath, this.storeDir);
    if (!this.isValidPath(top)) storeError(`path '${top}' is not valid`);
    return norm;
  }

  /** lstat by a path whose directories are already resolved. */
  private rawLstat(path: string): FileStat | undefined {
    return this.contents().lstat(this.checkInsideValid(path));
  }

  /** Resolve every symlink on the way; the result must stay inside the store. */
  private resolveInside(path: string): string {
    const resolved = this.resolvePath(path);
    if (!resolved.startsWith(this.storeDir + "/"))
      storeError(`path '${path}' leads outside the store, to '${resolved}'`);
    return resolved;
  }

  /** Resolve the directories leading to `path`, not its last component (for lstat / readlink). */
  private resolveParents(path: string): string {
    const parts = pathComponents(path);
    const last = parts.pop();
    if (last === undefined || last === "..") return this.resolveInside(path);
    const parent = this.resolvePath("/" + parts.join("/"));
    return parent === "/" ? `/${last}` : `${parent}/${last}`;
  }

  lstat(path: string): FileStat | undefined {
    return this.rawLstat(this.resolveParents(path));
  }

  readFile(path: string): Uint8Array {
    const p = this.resolveInside(path);
    const st = this.rawLstat(p);
    if (!st) storeError(`opening file '${p}': No such file or directory`);
    if (st.type !== "regular") storeError(`file '${p}' is not a regular file`);
    return this.contents().readFile(p);
  }

  readDirectory(path: string): string[] {
    const p = this.resolveInside(path);
    const st = this.rawLstat(p);
    if (!st) storeError(`opening directory '${p}': No such file or directory`);
    if (st.type !== "directory") storeError(`'${p}' is not a directory`);
    return this.contents().readDirectory(p).sort(compareUtf8);
  }

  readLink(path: string): string {
    const p = this.resolveParents(path);
    const st = this.rawLstat(p);
    if (!st || st.type !== "symlink") storeError(`'${p}' is not a symlink`);
    return this.contents().readLink(p);
  }

  resolvePath(path: string): string {
    const storeParts = pathComponents(this.storeDir);
    let pending = pathComponents(path);
    let done: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === "..") {
        done.pop();
        continue;
      }
      done.push(c);
      const depth = done.length;
      if (depth <= storeParts.length) {
        // Still on the way to the store directory; a different way leads outside, where we cannot look.
        if (done[depth - 1] !== storeParts[depth - 1]) return "/" + [...done, ...pending].join("/");
        continue;
      }
      const current = "/" + done.join("/");
      const st = this.rawLstat(current);
      if (!st) return "/" + [...done, ...pending].join("/");
      if (st.type !== "symlink") continue;
      if (++hops > MAX_SYMLINK_HOPS)
        storeError(`too many symbolic links encountered while traversing the path '${path}'`);
      const target = this.contents().readLink(current);
      done.pop();
      if (target.startsWith("/")) done = [];
      pending = [...pathComponents(target), ...pending];
    }
    return "/" + done.join("/");
  }
}
