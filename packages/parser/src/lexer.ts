// The lexer: a hand-written transcription of Nix's flex scanner (lexer.l).
// Flex semantics matter here and a regex-per-token lexer cannot express them:
// longest match with rule-order ties, start-condition stack (strings, indented
// strings, interpolation, paths), trailing context (`"…$"`), and the
// zero-width PATH_END token. Tokens carry chevrotain token types, so the
// chevrotain parser consumes them directly.
import type { IToken, TokenType } from "chevrotain";
import type { Source } from "./ast.js";
import { ParseError } from "./errors.js";
import { spanAt } from "./spans.js";
import { unescapeString } from "./strings.js";
import { CHAR_KINDS, K, OPERATORS, TOKEN_TYPES } from "./tokens.js";

export class Token implements IToken {
  readonly tokenTypeIdx: number;
  constructor(
    readonly kind: K,
    readonly startOffset: number,
    /** Exclusive end. */
    readonly end: number,
    readonly text: string,
    /** Decoded string, bigint, number, or the ParseError of a LexError token. */
    readonly value: unknown,
    /** For IND_STR: whether the text takes part in indentation stripping. */
    readonly hasIndentation: boolean = false,
  ) {
    this.tokenTypeIdx = TOKEN_TYPE_IDX[kind]!;
  }

  get tokenType(): TokenType {
    return TOKEN_TYPES[this.kind]!;
  }

  /** chevrotain's endOffset is inclusive. */
  get endOffset(): number {
    return this.end - 1;
  }

  get image(): string {
    return this.text.slice(this.startOffset, this.end);
  }
}

const TOKEN_TYPE_IDX = TOKEN_TYPES.map((t) => t.tokenTypeIdx!);

enum State {
  Initial,
  Default,
  String,
  IndString,
  InPath,
  InPathSlash,
}

