// JSON text → Nix value, as Nix's parseJSON (json-to-value.cc) over nlohmann::json's SAX parser:
// same accepted language, same value mapping, and nlohmann's error messages (byte columns).
import { NixError } from "../errors.js";
import { NixAttrs, NixFloat, compareNames, mkInt, type Lazy, type Value } from "../values.js";

/** A JSON syntax error (Nix's JSONParseError): builtins.fromJSON adds "while decoding a JSON string". */
export class JSONParseError extends NixError {}

/** Nix's forceNoNullByte. */
export function forceNoNullByte(s: string): string {
  if (s.indexOf("\0") >= 0)
    throw new NixError(
      `input string '${s.replaceAll("\0", "␀")}' cannot be represented as Nix string because it contains null bytes`,
    );
  return s;
}

const enum T {
  Uninitialized,
  True,
  False,
  Null,
  String,
  Unsigned,
  Integer,
  Float,
  BeginArray,
  BeginObject,
  EndArray,
  EndObject,
  NameSeparator,
  ValueSeparator,
  ParseError,
  EndOfInput,
  LiteralOrValue,
}

const TOKEN_NAMES: Record<T, string> = {
  [T.Uninitialized]: "<uninitialized>",
  [T.True]: "true literal",
  [T.False]: "false literal",
  [T.Null]: "null literal",
  [T.String]: "string literal",
  [T.Unsigned]: "number literal",
  [T.Integer]: "number literal",
  [T.Float]: "number literal",
  [T.BeginArray]: "'['",
  [T.BeginObject]: "'{'",
  [T.EndArray]: "']'",
  [T.EndObject]: "'}'",
  [T.NameSeparator]: "':'",
  [T.ValueSeparator]: "','",
  [T.ParseError]: "<parse error>",
  [T.EndOfInput]: "end of input",
  [T.LiteralOrValue]: "'[', '{', or a literal",
};

const CONTROL_NAMES = [
  "NUL",
  "SOH",
  "STX",
  "ETX",
  "EOT",
  "ENQ",
  "ACK",
  "BEL",
  "BS",
  "HT",
  "LF",
  "VT",
  "FF",
  "CR",
  "SO",
  "SI",
  "DLE",
  "DC1",
  "DC2",
  "DC3",
  "DC4",
  "NAK",
  "SYN",
  "ETB",
  "CAN",
  "EM",
  "SUB",
  "ESC",
  "FS",
  "GS",
  "RS",
  "US",
];
const SHORT_ESCAPES: Record<number, string> = { 8: "b", 9: "t", 10: "n", 12: "f", 13: "r" };

function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, "0");
}

function utf8Len(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3; // a surrogate pair counts 2+2
}

const EOF = -1;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

class Lexer {
  private i = 0;
  private current = EOF;
  private nextUnget = false;
  // nlohmann's position: bytes read in total and on the current line, lines read
  private total = 0;
  private col = 0;
  private lines = 0;
  private tokenStart = 0;
  private tokenEnd = 0;
  errorMessage = "";
  /** The decoded string of a string token; the text of a number token. */
  text = "";
  numberValue: Value = null;
  /** The last string token contained U+0000 (only `\u0000` can produce one). */
  hadNul = false;

  constructor(private readonly s: string) {}

  position(): string {
    return `line ${this.lines + 1}, column ${this.col}`;
  }

  /** The bytes read for the current token, control characters as <U+XXXX>. */
  tokenString(): string {
    let out = "";
    for (const ch of this.s.slice(this.tokenStart, this.tokenEnd)) {
      const c = ch.codePointAt(0)!;
      out += c <= 0x1f ? `<U+${hex4(c)}>` : ch;
    }
    return out;
  }

