import { formatError } from "./errors.js";

/** Nix's base-32 alphabet: digits and letters without e, o, u, t. */
export const NIX32_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

const NIX32_CODES = Array.from(NIX32_ALPHABET, (c) => c.charCodeAt(0));
const NIX32_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < NIX32_ALPHABET.length; i++) NIX32_INDEX[NIX32_ALPHABET.charCodeAt(i)] = i;

/** Length of the nix32 encoding of `byteLength` bytes. */
export function nix32EncodedLength(byteLength: number): number {
  return byteLength === 0 ? 0 : Math.floor((byteLength * 8 - 1) / 5) + 1;
}

/**
 * Encode as Nix does: the most significant 5-bit group first, where bits are numbered from the
 * least significant bit of byte 0 (i.e. the bytes are read as one little-endian number).
 */
export function nix32Encode(bytes: Uint8Array): string {
  const len = nix32EncodedLength(bytes.length);
  const codes: number[] = new Array<number>(len);
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    const lo = bytes[i]! >> j;
    const hi = i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0;
    codes[len - 1 - n] = NIX32_CODES[(lo | hi) & 0x1f]!;
  }
  return len <= 4096
    ? String.fromCharCode.apply(null, codes)
    : codes.map((c) => String.fromCharCode(c)).join("");
}

/** Is `c` (a one-character string) a nix32 digit? */
export function isNix32Char(c: string): boolean {
  return isNix32Code(c.charCodeAt(0));
}

/** Is this UTF-16 code unit a nix32 digit? */
export function isNix32Code(code: number): boolean {
  return code < 128 && NIX32_INDEX[code]! >= 0;
}

/** Decode a nix32 string; `byteLength` defaults to the largest size that fits the string. */
export function nix32Decode(s: string, byteLength: number = Math.floor((s.length * 5) / 8)): Uint8Array {
  if (nix32EncodedLength(byteLength) !== s.length)
    formatError(`invalid nix32 string '${s}': wrong length for ${byteLength} bytes`);
  const out = new Uint8Array(byteLength);
  for (let n = 0; n < s.length; n++) {
    const code = s.charCodeAt(s.length - n - 1);
    const digit = code < 128 ? NIX32_INDEX[code]! : -1;
    if (digit < 0) formatError(`invalid character in nix32 string '${s}'`);
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    out[i]! |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < byteLength) out[i + 1]! |= carry;
    else if (carry !== 0) formatError(`invalid nix32 string '${s}': value does not fit`);
  }
  return out;
}
