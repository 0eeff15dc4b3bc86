// builtins.fetchurl and builtins.fetchTarball (Nix's fetchTree.cc `fetch`), and the download,
// unpack and store plumbing that fetch-tree.ts shares. All IO goes through EvalIO: `fetchUrl`
// for bytes (file:// URLs fall back to readFileBytes), `decompress` for compressed tarballs;
// store objects are computed here (nix-compat) and handed to EvalIO.store.
import type { Span } from "@tsnix/parser";
import {
  checkStorePathName,
  hashBytes,
  hashEquals,
  makeFixedOutputPath,
  narHash,
  narRegular,
  parseTar,
  printHash,
  tarballRoot,
  type Hash,
  type NarNode,
} from "@tsnix/nix-compat";
import { forceStringNoCtx } from "../check.js";
import { NixError, evalError } from "../errors.js";
import { IOError, type CompressionFormat } from "../io.js";
import { baseNameOfString } from "../paths.js";
import { force, type Runtime } from "../runtime.js";
import { NixAttrs, mkString, type Lazy, type Value } from "../values.js";
import { parseExpectedHash } from "./hashing.js";
import { registerPrimops } from "./registry.js";
import { storeState, writableStore } from "./store-paths.js";

// ---- per-evaluation download cache ---------------------------------------------

interface FetchCache {
  /** URL → bytes. */
  readonly downloads: Map<string, Uint8Array>;
  /** URL → unpacked tarball. */
  readonly tarballs: Map<string, UnpackedTarball>;
}

export interface UnpackedTarball {
  readonly tree: NarNode;
  /** Newest member mtime (seconds). */
  readonly lastModified: number;
}

const caches = new WeakMap<Runtime, FetchCache>();

function cacheOf(rt: Runtime): FetchCache {
  let c = caches.get(rt);
  if (c === undefined) {
    c = { downloads: new Map(), tarballs: new Map() };
    caches.set(rt, c);
  }
  return c;
}

/** A NixError for a failure below a builtin (no position: the builtin's trace names the call). */
function fetchError(message: string): NixError {
  return evalError(message);
}