  private get(): number {
    if (this.nextUnget) this.nextUnget = false;
    else if (this.i < this.s.length) {
      this.current = this.s.charCodeAt(this.i++);
    } else {
      this.current = EOF;
      this.total++;
      this.col++;
      return EOF;
    }
    const w = this.current === EOF ? 1 : utf8Len(this.current);
    this.total += w;
    this.col += w;
    if (this.current !== EOF) this.tokenEnd = this.i;
    if (this.current === 0x0a) {
      this.lines++;
      this.col = 0;
    }
    return this.current;
  }

  private unget(): void {
    this.nextUnget = true;
    const w = this.current === EOF ? 1 : utf8Len(this.current);
    this.total -= w;
    if (this.col === 0) {
      if (this.lines > 0) this.lines--;
    } else this.col -= w;
    if (this.current !== EOF) this.tokenEnd = this.i - 1;
  }

  isEmptyInput(): boolean {
    return this.total === 1;
  }

  scan(): T {
    do this.get();
    while (this.current === 0x20 || this.current === 0x09 || this.current === 0x0a || this.current === 0x0d);
    // nlohmann resets its token string only when a literal, string or number starts: what it
    // reports as "last read" runs from there (across separators and whitespace) to here.
    const start = this.i - 1;
    switch (this.current) {
      case 0x5b:
        return T.BeginArray;
      case 0x5d:
        return T.EndArray;
      case 0x7b:
        return T.BeginObject;
      case 0x7d:
        return T.EndObject;
      case 0x3a:
        return T.NameSeparator;
      case 0x2c:
        return T.ValueSeparator;
      case 0x74:
        this.tokenStart = start;
        return this.literal("true", T.True);
      case 0x66:
        this.tokenStart = start;
        return this.literal("false", T.False);
      case 0x6e:
        this.tokenStart = start;
        return this.literal("null", T.Null);
      case 0x22:
        this.tokenStart = start;
        return this.string();
      case 0x00:
      case EOF:
        return T.EndOfInput;
      default:
        if (this.current === 0x2d || (this.current >= 0x30 && this.current <= 0x39)) {
          this.tokenStart = start;
          return this.number();
        }
        this.errorMessage = "invalid literal";
        return T.ParseError;
    }
  }

  private literal(text: string, t: T): T {
    for (let k = 1; k < text.length; k++) {
      if (this.get() !== text.charCodeAt(k)) {
        this.errorMessage = "invalid literal";
        return T.ParseError;
      }
    }
    return t;
  }

