// Builtins: strings (toString stringLength substring replaceStrings
// concatStringsSep baseNameOf dirOf) and the UTF-8 byte helpers they share
// with regex.ts.
//
// Nix strings are byte strings; tsnix keeps them as JS strings decoded from
// UTF-8. Byte offsets (stringLength, substring) are computed on the UTF-8
// encoding. A byte range that cuts a multi-byte character cannot be kept
// byte-exact in that representation: the cut bytes decode to U+FFFD (a
// documented choice; Nix would keep the raw bytes).
import type { Span } from "@tsnix/parser";
import { evalError } from "../errors.js";
import { forceInt, forceList, forceString, forceStringValue } from "../check.js";
import { coerceToString, type Coerced, type CoerceOpts } from "../ops.js";
import { dirOfString, baseNameOfString } from "../paths.js";
import { force, type Runtime } from "../runtime.js";
import { NixPath, NixString, mkString, type Lazy, type Value } from "../values.js";
import { registerPrimops } from "./registry.js";

// ---- UTF-8 helpers ------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

// Large strings (a joined script, a JSON document) are often measured several times in a row
// (stringLength, then substring twice): remember the last one. `===` on the same string object
// is a pointer check, so a miss on a different string costs at most one comparison.
const CACHE_MIN = 4096;
let cachedString = "";
let cachedBytes = 0;

/** UTF-8 byte length of s[from, to): a charCode loop, the fastest way for short text. */
function utf8LengthLoop(s: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < to && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // 4 bytes for two UTF-16 units
      i++;
    } else n += 2;
  }
  return n;
}

// Measured on 20 M characters (Node 20): a charCode loop takes ~65 ms, the regex search for a
// non-ASCII character ~20 ms, and encodeInto over 8 Ki-unit slices into one reused buffer ~20 ms
// for non-ASCII text (encode() of the whole string: ~35 ms and a 30 MB allocation).
const NON_ASCII = /[^\x00-\x7f]/;
const SHORT = 64;
const CHUNK = 8192;
let chunkBuffer: Uint8Array | null = null;

/**
 * Node's Buffer.byteLength (V8's own UTF-8 length: ~2.5 ms for 9 M characters, ten times the
 * fallback below); absent in browsers. It counts a lone surrogate as U+FFFD's 3 bytes, as the rest.
 */
const nativeByteLength = (globalThis as { Buffer?: { byteLength(s: string, enc: "utf8"): number } }).Buffer
  ?.byteLength;

function utf8LengthLong(s: string): number {
  return nativeByteLength !== undefined ? nativeByteLength(s, "utf8") : utf8LengthPortable(s);
}

