import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { base16Decode, base16Encode, base64Decode, base64Encode, utf8Encode } from "./encoding.js";
import { formatError } from "./errors.js";
import { nix32Decode, nix32EncodedLength, nix32Encode } from "./nixbase32.js";

export type HashAlgo = "md5" | "sha1" | "sha256" | "sha512";
export type HashFormat = "base16" | "nix32" | "base64" | "sri";

/**
 * Nix's `parseHashFormat` (e.g. `builtins.convertHash`'s `toHashFormat`). `base32` is accepted as a
 * deprecated alias of `nix32`; the caller prints Nix's warning when `deprecatedAlias` is set:
 * `"base32" is a deprecated alias for hash format "nix32".`
 */
export function parseHashFormat(s: string): { format: HashFormat; deprecatedAlias: boolean } {
  if (s === "base16" || s === "nix32" || s === "base64" || s === "sri")
    return { format: s, deprecatedAlias: false };
  if (s === "base32") return { format: "nix32", deprecatedAlias: true };
  return formatError(`unknown hash format '${s}', expect 'base16', 'base32', 'base64', or 'sri'`);
}

/** A digest together with its algorithm. `bytes` is never mutated by this package. */
export interface Hash {
  readonly algo: HashAlgo;
  readonly bytes: Uint8Array;
}

/** A hash function that can be fed incrementally (the shape of @noble/hashes and node:crypto's createHash). */
export interface HashImplementation {
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array };
  /** One-shot digest, when the implementation has a cheaper one than create/update/digest. */
  digest?(data: Uint8Array): Uint8Array;
}

interface AlgoInfo {
  readonly size: number;
  readonly builtin: HashImplementation;
  hasher: HashImplementation;
}

const ALGOS: Record<HashAlgo, AlgoInfo> = {
  md5: { size: 16, builtin: md5, hasher: md5 },
  sha1: { size: 20, builtin: sha1, hasher: sha1 },
  sha256: { size: 32, builtin: sha256, hasher: sha256 },
  sha512: { size: 64, builtin: sha512, hasher: sha512 },
};

/**
 * Replace the implementation of one algorithm for this whole process (null: back to the built-in
 * @noble/hashes one). This package stays browser-safe; a Node host installs the runtime's native
 * hashing here at start-up (@tsnix/glue's installNativeHashing), which hashes derivation ATerms about
 * 4x faster. The implementation must not keep the bytes passed to `update` after it returns.
 */
export function setHashImplementation(algo: HashAlgo, impl: HashImplementation | null): void {
  const info = ALGOS[algo];
  info.hasher = impl ?? info.builtin;
}

export const HASH_ALGOS: readonly HashAlgo[] = ["md5", "sha1", "sha256", "sha512"];

export function isHashAlgo(s: string): s is HashAlgo {
  return Object.prototype.hasOwnProperty.call(ALGOS, s);
}

/** Parse an algorithm name; Nix's error text. */
export function parseHashAlgo(s: string): HashAlgo {
  if (isHashAlgo(s)) return s;
  return formatError(`unknown hash algorithm '${s}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'`);
}

export function hashSize(algo: HashAlgo): number {
  return ALGOS[algo].size;
}

/** Incremental hashing, for NAR streams and large files. */
export interface HashSink {
  update(chunk: Uint8Array | string): HashSink;
  finish(): Hash;
}

export function hashSink(algo: HashAlgo): HashSink {
  const h = ALGOS[algo].hasher.create();
  const sink: HashSink = {
    update(chunk) {
      h.update(typeof chunk === "string" ? utf8Encode(chunk) : chunk);
      return sink;
    },
    finish: () => ({ algo, bytes: h.digest() }),
  };
  return sink;
}

export function hashBytes(algo: HashAlgo, data: Uint8Array): Hash {
  return { algo, bytes: digestOf(algo, data) };
}

function digestOf(algo: HashAlgo, data: Uint8Array): Uint8Array {
  const impl = ALGOS[algo].hasher;
  if (impl.digest !== undefined) return impl.digest(data);
  const h = impl.create();
  h.update(data);
  return h.digest();
}

/** Reused for the UTF-8 bytes of strings being hashed (hashers copy what they are given). */
let scratch = new Uint8Array(4096);
const textEncoder = new TextEncoder();

/** Hash the UTF-8 bytes of a string (Nix's `hashString`). */
export function hashString(algo: HashAlgo, s: string): Hash {
  // A UTF-16 code unit is at most 3 UTF-8 bytes; encodeInto then never truncates.
  if (s.length * 3 > scratch.length) {
    if (s.length > 1 << 20) return { algo, bytes: digestOf(algo, utf8Encode(s)) };
    scratch = new Uint8Array(Math.max(s.length * 3, scratch.length * 2));
  }
  const { written } = textEncoder.encodeInto(s, scratch);
  return { algo, bytes: digestOf(algo, scratch.subarray(0, written)) };
}

function base64Length(size: number): number {
  return (Math.floor((4 * size) / 3) + 3) & ~3;
}

