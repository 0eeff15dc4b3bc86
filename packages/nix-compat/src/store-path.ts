import { ByteSink } from "./byte-sink.js";
import { sortedUnique } from "./encoding.js";
import { formatError } from "./errors.js";
import { compressHash, type Hash, hashBytes, hashString } from "./hash.js";
import { isNix32Code, nix32Encode } from "./nixbase32.js";

export const DEFAULT_STORE_DIR = "/nix/store";
/** Length of the nix32 hash part of a store path (20 bytes). */
export const STORE_PATH_HASH_LENGTH = 32;
/** Longest allowed name (Nix's `StorePath::MaxPathLen`). */
export const STORE_PATH_MAX_NAME_LENGTH = 211;
export const DRV_EXTENSION = ".drv";

/**
 * A store path without its store directory: `<32-char nix32 hash>-<name>`.
 * `baseName` is what derivation JSON and this package's `Derivation` use; print it with a store dir via
 * `printStorePath`.
 */
export class StorePath {
  readonly hashPart: string;
  readonly name: string;

  /**
   * Use `parseStorePathBaseName` / `parseStorePath` for untrusted input; this only checks the name rules
   * (`check = false`: the caller made both parts and checked the name).
   */
  constructor(hashPart: string, name: string, check = true) {
    if (check) {
      checkHashPart(hashPart, `${hashPart}-${name}`);
      checkStorePathName(name);
    }
    this.hashPart = hashPart;
    this.name = name;
  }

  get baseName(): string {
    return `${this.hashPart}-${this.name}`;
  }

  isDerivation(): boolean {
    return this.name.endsWith(DRV_EXTENSION);
  }

  /** For `foo.drv`, `foo`. */
  get derivationName(): string {
    if (!this.isDerivation()) formatError(`path '${this.baseName}' is not a derivation`);
    return this.name.slice(0, -DRV_EXTENSION.length);
  }

  equals(other: StorePath): boolean {
    return this.hashPart === other.hashPart && this.name === other.name;
  }

  toString(): string {
    return this.baseName;
  }
}

function checkHashPart(hashPart: string, whole: string): void {
  if (hashPart.length !== STORE_PATH_HASH_LENGTH)
    formatError(`path '${whole}' is not a valid store path: hash part has wrong length`);
  for (let i = 0; i < hashPart.length; i++)
    if (!isNix32Code(hashPart.charCodeAt(i)))
      formatError(
        `path '${whole}' is not a valid store path: invalid character '${hashPart[i]}' in hash part`,
      );
}

function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    c === 43 || // +
    c === 45 || // -
    c === 46 || // .
    c === 95 || // _
    c === 63 || // ?
    c === 61 // =
  );
}

/**
 * Nix's `checkName`: non-empty, at most 211 characters of `[0-9a-zA-Z+\-._?=]`, and not `.` or `..`
 * (alone or as the first dash-separated component). Throws NixFormatError with Nix's message.
 */
export function checkStorePathName(name: string): void {
  if (name.length === 0) formatError("name must not be empty");
  if (name.length > STORE_PATH_MAX_NAME_LENGTH)
    formatError(`name '${name}' must be no longer than ${STORE_PATH_MAX_NAME_LENGTH} characters`);
  if (name[0] === ".") {
    if (name.length === 1) formatError(`name '${name}' is not valid`);
    if (name[1] === "-")
      formatError(`name '${name}' is not valid: first dash-separated component must not be '.'`);
    if (name[1] === ".") {
      if (name.length === 2) formatError(`name '${name}' is not valid`);
      if (name[2] === "-")
        formatError(`name '${name}' is not valid: first dash-separated component must not be '..'`);
    }
  }
  for (let i = 0; i < name.length; i++)
    if (!isNameChar(name.charCodeAt(i)))
      formatError(`name '${name}' contains illegal character '${name[i]}'`);
}

export function isValidStorePathName(name: string): boolean {
  try {
    checkStorePathName(name);
    return true;
  } catch {
    return false;
  }
}

/** Parse `<hash>-<name>` (no directory). */
export function parseStorePathBaseName(baseName: string): StorePath {
  if (baseName.length < STORE_PATH_HASH_LENGTH + 1 || baseName[STORE_PATH_HASH_LENGTH] !== "-")
    formatError(
      `path '${baseName}' is not a valid store path: it is too short or lacks the '-' after the hash`,
    );
  return new StorePath(baseName.slice(0, STORE_PATH_HASH_LENGTH), baseName.slice(STORE_PATH_HASH_LENGTH + 1));
}