  private hex4(): number {
    let cp = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.get();
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else return -1;
      cp = cp * 16 + d;
    }
    return cp;
  }

  /**
   * The run of plain characters (no quote, backslash or control character) from the read position,
   * taken as one slice; the position counters advance as `get` would have advanced them.
   */
  private plainRun(): string {
    const s = this.s;
    const from = this.i;
    let i = from;
    let bytes = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c === 0x22 || c === 0x5c || c <= 0x1f) break;
        bytes++;
      } else bytes += utf8Len(c);
    }
    if (i === from) return "";
    this.i = i;
    this.current = s.charCodeAt(i - 1);
    this.total += bytes;
    this.col += bytes;
    this.tokenEnd = i;
    return s.slice(from, i);
  }

  private string(): T {
    let out = this.nextUnget ? "" : this.plainRun();
    this.hadNul = false;
    for (;;) {
      const c = this.get();
      if (c === EOF) {
        this.errorMessage = "invalid string: missing closing quote";
        return T.ParseError;
      }
      if (c === 0x22) {
        this.text = out;
        return T.String;
      }
      if (c > 0x1f && c !== 0x5c) {
        out += String.fromCharCode(c) + this.plainRun();
        continue;
      }
      if (c === 0x5c) {
        const e = this.get();
        switch (e) {
          case 0x22:
            out += '"';
            break;
          case 0x5c:
            out += "\\";
            break;
          case 0x2f:
            out += "/";
            break;
          case 0x62:
            out += "\b";
            break;
          case 0x66:
            out += "\f";
            break;
          case 0x6e:
            out += "\n";
            break;
          case 0x72:
            out += "\r";
            break;
          case 0x74:
            out += "\t";
            break;
          case 0x75: {
            const cp1 = this.hex4();
            if (cp1 < 0) {
              this.errorMessage = "invalid string: '\\u' must be followed by 4 hex digits";
              return T.ParseError;
            }
            if (cp1 >= 0xd800 && cp1 <= 0xdbff) {
              if (this.get() !== 0x5c || this.get() !== 0x75) {
                this.errorMessage =
                  "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
                return T.ParseError;
              }
              const cp2 = this.hex4();
              if (cp2 < 0) {
                this.errorMessage = "invalid string: '\\u' must be followed by 4 hex digits";
                return T.ParseError;
              }
              if (!(cp2 >= 0xdc00 && cp2 <= 0xdfff)) {
                this.errorMessage =
                  "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
                return T.ParseError;
              }
              out += String.fromCharCode(cp1, cp2);
            } else if (cp1 >= 0xdc00 && cp1 <= 0xdfff) {
              this.errorMessage = "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF";
              return T.ParseError;
            } else {
              if (cp1 === 0) this.hadNul = true;
              out += String.fromCharCode(cp1);
            }
            break;
          }
          default:
            this.errorMessage = "invalid string: forbidden character after backslash";
            return T.ParseError;
        }
        continue;
      }
      if (c <= 0x1f) {
        const short = SHORT_ESCAPES[c];
        this.errorMessage =
          `invalid string: control character U+${hex4(c)} (${CONTROL_NAMES[c]}) must be escaped to \\u${hex4(c)}` +
          (short !== undefined ? ` or \\${short}` : "");
        return T.ParseError;
      }
      out += String.fromCharCode(c);
    }
  }

  private number(): T {
    const start = this.i - 1;
    let kind: T = T.Unsigned;
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    const fail = (m: string): T => {
      this.errorMessage = m;
      return T.ParseError;
    };
    let c = this.current;
    if (c === 0x2d) {
      kind = T.Integer;
      c = this.get();
      if (!isDigit(c)) return fail("invalid number; expected digit after '-'");
    }
    if (c !== 0x30) while (isDigit((c = this.get())));
    else c = this.get();
    if (c === 0x2e) {
      kind = T.Float;
      if (!isDigit(this.get())) return fail("invalid number; expected digit after '.'");
      while (isDigit((c = this.get())));
    }
    if (c === 0x65 || c === 0x45) {
      kind = T.Float;
      c = this.get();
      if (c === 0x2b || c === 0x2d) {
        if (!isDigit(this.get())) return fail("invalid number; expected digit after exponent sign");
      } else if (!isDigit(c)) return fail("invalid number; expected '+', '-', or digit after exponent");
      while (isDigit(this.get()));
    }
    this.unget();
    const text = this.s.slice(start, this.nextUnget && this.current !== EOF ? this.i - 1 : this.i);
    this.text = text;
    if (kind === T.Unsigned) {
      const b = BigInt(text);
      if (b <= UINT64_MAX) {
        this.numberValue = b as unknown as Value; // checked by the caller
        return T.Unsigned;
      }
    } else if (kind === T.Integer) {
      const b = BigInt(text);
      if (b >= INT64_MIN) {
        this.numberValue = mkInt(b);
        return T.Integer;
      }
    }
    this.numberValue = new NixFloat(Number(text));
    return T.Float;
  }
}

function syntaxError(lx: Lexer, last: T, expected: T, context: string): JSONParseError {
  let msg = `syntax error while parsing ${context} - `;
  if (last === T.ParseError) msg += `${lx.errorMessage}; last read: '${lx.tokenString()}'`;
  else msg += `unexpected ${TOKEN_NAMES[last]}`;
  if (expected !== T.Uninitialized) msg += `; expected ${TOKEN_NAMES[expected]}`;
  return new JSONParseError(`[json.exception.parse_error.101] parse error at ${lx.position()}: ${msg}`);
}