/** Print the digest alone in one encoding (no algorithm prefix; SRI always has one). */
export function encodeDigest(hash: Hash, format: Exclude<HashFormat, "sri">): string {
  switch (format) {
    case "base16":
      return base16Encode(hash.bytes);
    case "nix32":
      return nix32Encode(hash.bytes);
    case "base64":
      return base64Encode(hash.bytes);
  }
}

/**
 * Nix's `Hash::to_string(format, includeAlgo)`: `algo:digest` when `includeAlgo`, and for SRI always
 * `algo-base64`.
 */
export function printHash(hash: Hash, format: HashFormat, includeAlgo = false): string {
  if (format === "sri") return `${hash.algo}-${base64Encode(hash.bytes)}`;
  const digest = encodeDigest(hash, format);
  return includeAlgo ? `${hash.algo}:${digest}` : digest;
}

export function sriHash(hash: Hash): string {
  return printHash(hash, "sri");
}

/** Which encodings a hash of `algo` may come in, decided by length as Nix does. */
function decodeByLength(rest: string, algo: HashAlgo, original: string): Uint8Array {
  const size = hashSize(algo);
  if (rest.length === size * 2) return base16Decode(rest);
  if (rest.length === nix32EncodedLength(size)) return nix32Decode(rest, size);
  if (rest.length === base64Length(size)) return decodeBase64Exact(rest, size, original);
  return formatError(`hash '${original}' has wrong length for hash algorithm '${algo}'`);
}

function decodeBase64Exact(rest: string, size: number, original: string): Uint8Array {
  const bytes = base64Decode(rest);
  if (bytes.length !== size) formatError(`invalid base-64 hash '${original}'`);
  return bytes;
}

/** A digest without algorithm prefix, of a known algorithm, in base16, nix32 or base64. */
export function parseHashUnprefixed(s: string, algo: HashAlgo): Hash {
  return { algo, bytes: decodeByLength(s, algo, s) };
}

/** `algo-base64` only. */
export function parseSriHash(s: string): Hash {
  const dash = s.indexOf("-");
  if (dash < 0) formatError(`hash '${s}' is not SRI`);
  const algo = parseHashAlgo(s.slice(0, dash));
  const rest = s.slice(dash + 1);
  const size = hashSize(algo);
  if (rest.length !== base64Length(size)) formatError(`invalid SRI hash '${s}'`);
  return { algo, bytes: decodeBase64Exact(rest, size, s) };
}

function splitPrefix(s: string): { algo: HashAlgo; rest: string; sri: boolean } | undefined {
  const colon = s.indexOf(":");
  if (colon >= 0) return { algo: parseHashAlgo(s.slice(0, colon)), rest: s.slice(colon + 1), sri: false };
  const dash = s.indexOf("-");
  if (dash >= 0) return { algo: parseHashAlgo(s.slice(0, dash)), rest: s.slice(dash + 1), sri: true };
  return undefined;
}

function parseSplit(s: string, p: { algo: HashAlgo; rest: string; sri: boolean }): Hash {
  if (p.sri) {
    const size = hashSize(p.algo);
    if (p.rest.length !== base64Length(size)) formatError(`invalid SRI hash '${s}'`);
    return { algo: p.algo, bytes: decodeBase64Exact(p.rest, size, s) };
  }
  return { algo: p.algo, bytes: decodeByLength(p.rest, p.algo, s) };
}

/** A hash that must name its algorithm: `algo:digest` or SRI `algo-base64` (Nix's `parseAnyPrefixed`). */
export function parseHashPrefixed(s: string): Hash {
  const p = splitPrefix(s);
  if (!p) return formatError(`hash '${s}' does not include a type`);
  return parseSplit(s, p);
}

/**
 * Nix's `Hash::parseAny(s, algo)`: prefixed or SRI forms, or a bare digest when `algo` is given.
 * A prefix must agree with `algo` when both are present.
 */
export function parseHash(s: string, algo?: HashAlgo): Hash {
  const p = splitPrefix(s);
  if (p) {
    if (algo && p.algo !== algo) formatError(`hash '${s}' should have type '${algo}'`);
    return parseSplit(s, p);
  }
  if (!algo)
    return formatError(`hash '${s}' does not include a type, nor is the type otherwise known from context`);
  return parseHashUnprefixed(s, algo);
}

/**
 * Nix's `newHashAllowEmpty` (`outputHash = ""` in fixed-output derivations): an empty string means an
 * all-zero hash of `algo`, and the caller prints `warning` (Nix's text) to the user.
 */
export function parseHashAllowEmpty(s: string, algo?: HashAlgo): { hash: Hash; warning?: string } {
  if (s !== "") return { hash: parseHash(s, algo) };
  if (!algo) return formatError("empty hash requires explicit hash algorithm");
  const hash = { algo, bytes: new Uint8Array(hashSize(algo)) };
  return { hash, warning: `found empty hash, assuming '${printHash(hash, "sri")}'` };
}

/** Nix's `compressHash`: XOR-fold a digest down to `size` bytes (store paths use 20). */
export function compressHash(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < bytes.length; i++) out[i % size]! ^= bytes[i]!;
  return out;
}

export function hashEquals(a: Hash, b: Hash): boolean {
  if (a.algo !== b.algo || a.bytes.length !== b.bytes.length) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}