const RE_ID = /[a-zA-Z_][a-zA-Z0-9_'-]*/y;
const RE_INT = /[0-9]+/y;
const RE_FLOAT = /(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?/y;
const RE_PATH = /[a-zA-Z0-9._\-+]*(?:\/[a-zA-Z0-9._\-+]+)+\/?/y;
const RE_PATH_SEG_DOLLAR = /[a-zA-Z0-9._\-+]*\/\$\{/y;
const RE_HPATH = /~(?:\/[a-zA-Z0-9._\-+]+)+\/?/y;
const RE_SPATH = /<[a-zA-Z0-9._\-+]+(?:\/[a-zA-Z0-9._\-+]+)*>/y;
const RE_URI = /[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/y;
const RE_IN_PATH = /[a-zA-Z0-9._\-+]*(?:\/[a-zA-Z0-9._\-+]+)+\/?|[a-zA-Z0-9._\-+]*\/|[a-zA-Z0-9._\-+]+/y;

function matchAt(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex - pos : 0;
}

const INT64_MAX = 9223372036854775807n;

const IS_SCHEME_CHAR = new Uint8Array(65536);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
  IS_SCHEME_CHAR[c.charCodeAt(0)] = 1;

/** CHAR_KINDS by character code (ASCII); -1: not a token by itself. */
const CHAR_KIND_BY_CODE = new Int16Array(128).fill(-1);
for (const [ch, kind] of Object.entries(CHAR_KINDS)) CHAR_KIND_BY_CODE[ch.charCodeAt(0)] = kind;

/** Characters that are always a whole token: no path, URI, operator or other rule starts with them. */
const IS_ALONE = new Uint8Array(128);
for (const ch of ";(),[]@:?*") IS_ALONE[ch.charCodeAt(0)] = 1;

// Character classes for the dispatch on the first character.
const IS_PATH_CHAR = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+")
  IS_PATH_CHAR[c.charCodeAt(0)] = 1;

/** Collect all tokens (for tests and tools; the parser pulls tokens one at a time). */
export function tokenize(source: Source): Token[] {
  const lexer = new Lexer(source);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.kind === K.Eof || t.kind === K.LexError) return tokens;
  }
}

/** The keyword spelled by text[pos, pos+len), or K.Id. */
function keywordAt(text: string, pos: number, len: number): K {
  switch (text.charCodeAt(pos)) {
    case 105: // i
      if (len === 2) {
        const d = text.charCodeAt(pos + 1);
        return d === 102 ? K.If : d === 110 ? K.In : K.Id;
      }
      return len === 7 && text.startsWith("inherit", pos) ? K.Inherit : K.Id;
    case 116:
      return len === 4 && text.startsWith("then", pos) ? K.Then : K.Id;
    case 101:
      return len === 4 && text.startsWith("else", pos) ? K.Else : K.Id;
    case 97:
      return len === 6 && text.startsWith("assert", pos) ? K.Assert : K.Id;
    case 119:
      return len === 4 && text.startsWith("with", pos) ? K.With : K.Id;
    case 108:
      return len === 3 && text.startsWith("let", pos) ? K.Let : K.Id;
    case 114:
      return len === 3 && text.startsWith("rec", pos) ? K.Rec : K.Id;
    case 111:
      return len === 2 && text.charCodeAt(pos + 1) === 114 ? K.OrKw : K.Id;
    default:
      return K.Id;
  }
}

/** Two-character operators keyed by their char codes (no string per lookup). */
const OPERATOR_BY_CODES = new Map<number, K>();
for (const [spelling, kind] of OPERATORS)
  OPERATOR_BY_CODES.set(spelling.charCodeAt(0) * 65536 + spelling.charCodeAt(1), kind);

/** The two-character operator starting with `c` `d`, or K.Invalid. */
function operatorAt(c: number, d: number): K {
  return OPERATOR_BY_CODES.get(c * 65536 + d) ?? K.Invalid;
}

function isOperatorStart(c: number): boolean {
  return (
    c === 61 || c === 33 || c === 60 || c === 62 || c === 38 || c === 124 || c === 45 || c === 47 || c === 43
  );
}

/** Nix's flex scanner, pulled one token at a time, as bison pulls from flex. */
export class Lexer {
  private readonly text: string;
  private readonly n: number;
  private pos = 0;
  private state = State.Initial as State;
  private readonly stack: State[] = [State.Initial];
  private final: Token | null = null;
  private pathRunStart = 0;
  private pathRunEnd = 0;
  private schemeRunStart = 0;
  private schemeRunEnd = 0;

  /** Whether the text has a NUL byte at all (then string tokens are checked for one). */
  private readonly hasNul: boolean;

  constructor(private readonly source: Source) {
    this.text = source.text;
    this.n = this.text.length;
    this.hasNul = this.text.indexOf("\0") >= 0;
  }

  private push(s: State): void {
    this.stack.push(s);
    this.state = s;
  }

  private pop(): void {
    this.stack.pop();
    this.state = this.stack[this.stack.length - 1] ?? State.Initial;
  }

  private tok(kind: K, start: number, end: number, value: unknown = null, indent = false): Token {
    this.pos = end;
    return new Token(kind, start, end, this.text, value, indent);
  }

  /**
   * A string token (`STR`/`IND_STR`) whose text holds a NUL byte: Nix's lexer
   * refuses it (forceNoNullByte), showing the NUL as U+2400, at the token.
   */
  private strTok(kind: K, start: number, end: number, value: string, indent = false): Token {
    if (this.hasNul && value.indexOf("\0") >= 0) {
      const shown = value.replace(/\0/g, "\u2400");
      return this.fail(
        `input string '${shown}' cannot be represented as Nix string because it contains null bytes`,
        start,
      );
    }
    return this.tok(kind, start, end, value, indent);
  }

  private fail(message: string, at: number): Token {
    const err = new ParseError(message, spanAt(this.source, at, at));
    this.final = new Token(K.LexError, at, at, this.text, err);
    return this.final;
  }

  private eof(start: number, end: number): Token {
    this.final = new Token(K.Eof, start, end, this.text, null);
    return this.final;
  }

  private lastStart = 0;

  next(): Token {
    if (this.final !== null) return this.final;
    const t = this.scan();
    if (t.kind !== K.PathEnd) this.lastStart = t.startOffset;
    return t;
  }

  private scan(): Token {
    const text = this.text;
    const n = this.n;
    for (;;) {
      const pos = this.pos;
      const state = this.state;
      if (state === State.String) {
        if (pos >= n) return this.eof(n, n);
        const c = text.charCodeAt(pos);
        if (c === 34 /* " */) {
          this.pop();
          return this.tok(K.Quote, pos, pos + 1);
        }
        if (c === 36 /* $ */ && text.charCodeAt(pos + 1) === 123 /* { */) {
          this.push(State.Default);
          return this.tok(K.DollarCurly, pos, pos + 2);
        }
        let j = pos;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 34) break;
          if (d === 92 /* \ */) {
            if (j + 1 < n) {
              j += 2;
              continue;
            }
            break;
          }
          if (d === 36) {
            const e = text.charCodeAt(j + 1);
            if (e === 123) break;
            if (e === 34) {
              j += 1; // `$` before the closing quote belongs to the string (trailing context rule)
              break;
            }
            if (e === 92) {
              if (j + 2 < n) {
                j += 3;
                continue;
              }
              break;
            }
            if (j + 1 >= n) break;
            j += 2;
            continue;
          }
          j++;
        }
        if (j > pos) return this.strTok(K.Str, pos, j, unescapeString(text.slice(pos, j)));
        // A lone `$`, `\` or `$\` at the end of input: Nix's lexer returns end of file here.
        const len = text.charCodeAt(pos) === 36 && text.charCodeAt(pos + 1) === 92 ? 2 : 1;
        return this.eof(pos, pos + len);
      }

      if (state === State.IndString) {
        if (pos >= n) return this.eof(n, n);
        const c = text.charCodeAt(pos);
        if (c === 39 /* ' */ && text.charCodeAt(pos + 1) === 39) {
          const e = text.charCodeAt(pos + 2);
          if (e === 36) return this.tok(K.IndStr, pos, pos + 3, "$");
          if (e === 39) return this.tok(K.IndStr, pos, pos + 3, "''");
          if (e === 92 && pos + 3 < n)
            return this.strTok(K.IndStr, pos, pos + 4, unescapeString(text.slice(pos + 2, pos + 4)));
          this.pop();
          return this.tok(K.IndStringClose, pos, pos + 2);
        }
        if (c === 36 && text.charCodeAt(pos + 1) === 123) {
          this.push(State.Default);
          return this.tok(K.DollarCurly, pos, pos + 2);
        }
        let j = pos;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 39) {
            const e = text.charCodeAt(j + 1);
            if (j + 1 >= n || e === 39 || e === 36) break;
            j += 2;
          } else if (d === 36) {
            const e = text.charCodeAt(j + 1);
            if (j + 1 >= n || e === 123 || e === 39) break;
            j += 2;
          } else j++;
        }
        if (j > pos) return this.strTok(K.IndStr, pos, j, text.slice(pos, j), true);
        // A lone `'` or `$` that the main rule cannot take.
        return this.tok(K.IndStr, pos, pos + 1, text[pos]);
      }

      if (state === State.InPath || state === State.InPathSlash) {
        if (pos < n && text.charCodeAt(pos) === 36 && text.charCodeAt(pos + 1) === 123) {
          this.pop();
          this.push(State.InPath);
          this.push(State.Default);
          return this.tok(K.DollarCurly, pos, pos + 2);
        }
        const len = pos < n ? matchAt(RE_IN_PATH, text, pos) : 0;
        if (len > 0) {
          this.pop();
          this.push(text.charCodeAt(pos + len - 1) === 47 ? State.InPathSlash : State.InPath);
          return this.tok(K.Str, pos, pos + len, text.slice(pos, pos + len));
        }
        if (state === State.InPathSlash)
          return this.fail("path has a trailing slash", pos < n ? pos : this.lastStart);
        this.pop();
        return this.tok(K.PathEnd, pos, pos);
      }

      // INITIAL / DEFAULT
      if (pos >= n) return this.eof(n, n);
      const c = text.charCodeAt(pos);

      // whitespace
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        let p = pos + 1;
        while (p < n) {
          const d = text.charCodeAt(p);
          if (d === 32 || d === 9 || d === 10 || d === 13) p++;
          else break;
        }
        this.pos = p;
        continue;
      }
      // line comment
      if (c === 35 /* # */) {
        let p = pos + 1;
        while (p < n) {
          const d = text.charCodeAt(p);
          if (d === 10 || d === 13) break;
          p++;
        }
        this.pos = p;
        continue;
      }
      // block comment (`/*` to the first `*/`); an unterminated one lexes as `/` `*`
      if (c === 47 && text.charCodeAt(pos + 1) === 42) {
        const close = text.indexOf("*/", pos + 2);
        if (close >= 0) {
          this.pos = close + 2;
          continue;
        }
      }

      // Punctuation that no longer rule starts with: a token by itself.
      if (c < 128 && IS_ALONE[c] === 1) return this.tok(CHAR_KIND_BY_CODE[c]!, pos, pos + 1);

      // Fast path for the common identifier/keyword that no path or URI rule could extend.
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
        let p = pos + 1;
        while (p < n) {
          const d = text.charCodeAt(p);
          if (
            (d >= 97 && d <= 122) ||
            (d >= 65 && d <= 90) ||
            (d >= 48 && d <= 57) ||
            d === 95 ||
            d === 39 ||
            d === 45
          )
            p++;
          else break;
        }
        const d = text.charCodeAt(p);
        if (d !== 47 && d !== 58 && d !== 46 && d !== 43) {
          return this.tok(c >= 97 && p - pos <= 7 ? keywordAt(text, pos, p - pos) : K.Id, pos, p);
        }
      } else if (c >= 48 && c <= 57) {
        let p = pos + 1;
        while (p < n) {
          const d = text.charCodeAt(p);
          if (d >= 48 && d <= 57) p++;
          else break;
        }
        const d = text.charCodeAt(p);
        if (!(d < 128 && IS_PATH_CHAR[d] === 1) && d !== 47 && p - pos < 18) {
          return this.tok(K.Int, pos, p, BigInt(text.slice(pos, p)));
        }
      }

      // Longest match among the multi-character rules; ties go to the earlier rule.
      let bestLen = 0;
      let bestKind: K = K.Invalid;
      let bestRule = 0; // 1 keyword/id, 2 int, 3 float, 4 path-seg-${, 5 hpath-start-${, 6 path, 7 hpath, 8 spath, 9 uri, 10 op
      const isLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
      const pathChar = c < 128 && IS_PATH_CHAR[c] === 1;

      // operators and `...` (they precede ID in the rules)
      if (c === 46 && text.charCodeAt(pos + 1) === 46 && text.charCodeAt(pos + 2) === 46) {
        bestLen = 3;
        bestRule = 10;
        bestKind = K.Ellipsis;
      } else if (isOperatorStart(c)) {
        const two = operatorAt(c, text.charCodeAt(pos + 1));
        if (two !== K.Invalid) {
          bestLen = 2;
          bestRule = 10;
          bestKind = two;
        }
      }
      let len: number;
      if (isLetter || c === 95) {
        len = matchAt(RE_ID, text, pos);
        if (len > bestLen) {
          bestLen = len;
          bestRule = 1;
          bestKind = K.Id;
          if (len <= 7 && c >= 97) bestKind = keywordAt(text, pos, len);
        }
      }
      if (c >= 48 && c <= 57) {
        len = matchAt(RE_INT, text, pos);
        if (len > bestLen) {
          bestLen = len;
          bestRule = 2;
          bestKind = K.Int;
        }
      }
      if ((c >= 48 && c <= 57) || c === 46) {
        len = matchAt(RE_FLOAT, text, pos);
        if (len > bestLen) {
          bestLen = len;
          bestRule = 3;
          bestKind = K.Float;
        }
      }
      if (pathChar || c === 47) {
        // Paths need a slash: skip the regexes when the run of path characters ends without one.
        // The run end is shared by every position inside the run: remember it (no quadratic rescans).
        let p: number;
        if (pos >= this.pathRunStart && pos < this.pathRunEnd) p = this.pathRunEnd;
        else {
          p = pos;
          while (p < n) {
            const d = text.charCodeAt(p);
            if (d < 128 && IS_PATH_CHAR[d] === 1) p++;
            else break;
          }
          this.pathRunStart = pos;
          this.pathRunEnd = p;
        }
        if (text.charCodeAt(p) === 47) {
          len = matchAt(RE_PATH_SEG_DOLLAR, text, pos);
          if (len > bestLen) {
            bestLen = len;
            bestRule = 4;
            bestKind = K.Path;
          }
          len = matchAt(RE_PATH, text, pos);
          if (len > bestLen) {
            bestLen = len;
            bestRule = 6;
            bestKind = K.Path;
          }
        }
      }
      if (c === 126 /* ~ */) {
        if (text.startsWith("~/${", pos) && 4 > bestLen) {
          bestLen = 4;
          bestRule = 5;
          bestKind = K.HPath;
        }
        len = matchAt(RE_HPATH, text, pos);
        if (len > bestLen) {
          bestLen = len;
          bestRule = 7;
          bestKind = K.HPath;
        }
      }
      if (c === 60 /* < */) {
        len = matchAt(RE_SPATH, text, pos);
        if (len > bestLen) {
          bestLen = len;
          bestRule = 8;
          bestKind = K.SPath;
        }
      }
      if (isLetter) {
        // A URI needs a `:` right after its scheme characters (run end cached as above).
        let p: number;
        if (pos >= this.schemeRunStart && pos < this.schemeRunEnd) p = this.schemeRunEnd;
        else {
          p = pos + 1;
          while (p < n && IS_SCHEME_CHAR[text.charCodeAt(p)] === 1) p++;
          this.schemeRunStart = pos;
          this.schemeRunEnd = p;
        }
        if (text.charCodeAt(p) === 58) {
          len = matchAt(RE_URI, text, pos);
          if (len > bestLen) {
            bestLen = len;
            bestRule = 9;
            bestKind = K.Uri;
          }
        }
      }

      if (bestLen > 0) {
        const end = pos + bestLen;
        switch (bestRule) {
          case 1:
          case 10:
            return this.tok(bestKind, pos, end);
          case 2: {
            const digits = text.slice(pos, end);
            const value = BigInt(digits);
            if (value > INT64_MAX) return this.fail(`invalid integer '${digits}'`, pos);
            return this.tok(K.Int, pos, end, value);
          }
          case 3: {
            const literal = text.slice(pos, end);
            const value = Number(literal);
            if (!Number.isFinite(value)) return this.fail(`invalid float '${literal}'`, pos);
            return this.tok(K.Float, pos, end, value);
          }
          case 4:
          case 5: {
            // PATH_START: the segment up to and including the slash; the interpolation follows.
            const segEnd = end - 2;
            this.push(State.InPathSlash);
            return this.tok(bestKind, pos, segEnd, text.slice(pos, segEnd));
          }
          case 6:
          case 7: {
            this.push(text.charCodeAt(end - 1) === 47 ? State.InPathSlash : State.InPath);
            return this.tok(bestKind, pos, end, text.slice(pos, end));
          }
          default:
            return this.tok(bestKind, pos, end, text.slice(pos, end));
        }
      }

      // single characters and the state changes they cause
      if (c === 36 && text.charCodeAt(pos + 1) === 123) {
        this.push(State.Default);
        return this.tok(K.DollarCurly, pos, pos + 2);
      }
      if (c === 125 /* } */) {
        if (state !== State.Initial) this.pop();
        return this.tok(K.RBrace, pos, pos + 1);
      }
      if (c === 123 /* { */) {
        this.push(State.Default);
        return this.tok(K.LBrace, pos, pos + 1);
      }
      if (c === 34) {
        this.push(State.String);
        return this.tok(K.Quote, pos, pos + 1);
      }
      if (c === 39 && text.charCodeAt(pos + 1) === 39) {
        let j = pos + 2;
        while (text.charCodeAt(j) === 32) j++;
        const end = text.charCodeAt(j) === 10 ? j + 1 : pos + 2;
        this.push(State.IndString);
        return this.tok(K.IndStringOpen, pos, end);
      }
      const kind = c < 128 ? CHAR_KIND_BY_CODE[c]! : -1;
      // A surrogate pair is one character for the error message's purposes.
      const width = c >= 0xd800 && c <= 0xdbff && pos + 1 < n ? 2 : 1;
      return this.tok(kind >= 0 ? (kind as K) : K.Invalid, pos, pos + width);
    }
  }
}