/** utf8LengthLong without Node (exported for the tests, which run under Node). */
export function utf8LengthPortable(s: string): number {
  const firstNonAscii = s.search(NON_ASCII);
  if (firstNonAscii < 0) return s.length;
  if (s.length - firstNonAscii < SHORT) return firstNonAscii + utf8LengthLoop(s, firstNonAscii, s.length);
  const buf = (chunkBuffer ??= new Uint8Array(3 * CHUNK + 3));
  let n = firstNonAscii;
  for (let i = firstNonAscii; i < s.length;) {
    let end = Math.min(i + CHUNK, s.length);
    // Keep a surrogate pair in one slice (split, each half would encode as U+FFFD).
    if (end < s.length && (s.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
    n += encoder.encodeInto(s.slice(i, end), buf).written;
    i = end;
  }
  return n;
}

/** Number of bytes of the UTF-8 encoding of `s` (Nix's string length). */
export function utf8Length(s: string): number {
  if (s.length < SHORT) return utf8LengthLoop(s, 0, s.length);
  if (s.length < CACHE_MIN) return utf8LengthLong(s);
  if (s === cachedString) return cachedBytes;
  const n = utf8LengthLong(s);
  cachedString = s;
  cachedBytes = n;
  return n;
}

/** Whether s[0, min(end, s.length)) is all ASCII. */
function asciiUpTo(s: string, end: number): boolean {
  if (s === cachedString && cachedBytes === s.length) return true;
  const stop = Math.min(end, s.length);
  if (stop >= CACHE_MIN) return !NON_ASCII.test(stop === s.length ? s : s.slice(0, stop));
  for (let i = 0; i < stop; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

export function isAscii(s: string): boolean {
  return asciiUpTo(s, s.length);
}

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

/** One char per byte ("binary string") of the UTF-8 encoding of `s`. */
export function toByteString(s: string): string {
  const b = encoder.encode(s);
  let out = "";
  for (let i = 0; i < b.length; i += 8192)
    out += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return out;
}

/** Inverse of toByteString (invalid UTF-8 decodes to U+FFFD). */
export function fromByteString(bs: string): string {
  if (isAscii(bs)) return bs;
  const b = new Uint8Array(bs.length);
  for (let i = 0; i < bs.length; i++) b[i] = bs.charCodeAt(i);
  return decoder.decode(b);
}

/** Bytes [start, start+len) of the UTF-8 encoding of `s` (len < 0: to the end). */
export function byteSlice(s: string, start: number, len: number): string {
  if (isAscii(s)) return len < 0 ? s.slice(start) : s.slice(start, start + len);
  const b = encoder.encode(s);
  return decoder.decode(b.subarray(start, len < 0 ? b.length : Math.min(b.length, start + len)));
}

// ---- coercion helpers ---------------------------------------------------------

const PLAIN: CoerceOpts = { coerceMore: false, copyToStore: false };
const TO_STORE: CoerceOpts = { coerceMore: false, copyToStore: true };
const MORE: CoerceOpts = { coerceMore: true, copyToStore: false };

/**
 * Nix's coerceToString for a primop argument: the error-context frame carries
 * no position (as Nix prints it); the value is forced at the call site first.
 */
export function coerceArg(
  rt: Runtime,
  x: Lazy,
  span: Span | null,
  opts: CoerceOpts,
  ctx: string,
  acc?: Coerced,
): Coerced {
  force(x, span);
  return coerceToString(rt, x, null, opts, ctx, acc);
}

export const COERCE_PLAIN = PLAIN;
export const COERCE_TO_STORE = TO_STORE;

function addAll(into: Set<string> | null, ctx: ReadonlySet<string> | null): Set<string> | null {
  if (ctx === null || ctx.size === 0) return into;
  const out = into ?? new Set<string>();
  for (const c of ctx) out.add(c);
  return out;
}

function toIntClamped(v: number | bigint): number {
  if (typeof v === "number") return v;
  return v > BigInt(Number.MAX_SAFE_INTEGER)
    ? Number.MAX_SAFE_INTEGER
    : v < -BigInt(Number.MAX_SAFE_INTEGER)
      ? -Number.MAX_SAFE_INTEGER
      : Number(v);
}

// ---- replaceStrings -------------------------------------------------------------

function replaceStrings(rt: Runtime, [fromL, toL, sL]: Lazy[], span: Span | null): Value {
  const fromList = forceList(
    fromL!,
    span,
    "while evaluating the first argument passed to builtins.replaceStrings",
  );
  const toList = forceList(
    toL!,
    span,
    "while evaluating the second argument passed to builtins.replaceStrings",
  );
  if (fromList.length !== toList.length) {
    throw evalError("'from' and 'to' arguments passed to builtins.replaceStrings have different lengths");
  }
  const from: string[] = [];
  let hasEmpty = false;
  for (const e of fromList) {
    const f = forceString(
      e,
      span,
      "while evaluating one of the strings to replace passed to builtins.replaceStrings",
    );
    if (f === "") hasEmpty = true;
    from.push(f);
  }
  const sv = forceStringValue(
    sL!,
    span,
    "while evaluating the third argument passed to builtins.replaceStrings",
  );
  let context: Set<string> | null = sv instanceof NixString ? new Set(sv.context) : null;
  const cache: (string | undefined)[] = new Array(from.length);
  const replacement = (j: number): string => {
    let r = cache[j];
    if (r === undefined) {
      const tv = forceStringValue(
        toList[j]!,
        span,
        "while evaluating one of the replacement strings passed to builtins.replaceStrings",
      );
      r = typeof tv === "string" ? tv : tv.value;
      if (tv instanceof NixString) context = addAll(context, tv.context);
      cache[j] = r;
    }
    return r;
  };
  const raw = typeof sv === "string" ? sv : sv.value;
  if (!hasEmpty) return mkString(replaceNonEmpty(raw, from, replacement), context);
  // With an empty pattern Nix steps byte by byte; on non-ASCII text that needs the byte view.
  const bytesMode = !isAscii(raw);
  const s = bytesMode ? toByteString(raw) : raw;
  const pats = bytesMode ? from.map(toByteString) : from;
  let res = "";
  let copyFrom = 0; // start of the pending unchanged run
  const n = s.length;
  for (let p = 0; p <= n;) {
    let found = false;
    for (let j = 0; j < pats.length; j++) {
      const pat = pats[j]!;
      if (s.startsWith(pat, p)) {
        found = true;
        res += s.slice(copyFrom, p);
        const r = replacement(j);
        res += bytesMode ? toByteString(r) : r;
        if (pat.length === 0) {
          if (p < n) res += s[p];
          p++;
        } else p += pat.length;
        copyFrom = Math.min(p, n);
        break;
      }
    }
    if (!found) p++;
  }
  res += s.slice(copyFrom);
  return mkString(bytesMode ? fromByteString(res) : res, context);
}

/**
 * replaceStrings when no pattern is empty. Nix tries the patterns in order at each position and
 * takes the first that matches; equivalently, the next replacement happens at the smallest position
 * where any pattern occurs, with the first such pattern. Each pattern's next occurrence comes from the
 * native `indexOf` and is searched again only once the scan has moved past it. Non-empty patterns
 * match the same text in UTF-16 as in UTF-8 bytes, so no byte view is needed. The result grows
 * by `+=` (a rope V8 flattens once): on the strings workload that beat both an array of pieces
 * with `join` and a native `String#replace` over a regex alternation (less CPU, 35 MiB less peak).
 */
function replaceNonEmpty(s: string, pats: readonly string[], replacement: (j: number) => string): string {
  const k = pats.length;
  const next = new Array<number>(k);
  let any = false;
  for (let j = 0; j < k; j++) {
    const at = s.indexOf(pats[j]!);
    next[j] = at;
    if (at >= 0) any = true;
  }
  if (!any) return s;
  let res = "";
  let p = 0;
  for (;;) {
    let best = -1;
    let bestAt = Infinity;
    for (let j = 0; j < k; j++) {
      let at = next[j]!;
      if (at < 0) continue;
      if (at < p) {
        at = s.indexOf(pats[j]!, p);
        next[j] = at;
        if (at < 0) continue;
      }
      if (at < bestAt) {
        bestAt = at;
        best = j;
      }
    }
    if (best < 0) break;
    if (bestAt > p) res += s.slice(p, bestAt);
    res += replacement(best);
    p = bestAt + pats[best]!.length;
  }
  return p < s.length ? res + s.slice(p) : res;
}

// ---- registrations ------------------------------------------------------------------

registerPrimops([
  {
    name: "toString",
    arity: 1,
    args: ["e"],
    global: true,
    doc: "Convert e to a string (paths are not copied to the store).",
    impl: (rt, [x], span) => {
      const r = coerceArg(
        rt,
        x!,
        span,
        MORE,
        "while evaluating the first argument passed to builtins.toString",
      );
      return mkString(r.s, r.ctx);
    },
  },
  {
    name: "stringLength",
    arity: 1,
    args: ["e"],
    doc: "The length of the string e in bytes.",
    impl: (rt, [x], span) =>
      utf8Length(
        coerceArg(rt, x!, span, TO_STORE, "while evaluating the argument passed to builtins.stringLength").s,
      ),
  },
  {
    name: "substring",
    arity: 3,
    args: ["start", "len", "s"],
    doc: "The substring of s from byte start, of at most len bytes (len < 0: to the end).",
    impl: (rt, [startL, lenL, sL], span) => {
      const start = forceInt(
        startL!,
        span,
        "while evaluating the first argument (the start offset) passed to builtins.substring",
      );
      if (start < 0) throw evalError("negative start position in 'substring'");
      const len = forceInt(
        lenL!,
        span,
        "while evaluating the second argument (the substring length) passed to builtins.substring",
      );
      if (len === 0 || len === 0n) {
        // Nix special-cases the empty substring: keep the context without coercing.
        const v = force(sL!, span);
        if (typeof v === "string") return "";
        if (v instanceof NixString) return mkString("", v.context);
      }
      const r = coerceArg(
        rt,
        sL!,
        span,
        TO_STORE,
        "while evaluating the third argument (the string) passed to builtins.substring",
      );
      const st = toIntClamped(start);
      if (len >= 0) {
        // Bytes equal UTF-16 units up to the end of an ASCII prefix: no need to measure the rest.
        const end = st + toIntClamped(len);
        if (asciiUpTo(r.s, end)) return mkString(st >= r.s.length ? "" : r.s.slice(st, end), r.ctx);
      }
      const size = utf8Length(r.s);
      if (st >= size) return mkString("", r.ctx);
      const l = len < 0 ? -1 : toIntClamped(len);
      return mkString(byteSlice(r.s, st, l), r.ctx);
    },
  },
  {
    name: "replaceStrings",
    arity: 3,
    args: ["from", "to", "s"],
    doc: "Replace every occurrence of the strings in from by the corresponding string in to (forced lazily).",
    impl: replaceStrings,
  },
  {
    name: "concatStringsSep",
    arity: 2,
    args: ["separator", "list"],
    doc: "Concatenate a list of strings with a separator between each element.",
    impl: (rt, [sepL, listL], span) => {
      const sepV = forceStringValue(
        sepL!,
        span,
        "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep",
      );
      const list = forceList(
        listL!,
        span,
        "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep",
      );
      const sep = typeof sepV === "string" ? sepV : sepV.value;
      const acc: Coerced = {
        s: "",
        ctx: sepV instanceof NixString ? (sepV.context as Set<string>) : null,
        owned: false,
      };
      for (let i = 0; i < list.length; i++) {
        if (i > 0) acc.s += sep;
        coerceArg(
          rt,
          list[i]!,
          span,
          TO_STORE,
          "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep",
          acc,
        );
      }
      return mkString(acc.s, acc.ctx);
    },
  },
  {
    name: "baseNameOf",
    arity: 1,
    args: ["s"],
    global: true,
    doc: "Everything after the final slash of s (one trailing slash ignored).",
    impl: (rt, [x], span) => {
      const r = coerceArg(
        rt,
        x!,
        span,
        PLAIN,
        "while evaluating the first argument passed to builtins.baseNameOf",
      );
      return mkString(baseNameOfString(r.s), r.ctx);
    },
  },
  {
    name: "dirOf",
    arity: 1,
    args: ["s"],
    global: true,
    doc: "Everything before the final slash of s; a path for a path argument.",
    impl: (rt, [x], span) => {
      const v = force(x!, span);
      if (v instanceof NixPath) return v.path === "/" ? v : new NixPath(dirOfString(v.path));
      const r = coerceArg(
        rt,
        v,
        span,
        PLAIN,
        "while evaluating the first argument passed to 'builtins.dirOf'",
      );
      return mkString(dirOfString(r.s), r.ctx);
    },
  },
]);
