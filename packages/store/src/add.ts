import {
  type ContentAddress,
  type Hash,
  makeFixedOutputPath,
  NixFormatError,
  parseNar,
  parseStorePath,
  printStorePath,
  hashSink,
} from "@tsnix/nix-compat";
import {
  type AddSource,
  type AddToStoreOptions,
  type PathFilter,
  type SourceAccessor,
  StoreError,
  storeError,
} from "./store.js";
import { treeAccessor } from "./tree.js";
import { sortedUnique } from "./util.js";
import { narHashVisitor, type TreeVisitor, teeVisitor, visitAccessor } from "./walk.js";

/** A walk over the contents to add; may be run more than once (each run re-reads the source). */
export type ContentWalk = (visitor: TreeVisitor) => void;

/** Everything an add decides before anything is written. */
export interface PreparedAdd {
  /** Full logical store path. */
  readonly path: string;
  readonly narHash: Hash;
  readonly narSize: number;
  readonly contentAddress: ContentAddress;
  /** Sorted full store paths. */
  readonly references: readonly string[];
}

/** Turn nix-compat's format errors into store errors (same text). */
export function rethrowFormat<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NixFormatError) throw new StoreError(e.message);
    throw e;
  }
}

/**
 * The walk for a source. Flat ingestion stores exactly one regular file, so anything else is rejected;
 * the executable bit is kept, as Nix 2.8 keeps it (the flat hash ignores it, the NAR hash does not).
 */
export function sourceWalk(
  source: AddSource,
  options: AddToStoreOptions,
  defaultAccessor: SourceAccessor | undefined,
): ContentWalk {
  const filter = options.filter && onceFilter(options.filter);
  let walk: ContentWalk;
  if ("tree" in source) {
    const acc = treeAccessor(source.tree);
    walk = (v) => visitAccessor(acc, "/", v, filter);
  } else if ("nar" in source) {
    const acc = treeAccessor(rethrowFormat(() => parseNar(source.nar)));
    walk = (v) => visitAccessor(acc, "/", v, filter);
  } else {
    if (!source.path.startsWith("/")) storeError(`path '${source.path}' is not absolute`);
    const acc = source.accessor ?? defaultAccessor;
    if (!acc)
      storeError(`cannot read '${source.path}': this store has no file system access; pass an accessor`);
    walk = (v) => visitAccessor(acc, source.path, v, filter);
  }
  if ((options.method ?? "nar") === "nar") return walk;
  const what = "path" in source ? `'${source.path}'` : "the source";
  return (v) =>
    walk({
      ...v,
      symlink: () =>
        storeError(`cannot add ${what} with flat hashing: it is a symbolic link, not a regular file`),
      directoryStart: () =>
        storeError(`cannot add ${what} with flat hashing: it is a directory, not a regular file`),
    });
}

/**
 * The filter is user code (a Nix function, maybe with `builtins.trace` in it): call it once per path, as
 * Nix does, although an add walks the source twice (hash, then write).
 */
function onceFilter(filter: PathFilter): PathFilter {
  const answers = new Map<string, boolean>();
  return (path, type) => {
    const key = `${type}\0${path}`;
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = filter(path, type)));
    return answer;
  };
}

/** A visitor that hashes the single regular file of a flat walk. */
function flatHashVisitor(algo: ContentAddress["hash"]["algo"]): TreeVisitor & { finish(): Hash } {
  const sink = hashSink(algo);
  const noop = (): void => {};
  return {
    regular: (_e, contents) => void sink.update(contents),
    symlink: noop,
    directoryStart: noop,
    entryStart: noop,
    entryEnd: noop,
    directoryEnd: noop,
    finish: () => sink.finish(),
  };
}

/**
 * Hash a walk (plus whatever `extra` visitor wants the same events, e.g. a disk writer) and compute the
 * store path as Nix's `addToStore` does: `nar`+sha256 gives a `source` path, others a fixed-output path.
 */
export function prepareAdd(
  walk: ContentWalk,
  options: AddToStoreOptions,
  storeDir: string,
  extra?: TreeVisitor,
): PreparedAdd {
  const method = options.method ?? "nar";
  const algo = options.hashAlgo ?? "sha256";
  const nar = narHashVisitor("sha256");
  const visitors: TreeVisitor[] = [nar];
  let content: (TreeVisitor & { finish(): { hash: Hash } | Hash }) | undefined;
  if (method === "flat") content = flatHashVisitor(algo);
  else if (algo !== "sha256") content = narHashVisitor(algo);
  if (content) visitors.push(content);
  if (extra) visitors.push(extra);
  walk(visitors.length === 1 ? nar : teeVisitor(visitors));
  const narResult = nar.finish();
  let contentHash = narResult.hash;
  if (content) {
    const r = content.finish();
    contentHash = "bytes" in r ? r : r.hash;
  }
  const references = sortedUnique(options.references ?? []);
  return rethrowFormat(() => {
    const baseNames = references.map((p) => parseStorePath(p, storeDir).baseName);
    const sp = makeFixedOutputPath(options.name, method, contentHash, baseNames, false, storeDir);
    return {
      path: printStorePath(sp, storeDir),
      narHash: narResult.hash,
      narSize: narResult.size,
      contentAddress: { method, hash: contentHash },
      references,
    };
  });
}

/**
 * The path `addToStore` would give, without a store (a dry run, like `nix-store --add --dry-run` or
 * evaluation in read-only mode). `defaultAccessor` reads `{ path }` sources that name no accessor.
 */
export function computeStorePathForAdd(
  source: AddSource,
  options: AddToStoreOptions,
  storeDir: string,
  defaultAccessor?: SourceAccessor,
): PreparedAdd {
  return prepareAdd(sourceWalk(source, options, defaultAccessor), options, storeDir);
}
