import { formatError } from "./errors.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: false });

/** UTF-8 bytes of a JS string (Nix strings are byte strings; we store them as UTF-8). */
export function utf8Encode(s: string): Uint8Array {
  return textEncoder.encode(s);
}

export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/**
 * Compare two strings in UTF-8 byte order (= code point order), which is how Nix's `std::map<std::string>`
 * and `std::set<std::string>` order keys. Plain `<` on JS strings compares UTF-16 code units and
 * disagrees for characters above U+FFFF versus U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function hasSurrogateOrAbove(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true;
  return false;
}

/**
 * Sort strings in place in UTF-8 byte order. UTF-16 order (the engine's default, and fast) only differs
 * when surrogates meet U+E000..U+FFFF, so the slower comparator is used only when such characters occur.
 * Short arrays (attribute names, outputs) are insertion-sorted: Array.prototype.sort allocates work
 * space on every call, which showed up as garbage when instantiating many derivations.
 */
export function sortUtf8(items: string[]): string[] {
  let sorted = true;
  for (let i = 0; i < items.length; i++) {
    const s = items[i]!;
    if (hasSurrogateOrAbove(s)) return items.sort(compareUtf8);
    if (sorted && i > 0 && items[i - 1]! > s) sorted = false;
  }
  if (sorted) return items;
  if (items.length > 16) return items.sort();
  for (let i = 1; i < items.length; i++) {
    const s = items[i]!;
    let j = i - 1;
    for (; j >= 0 && items[j]! > s; j--) items[j + 1] = items[j]!;
    items[j + 1] = s;
  }
  return items;
}

/** Sorted (UTF-8 order) unique copy of some strings, as a `std::set<std::string>` would iterate. */
export function sortedUnique(items: Iterable<string>): string[] {
  return sortUtf8(items instanceof Set ? [...(items as Set<string>)] : [...new Set(items)]);
}

/** Character codes of the hex digits. */
const HEX_CODES = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Scratch for base16Encode's digits (grown up to 64 KiB). */
let hexScratch = new Uint8Array(256);

/**
 * Lower-case hex: the digits written as bytes into a reused buffer and decoded once. Appending two
 * digits at a time made a rope of one node per byte (32 for a SHA-256) that V8 then had to flatten.
 */
export function base16Encode(bytes: Uint8Array): string {
  const n = 2 * bytes.length;
  // Digests are at most 128 digits; a big input gets a buffer of its own rather than keeping one.
  const out =
    n <= hexScratch.length ? hexScratch : n <= 65536 ? (hexScratch = new Uint8Array(n)) : new Uint8Array(n);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    const b = bytes[i]!;
    out[j] = HEX_CODES[b >> 4]!;
    out[j + 1] = HEX_CODES[b & 15]!;
  }
  return textDecoder.decode(out.subarray(0, n));
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function base16Decode(s: string): Uint8Array {
  if (s.length % 2 !== 0) formatError(`invalid base-16 string '${s}': odd length`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(s.charCodeAt(2 * i));
    const lo = hexDigit(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) formatError(`invalid character in base-16 string '${s}'`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64Encode(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + "==";
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + "=";
  }
  return s;
}

/** Decode standard (padded) base64, rejecting characters outside the alphabet. */
export function base64Decode(s: string): Uint8Array {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  if (s.length - end > 2) formatError(`invalid base-64 string '${s}'`);
  const out = new Uint8Array(Math.floor((end * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) formatError(`invalid character in base-64 string '${s}'`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