/** An open array (`keys` null) or object (`keys` parallel to `items`, in source order). */
interface Frame {
  readonly items: Lazy[];
  readonly keys: string[] | null;
}

/**
 * An object's members as a set: sorted by name, a repeated name keeping its last value (as Nix).
 * Objects written with sorted names (common for generated JSON) skip the sort.
 */
function attrsFromMembers(keys: string[], items: Lazy[]): NixAttrs {
  const n = keys.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(keys[i - 1]! < keys[i]!)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return new NixAttrs(keys, items, null);
  if (n <= 32) insertionSort(keys, items);
  else {
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    const k2 = order.map((i) => keys[i]!);
    const v2 = order.map((i) => items[i]!);
    for (let i = 0; i < n; i++) {
      keys[i] = k2[i]!;
      items[i] = v2[i]!;
    }
  }
  let unique = true;
  for (let i = 1; i < n; i++) if (keys[i - 1] === keys[i]) unique = false;
  if (unique) return new NixAttrs(keys, items, null);
  const names: string[] = [];
  const values: Lazy[] = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && keys[i + 1] === keys[i]) continue; // a later duplicate wins
    names.push(keys[i]!);
    values.push(items[i]!);
  }
  return new NixAttrs(names, values, null);
}

/**
 * Sort small parallel arrays by key in place (the frame's arrays are ours). Stable, so of equal
 * names the later one ends last.
 */
function insertionSort(keys: string[], items: Lazy[]): void {
  const n = keys.length;
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    const v = items[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      items[j + 1] = items[j]!;
      j--;
    }
    keys[j + 1] = k;
    items[j + 1] = v;
  }
}

/**
 * Number tokens that JSON.parse's doubles cannot stand for: an integral float (an exponent, or a
 * fraction of zeros: `1.0` is a Nix float, its double is an integer), 16 or more digits (an
 * integer possibly past 2^53, a fraction possibly rounded to an integer) and `-0` (Nix's
 * integer 0). Any other fraction (at most 15 digits, not all zeros) parses to a non-integral
 * double, which becomes a float. A JSON value starts the text or follows `[`, `,` or `:` and JSON
 * whitespace, so every number token is found; a match inside a string only costs the fast path.
 */