/** Parse an absolute store path `<storeDir>/<hash>-<name>`; nothing may follow the name. */
export function parseStorePath(path: string, storeDir: string = DEFAULT_STORE_DIR): StorePath {
  const prefix = storeDir + "/";
  if (!path.startsWith(prefix)) formatError(`path '${path}' is not in the Nix store`);
  const base = path.slice(prefix.length);
  if (base.includes("/")) formatError(`path '${path}' is not in the Nix store`);
  return parseStorePathBaseName(base);
}

/** Is `path` exactly a store path (not below one)? */
export function isStorePath(path: string, storeDir: string = DEFAULT_STORE_DIR): boolean {
  try {
    parseStorePath(path, storeDir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Split a path inside the store into the store path and the rest (`/nix/store/h-n/bin/x` → `h-n`, `/bin/x`);
 * Nix's `toStorePath`.
 */
export function splitStorePath(
  path: string,
  storeDir: string = DEFAULT_STORE_DIR,
): { storePath: StorePath; rest: string } {
  const prefix = storeDir + "/";
  if (!path.startsWith(prefix)) formatError(`path '${path}' is not in the Nix store`);
  const slash = path.indexOf("/", prefix.length);
  const base = slash < 0 ? path.slice(prefix.length) : path.slice(prefix.length, slash);
  return { storePath: parseStorePathBaseName(base), rest: slash < 0 ? "" : path.slice(slash) };
}

export function printStorePath(path: StorePath | string, storeDir: string = DEFAULT_STORE_DIR): string {
  return `${storeDir}/${typeof path === "string" ? path : path.baseName}`;
}

/**
 * Nix's `makeStorePath`: the hash part is the 20-byte XOR-fold of
 * `sha256("<type>:<algo>:<base16 digest>:<storeDir>:<name>")`.
 */
export function makeStorePath(
  type: string,
  inner: Hash,
  name: string,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  checkStorePathName(name);
  // The fingerprint `${type}:${inner.algo}:${base16(inner)}:${storeDir}:${name}`, written as bytes.
  const f = fingerprint;
  f.reset();
  f.text(type);
  f.byte(58);
  f.ascii(inner.algo);
  f.byte(58);
  f.hex(inner.bytes);
  f.byte(58);
  f.text(storeDir);
  f.byte(58);
  f.text(name);
  const digest = hashBytes("sha256", f.view()).bytes;
  return new StorePath(nix32Encode(compressHash(digest, 20)), name, false);
}

const fingerprint = new ByteSink(512);

/** References of a store object, as base names or StorePaths. */
export type References = Iterable<StorePath | string>;

function baseNames(refs: References | undefined): string[] {
  if (!refs) return [];
  const names: string[] = [];
  for (const r of refs) names.push(typeof r === "string" ? r : r.baseName);
  return sortedUnique(names);
}

/** Nix's `makeType`: `type` then `:<printed path>` per reference (sorted), then `:self` if self-referencing. */
export function makeStorePathType(
  type: string,
  references: References | undefined,
  hasSelfReference = false,
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  let t = type;
  for (const r of baseNames(references)) t += ":" + printStorePath(r, storeDir);
  if (hasSelfReference) t += ":self";
  return t;
}

/** `name` for output `out`, `name-<output>` otherwise (Nix's `outputPathName`). */
export function outputPathName(drvName: string, outputName: string): string {
  return outputName === "out" ? drvName : `${drvName}-${outputName}`;
}

/** Path of an input-addressed output: `makeStorePath("output:<id>", hashModulo, outputPathName(name, id))`. */
export function makeOutputPath(
  outputName: string,
  drvHashModulo: Hash,
  drvName: string,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  return makeStorePath(`output:${outputName}`, drvHashModulo, outputPathName(drvName, outputName), storeDir);
}

/** Text store object (`builtins.toFile`, `.drv` files): `text` type with references; hash is sha256 of contents. */
export function makeTextPath(
  name: string,
  contentHash: Hash,
  references?: References,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  if (contentHash.algo !== "sha256") formatError(`text store path '${name}' must be hashed with sha256`);
  return makeStorePath(makeStorePathType("text", references, false, storeDir), contentHash, name, storeDir);
}

/** Store path of a text file with the given contents, as `builtins.toFile` / writing a `.drv` computes it. */
export function computeStorePathForText(
  name: string,
  contents: string | Uint8Array,
  references?: References,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  const h = typeof contents === "string" ? hashString("sha256", contents) : hashBytes("sha256", contents);
  return makeTextPath(name, h, references, storeDir);
}
