// A growable UTF-8 byte buffer with ATerm string escaping: what derivation texts and store path
// fingerprints are written into before they are hashed, without building JS strings first.

/** For the ASCII characters Nix escapes in ATerm strings, the letter after the backslash (else 0). */
const ESCAPE_LETTER = new Uint8Array(128);
ESCAPE_LETTER[34] = 34; // "
ESCAPE_LETTER[92] = 92; // \
ESCAPE_LETTER[10] = 110; // n
ESCAPE_LETTER[13] = 114; // r
ESCAPE_LETTER[9] = 116; // t

const QUOTE = 34;
const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
/** Up to this length strings are encoded by a JS loop; longer ones by the native encoder. */
const SHORT = 24;
const textEncoder = new TextEncoder();

/** A growable byte buffer, reused between texts (`reset`). UTF-8 as TextEncoder writes it. */
export class ByteSink {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
  }

  reset(): void {
    this.length = 0;
  }

  /** The bytes written, without copying (valid until the next write). */
  view(start = 0, end = this.length): Uint8Array {
    return this.bytes.subarray(start, end);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** ASCII-only text known at compile time (punctuation). */
  ascii(s: string): void {
    this.reserve(s.length);
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.length = p;
  }

  /** `s` as UTF-8, unescaped. */
  text(s: string): void {
    this.reserve(s.length * 3);
    if (s.length > SHORT) this.length += textEncoder.encodeInto(s, this.bytes.subarray(this.length)).written;
    else this.encode(s, false);
  }

  /** `"s"` without escaping (Nix prints output names, paths, hash fields and `system` so). */
  quoted(s: string): void {
    this.byte(QUOTE);
    this.text(s);
    this.byte(QUOTE);
  }

  /** `"s"` with Nix's escapes (`"` `\` newline CR tab; everything else verbatim). */
  escaped(s: string): void {
    // Escapes take 2 bytes for 1 code unit, so 3 bytes per unit (UTF-8's worst case) is room enough.
    this.reserve(s.length * 3 + 2);
    this.bytes[this.length++] = QUOTE;
    if (s.length > SHORT) this.escapeLong(s);
    else this.encode(s, true);
    this.bytes[this.length++] = QUOTE;
  }

  /**
   * Long strings (often ropes, which the native encoder flattens much faster than charCodeAt walks
   * them): encode natively, then widen the escaped bytes in place, from the back. All escaped
   * characters are ASCII, so no byte of a multi-byte sequence is mistaken for one.
   */
  private escapeLong(s: string): void {
    const b = this.bytes;
    const start = this.length;
    const end = start + textEncoder.encodeInto(s, b.subarray(start)).written;
    let extra = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c < 128 && ESCAPE_LETTER[c] !== 0) extra++;
    }
    if (extra > 0) {
      let w = end + extra;
      for (let i = end - 1; w > i + 1; i--) {
        const c = b[i]!;
        const e = c < 128 ? ESCAPE_LETTER[c]! : 0;
        if (e !== 0) {
          b[--w] = e;
          b[--w] = 92;
        } else b[--w] = c;
      }
    }
    this.length = end + extra;
  }

  /** Lower-case hex digits of `bytes`. */
  hex(bytes: Uint8Array): void {
    this.reserve(bytes.length * 2);
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < bytes.length; i++) {
      const x = bytes[i]!;
      b[p++] = HEX_DIGITS[x >> 4]!;
      b[p++] = HEX_DIGITS[x & 15]!;
    }
    this.length = p;
  }

  /** Bytes [start, end) of another sink (or this one, before `start`). */
  copy(from: ByteSink, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    if (n > 64) this.bytes.set(from.bytes.subarray(start, end), this.length);
    else {
      // Short ranges (env entries) by hand: a subarray per copy was most of the garbage made here.
      const src = from.bytes;
      const dst = this.bytes;
      let p = this.length;
      for (let i = start; i < end; i++) dst[p++] = src[i]!;
    }
    this.length += n;
  }

  /** UTF-8 (lone surrogates as U+FFFD, as TextEncoder); room for 3 bytes per code unit reserved. */
  private encode(s: string, escape: boolean): void {
    const b = this.bytes;
    let p = this.length;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        const e = escape ? ESCAPE_LETTER[c]! : 0;
        if (e !== 0) {
          b[p++] = 92;
          b[p++] = e;
        } else b[p++] = c;
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c < 0xe000) {
          const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            b[p++] = 0xf0 | (cp >> 18);
            b[p++] = 0x80 | ((cp >> 12) & 63);
            b[p++] = 0x80 | ((cp >> 6) & 63);
            b[p++] = 0x80 | (cp & 63);
            i++;
            continue;
          }
          c = 0xfffd;
        }
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
      }
    }
    this.length = p;
  }
}