const NUMBER_JSON_PARSE_MISREADS =
  /[:,[][ \t\n\r]*(?:-?[\d.]{16}|-?\d+(?:\.\d+)?[eE]|-?\d+\.0+(?!\d)|-0(?![.\d]))/;
/** The same at the start of the text (a separate regex: an alternation with `^` slows the scan). */
const NUMBER_JSON_PARSE_MISREADS_AT_START =
  /^[ \t\n\r]*(?:-?[\d.]{16}|-?\d+(?:\.\d+)?[eE]|-?\d+\.0+(?!\d)|-0(?![.\d]))/;
/** `\u0000`, which Nix rejects (no null bytes in its strings) and JSON.parse decodes. */
const NUL_ESCAPE = /\\u0000/;
/** A surrogate escape: Nix requires pairs, JSON.parse decodes lone ones too. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** A surrogate code unit outside a pair. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The value of `s` through V8's JSON.parse, or undefined when the exact parser must decide: text
 * that is not plain JSON (the error message is nlohmann's), numbers that JSON.parse reads
 * differently (see above), `\u0000`, lone surrogate escapes. Valid JSON means the same to both
 * parsers otherwise (a repeated name: the last value wins in both). The parsed arrays become the
 * lists; objects become sets.
 */
export function parseWithJSONParse(s: string): Value | undefined {
  if (NUMBER_JSON_PARSE_MISREADS_AT_START.test(s) || NUMBER_JSON_PARSE_MISREADS.test(s)) return undefined;
  let checkSurrogates = false;
  if (s.indexOf("\\u") >= 0) {
    if (NUL_ESCAPE.test(s)) return undefined;
    if (SURROGATE_ESCAPE.test(s)) {
      // Decoded, an escaped lone surrogate looks like a raw one (which Nix takes as it is).
      if (LONE_SURROGATE.test(s)) return undefined;
      checkSurrogates = true;
    }
  }
  try {
    const parsed: unknown = JSON.parse(s);
    if (checkSurrogates && hasLoneSurrogate(parsed)) return undefined;
    return new ParsedToValue().convert(parsed);
  } catch {
    return undefined; // a syntax error, or nesting deeper than the JS stack: the exact parser
  }
}

function hasLoneSurrogate(x: unknown): boolean {
  if (typeof x === "string") return LONE_SURROGATE.test(x);
  if (typeof x !== "object" || x === null) return false;
  if (Array.isArray(x)) return x.some(hasLoneSurrogate);
  return Object.keys(x).some(hasLoneSurrogate) || Object.values(x).some(hasLoneSurrogate);
}

/** An object's names in JSON.parse's order, and sorted as the set's names. */
interface Shape {
  readonly keys: readonly string[];
  /** Shared by the sets of every object with these keys in this order. */
  readonly names: readonly string[];
  /** `names[i] = keys[order[i]]`; null when the keys are in order already. */
  readonly order: readonly number[] | null;
}

/** How many recent object shapes a parse remembers (a document's records have a handful). */
const SHAPES = 8;

/**
 * JSON.parse's result as a Nix value: arrays become the lists in place; objects become sets, with
 * one names array (and sort order) per shape, as in a document of records most objects share one.
 */
class ParsedToValue {
  private readonly shapes: Shape[] = [];
  private nextEvicted = 0;

  convert(x: unknown): Value {
    if (typeof x === "number") return Number.isInteger(x) ? x : new NixFloat(x);
    if (typeof x !== "object" || x === null) return x as Value; // a string, boolean or null
    if (Array.isArray(x)) {
      const list = x as unknown[];
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (typeof v === "object" ? v !== null : typeof v === "number" && !Number.isInteger(v))
          list[i] = this.convert(v);
      }
      return list as Lazy[];
    }
    const shape = this.shapeOf(Object.keys(x));
    const parsed = Object.values(x) as Lazy[];
    const order = shape.order;
    const n = parsed.length;
    const values = order === null ? parsed : new Array<Lazy>(n);
    for (let i = 0; i < n; i++) {
      const v = parsed[order === null ? i : order[i]!]!;
      values[i] = (typeof v === "object" && v !== null) || typeof v === "number" ? this.convert(v) : v;
    }
    return new NixAttrs(shape.names, values, null);
  }

  private shapeOf(keys: string[]): Shape {
    const shapes = this.shapes;
    const n = keys.length;
    search: for (let s = 0; s < shapes.length; s++) {
      const known = shapes[s]!.keys;
      if (known.length !== n) continue;
      for (let i = 0; i < n; i++) if (known[i] !== keys[i]) continue search;
      return shapes[s]!;
    }
    let order: number[] | null = null;
    for (let i = 1; i < n; i++) {
      if (!(keys[i - 1]! < keys[i]!)) {
        order = Array.from({ length: n }, (_, j) => j);
        order.sort((a, b) => compareNames(keys[a]!, keys[b]!)); // JSON.parse leaves no repeated names
        break;
      }
    }
    const shape: Shape = { keys, names: order === null ? keys : order.map((i) => keys[i]!), order };
    if (shapes.length < SHAPES) shapes.push(shape);
    else {
      shapes[this.nextEvicted] = shape;
      this.nextEvicted = (this.nextEvicted + 1) % SHAPES;
    }
    return shape;
  }
}

/** Parse JSON text into a Nix value (fully built; JSON values are data). */
export function parseJSON(s: string): Value {
  const fast = parseWithJSONParse(s);
  return fast !== undefined ? fast : parseJSONExactly(s);
}