/** The local path of a `file:` URL (`file:///p`, `file://localhost/p`, `file:/p`, `file:p`). */
export function fileUrlPath(url: string): string {
  let rest = url.slice("file:".length);
  if (rest.startsWith("//")) {
    rest = rest.slice(2);
    const slash = rest.indexOf("/");
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  const q = rest.search(/[?#]/);
  if (q >= 0) rest = rest.slice(0, q);
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** The bytes at `url`, once per evaluation. */
export function download(rt: Runtime, url: string): Uint8Array {
  const cache = cacheOf(rt).downloads;
  const hit = cache.get(url);
  if (hit !== undefined) return hit;
  let bytes: Uint8Array;
  try {
    if (rt.io.fetchUrl !== undefined) bytes = rt.io.fetchUrl(url);
    else if (/^file:/i.test(url)) {
      const path = fileUrlPath(url);
      if (!path.startsWith("/") || !rt.io.pathExists(path) || rt.io.readFileType(path) !== "regular")
        throw new IOError(`unable to download '${url}': Couldn't read a file:// file (37)`);
      bytes = rt.io.readFileBytes(path);
    } else throw new IOError(`fetching '${url}' needs network access, which this evaluation does not have`);
  } catch (e) {
    if (e instanceof IOError) throw fetchError(e.message);
    throw e;
  }
  cache.set(url, bytes);
  return bytes;
}

function compressionOf(b: Uint8Array): CompressionFormat | null {
  if (b[0] === 0x1f && b[1] === 0x8b) return "gzip";
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a) return "xz";
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return "bzip2";
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return "zstd";
  return null;
}

/** Download and unpack a tarball (its single top-level directory, if that is all it holds). */
export function unpackTarball(rt: Runtime, url: string): UnpackedTarball {
  const cache = cacheOf(rt).tarballs;
  const hit = cache.get(url);
  if (hit !== undefined) return hit;
  let bytes = download(rt, url);
  const format = compressionOf(bytes);
  try {
    if (format !== null) {
      if (rt.io.decompress === undefined)
        throw new IOError(`cannot unpack '${url}': no ${format} decompressor in this evaluation`);
      bytes = rt.io.decompress(bytes, format);
    }
    const tar = parseTar(bytes);
    const r = { tree: tarballRoot(tar), lastModified: tar.lastModified };
    cache.set(url, r);
    return r;
  } catch (e) {
    if (e instanceof NixError) throw e;
    if (e instanceof IOError) throw fetchError(e.message);
    throw fetchError(`failed to unpack '${url}': ${(e as Error).message}`);
  }
}

// ---- store objects -----------------------------------------------------------------

export type IngestionMethod = "flat" | "nar";

/** The store path of `tree` added with `method` (sha256) under `name`; written unless read-only. */
export function addTreeToStore(rt: Runtime, name: string, tree: NarNode, method: IngestionMethod): string {
  let hash: Hash;
  if (method === "flat") {
    if (tree.type !== "regular")
      throw fetchError(`cannot add '${name}' to the store flat: not a regular file`);
    hash = hashBytes("sha256", tree.contents);
  } else hash = narHash(tree, "sha256").hash;
  const full = `${rt.storeDir}/${makeFixedOutputPath(name, method, hash, [], false, rt.storeDir).baseName}`;
  storeState(rt).references.set(full, []);
  writableStore(rt)?.addToStore?.({ path: full, name, method, hashAlgo: "sha256", tree, references: [] });
  return full;
}

/** Is `path` already a valid store path (the substitution shortcut of pinned fetches)? */
export function isValidStorePath(rt: Runtime, path: string): boolean {
  return rt.io.store?.isValidPath?.(path) === true;
}

export function storePathValue(path: string): Value {
  return mkString(path, new Set([path]));
}

// ---- fetchurl / fetchTarball -------------------------------------------------------

type Who = "fetchurl" | "fetchTarball";

/** Nix's resolvePseudoUrl (fetchTarball only): `channel:NAME`. */
function resolvePseudoUrl(url: string): string {
  if (url.startsWith("channel:"))
    return `https://channels.nixos.org/${url.slice("channel:".length)}/nixexprs.tar.xz`;
  return url;
}

function invalidNameError(
  url: string,
  message: string,
  who: Who,
  isAttrs: boolean,
  nameGiven: boolean,
): NixError {
  const resolution = nameGiven
    ? `Please change the value for the 'name' attribute passed to '${who}', so that it can create a valid store path.`
    : isAttrs
      ? `Please add a valid 'name' attribute to the argument for '${who}', so that it can create a valid store path.`
      : `Please pass an attribute set with 'url' and 'name' attributes to '${who}',  so that it can create a valid store path.`;
  return evalError(`invalid store path name when fetching URL '${url}': ${message}. ${resolution}`);
}

function fetchPrimop(rt: Runtime, arg: Lazy, span: Span | null, who: Who): Value {
  const unpack = who === "fetchTarball";
  let url: string | undefined;
  let expected: Hash | undefined;
  let name = unpack ? "source" : "";
  let nameGiven = false;
  const v = force(arg, span);
  const isAttrs = v instanceof NixAttrs;
  if (v instanceof NixAttrs) {
    for (const [n, value] of v.entries()) {
      const pos = v.posOf(n);
      if (n === "url") url = forceStringNoCtx(value, pos, "while evaluating the url we should fetch");
      else if (n === "sha256") {
        const s = forceStringNoCtx(value, pos, "while evaluating the sha256 of the content we should fetch");
        expected = parseExpectedHash(rt, s, "sha256", pos);
      } else if (n === "name") {
        nameGiven = true;
        name = forceStringNoCtx(value, pos, "while evaluating the name of the content we should fetch");
      } else throw evalError(`unsupported argument '${n}' to '${who}'`);
    }
    if (url === undefined) throw evalError("'url' argument required");
  } else url = forceStringNoCtx(v, span, "while evaluating the url we should fetch");

  if (unpack) url = resolvePseudoUrl(url);
  if (name === "") name = baseNameOfString(url);
  try {
    checkStorePathName(name);
  } catch (e) {
    throw invalidNameError(url, (e as Error).message, who, isAttrs, nameGiven);
  }
  if (rt.pureEval && expected === undefined)
    throw evalError(`in pure evaluation mode, '${who}' requires a 'sha256' argument`);

  const method: IngestionMethod = unpack ? "nar" : "flat";
  if (expected !== undefined && expected.algo === "sha256") {
    const want = `${rt.storeDir}/${makeFixedOutputPath(name, method, expected, [], false, rt.storeDir).baseName}`;
    if (isValidStorePath(rt, want)) return storePathValue(want);
  }

  const tree = unpack ? unpackTarball(rt, url).tree : narRegular(download(rt, url));
  const path = addTreeToStore(rt, name, tree, method);
  if (expected !== undefined) {
    const got =
      tree.type === "regular" && !unpack ? hashBytes("sha256", tree.contents) : narHash(tree, "sha256").hash;
    if (!hashEquals(got, expected))
      throw evalError(
        `hash mismatch in file downloaded from '${url}':\n  specified: ${printHash(expected, "nix32", true)}\n  got:       ${printHash(got, "nix32", true)}`,
      );
  }
  return storePathValue(path);
}

registerPrimops([
  {
    name: "fetchurl",
    arity: 1,
    args: ["arg"],
    doc: "Download a URL (a string, or { url; name?; sha256?; }) into the store; returns its store path.",
    impl: (rt, [a], span) => fetchPrimop(rt, a!, span, "fetchurl"),
  },
  {
    name: "fetchTarball",
    arity: 1,
    args: ["args"],
    global: true,
    doc: "Download and unpack a tarball (a URL, or { url; name?; sha256?; }); returns the unpacked tree's store path.",
    impl: (rt, [a], span) => fetchPrimop(rt, a!, span, "fetchTarball"),
  },
]);