/** nlohmann's parser, token by token: every text, and the only source of error messages. */
export function parseJSONExactly(s: string): Value {
  const lx = new Lexer(s);
  const stack: Frame[] = [];
  let result: Value = null;
  const emit = (v: Value) => {
    const top = stack[stack.length - 1];
    if (top === undefined) result = v;
    else top.items.push(v);
  };
  const key = (top: Frame) => {
    top.keys!.push(lx.hadNul ? forceNoNullByte(lx.text) : lx.text);
  };
  const endContainer = () => {
    const f = stack.pop()!;
    emit(f.keys === null ? f.items : attrsFromMembers(f.keys, f.items));
  };
  let last = lx.scan();
  let skipToState = false;
  for (;;) {
    if (!skipToState) {
      switch (last) {
        case T.BeginObject: {
          const f: Frame = { items: [], keys: [] };
          stack.push(f);
          last = lx.scan();
          if (last === T.EndObject) {
            endContainer();
            break;
          }
          if (last !== T.String) throw syntaxError(lx, last, T.String, "object key");
          key(f);
          last = lx.scan();
          if (last !== T.NameSeparator) throw syntaxError(lx, last, T.NameSeparator, "object separator");
          last = lx.scan();
          continue;
        }
        case T.BeginArray:
          stack.push({ items: [], keys: null });
          last = lx.scan();
          if (last === T.EndArray) {
            endContainer();
            break;
          }
          continue;
        case T.Float: {
          const f = lx.numberValue as NixFloat;
          if (!Number.isFinite(f.value))
            throw new JSONParseError(
              `[json.exception.out_of_range.406] number overflow parsing '${lx.text}'`,
            );
          emit(f);
          break;
        }
        case T.Unsigned: {
          const b = lx.numberValue as unknown as bigint;
          if (b > INT64_MAX) throw new NixError(`unsigned json number ${b} outside of Nix integer range`);
          emit(mkInt(b));
          break;
        }
        case T.Integer:
          emit(lx.numberValue);
          break;
        case T.True:
          emit(true);
          break;
        case T.False:
          emit(false);
          break;
        case T.Null:
          emit(null);
          break;
        case T.String:
          emit(lx.hadNul ? forceNoNullByte(lx.text) : lx.text);
          break;
        case T.ParseError:
          throw syntaxError(lx, last, T.Uninitialized, "value");
        case T.EndOfInput:
          if (lx.isEmptyInput())
            throw new JSONParseError(
              `[json.exception.parse_error.101] parse error at ${lx.position()}: attempting to parse an empty input; check that your input string or stream contains the expected JSON`,
            );
          throw syntaxError(lx, last, T.LiteralOrValue, "value");
        default:
          throw syntaxError(lx, last, T.LiteralOrValue, "value");
      }
    } else skipToState = false;

    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.keys === null) {
      last = lx.scan();
      if (last === T.ValueSeparator) {
        last = lx.scan();
        continue;
      }
      if (last === T.EndArray) {
        endContainer();
        skipToState = true;
        continue;
      }
      throw syntaxError(lx, last, T.EndArray, "array");
    }
    last = lx.scan();
    if (last === T.ValueSeparator) {
      last = lx.scan();
      if (last !== T.String) throw syntaxError(lx, last, T.String, "object key");
      key(top);
      last = lx.scan();
      if (last !== T.NameSeparator) throw syntaxError(lx, last, T.NameSeparator, "object separator");
      last = lx.scan();
      continue;
    }
    if (last === T.EndObject) {
      endContainer();
      skipToState = true;
      continue;
    }
    throw syntaxError(lx, last, T.EndObject, "object");
  }
  last = lx.scan();
  if (last !== T.EndOfInput) throw syntaxError(lx, last, T.EndOfInput, "value");
  return result;
}
