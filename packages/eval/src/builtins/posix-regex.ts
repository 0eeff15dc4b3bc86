// POSIX extended regular expressions exactly as Nix reads them: libstdc++'s
// std::regex with std::regex::extended (built with __STRICT_ANSI__), matching
// bytes of the UTF-8 encoding in the "C" locale.
//
// The pattern is parsed the way libstdc++'s _Compiler does and compiled into
// the same NFA (same states, same clones for {n,m}, same 100000-state limit),
// which a port of libstdc++'s depth-first _Executor runs (iteratively, so long
// subjects cannot overflow the JS stack). That executor is not ECMAScript:
// alternation keeps the longest of its branches (POSIX mode), a repeated
// sub-expression may match the empty string (up to twice at one position) and
// captures inside a repetition are not reset per iteration.
//
// Most patterns behave identically under V8's RegExp, which is much faster: a
// pattern is translated to a JS RegExp (over bytes) when no repetition applies
// to something that can match empty and no capture inside a repetition is
// optional there; `split` additionally needs the pattern to have no `|`
// (whole-string `match` is unaffected by the longest-alternative rule since
// every solution ends at the end). Everything else runs on the NFA.
import { fromByteString, isAscii, toByteString, utf8Bytes, utf8Decode } from "./strings.js";
import {
  Executor,
  F_CONTINUOUS,
  F_NOT_NULL,
  F_PREV_AVAIL,
  Nfa,
  OP_ACCEPT,
  OP_ALT,
  OP_DUMMY,
  OP_LINE_BEGIN,
  OP_LINE_END,
  OP_MATCH,
  OP_REPEAT,
  RegexError,
  Seq,
  type Groups,
} from "./posix-nfa.js";

export { RegexError };

const invalid = (): RegexError => new RegexError(false);

// ---- syntax tree (for the JS translation) -----------------------------------

export type Node =
  | { t: "set"; table: Uint8Array }
  | { t: "group"; child: Node }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; l: Node; r: Node }
  | { t: "rep"; min: number; max: number; child: Node }
  | { t: "bol" }
  | { t: "eol" }
  | { t: "empty" };

// ---- scanner (libstdc++ _Scanner, POSIX extended) ------------------------------

const T_EOF = 0;
const T_ORD = 1;
const T_ANY = 2;
const T_SUB_BEGIN = 3;
const T_SUB_END = 4;
const T_BRACKET_BEGIN = 5;
const T_BRACKET_NEG_BEGIN = 6;
const T_INTERVAL_BEGIN = 7;
const T_STAR = 8;
const T_PLUS = 9;
const T_OPT = 10;
const T_OR = 11;
const T_LINE_BEGIN = 12;
const T_LINE_END = 13;
const T_BRACKET_END = 14;
const T_BRACKET_DASH = 15;
const T_COLLSYM = 16;
const T_EQUIV = 17;
const T_CLASS = 18;
const T_DUP_COUNT = 19;
const T_COMMA = 20;
const T_INTERVAL_END = 21;

const S_NORMAL = 0;
const S_BRACKET = 1;
const S_BRACE = 2;

/** Characters with a meaning in extended syntax (the only ones `\` may escape). */
const EXT_SPECIAL = new Set([..."^$\\.*+?()[{|"].map((c) => c.charCodeAt(0)));
const SIMPLE_TOKENS: Record<number, number> = {
  46: T_ANY, // .
  42: T_STAR,
  43: T_PLUS,
  63: T_OPT,
  124: T_OR,
  94: T_LINE_BEGIN,
  36: T_LINE_END,
};

const isDigitByte = (c: number) => c >= 48 && c <= 57;

class Scanner {
  private pos = 0;
  private state = S_NORMAL;
  private atBracketStart = false;
  token = T_EOF;
  value: number[] = [];

  constructor(private readonly p: Uint8Array) {
    this.advance();
  }

  advance(): void {
    if (this.pos >= this.p.length) {
      this.token = T_EOF;
      return;
    }
    if (this.state === S_NORMAL) this.scanNormal();
    else if (this.state === S_BRACKET) this.scanBracket();
    else this.scanBrace();
  }

  private scanNormal(): void {
    const p = this.p;
    let c = p[this.pos++]!;
    if (!EXT_SPECIAL.has(c)) {
      if (c === 0) throw invalid();
      this.token = T_ORD;
      this.value = [c];
      return;
    }
    if (c === 92 /* \ */) {
      if (this.pos >= p.length) throw invalid();
      c = p[this.pos]!;
      if (!EXT_SPECIAL.has(c)) throw invalid(); // back-references and escaped ordinary characters
      this.pos++;
      this.token = T_ORD;
      this.value = [c];
      return;
    }
    if (c === 40) this.token = T_SUB_BEGIN;
    else if (c === 41) this.token = T_SUB_END;
    else if (c === 91 /* [ */) {
      this.state = S_BRACKET;
      this.atBracketStart = true;
      if (this.pos < p.length && p[this.pos] === 94) {
        this.token = T_BRACKET_NEG_BEGIN;
        this.pos++;
      } else this.token = T_BRACKET_BEGIN;
    } else if (c === 123 /* { */) {
      this.state = S_BRACE;
      this.token = T_INTERVAL_BEGIN;
    } else this.token = SIMPLE_TOKENS[c]!;
  }

  private scanBracket(): void {
    const p = this.p;
    const c = p[this.pos++]!;
    if (c === 45 /* - */) this.token = T_BRACKET_DASH;
    else if (c === 91 /* [ */) {
      if (this.pos >= p.length) throw invalid();
      const k = p[this.pos]!;
      if (k === 46 || k === 58 || k === 61) {
        this.token = k === 46 ? T_COLLSYM : k === 58 ? T_CLASS : T_EQUIV;
        this.pos++;
        this.eatClass(k);
      } else {
        this.token = T_ORD;
        this.value = [c];
      }
    } else if (c === 93 /* ] */ && !this.atBracketStart) {
      this.token = T_BRACKET_END;
      this.state = S_NORMAL;
    } else {
      this.token = T_ORD;
      this.value = [c];
    }
    this.atBracketStart = false;
  }

  private eatClass(ch: number): void {
    const p = this.p;
    const v: number[] = [];
    while (this.pos < p.length && p[this.pos] !== ch) v.push(p[this.pos++]!);
    if (this.pos >= p.length || p[this.pos++] !== ch || this.pos >= p.length || p[this.pos++] !== 93)
      throw invalid();
    this.value = v;
  }

  private scanBrace(): void {
    const p = this.p;
    const c = p[this.pos++]!;
    if (isDigitByte(c)) {
      this.token = T_DUP_COUNT;
      const v = [c];
      while (this.pos < p.length && isDigitByte(p[this.pos]!)) v.push(p[this.pos++]!);
      this.value = v;
    } else if (c === 44) this.token = T_COMMA;
    else if (c === 125) {
      this.state = S_NORMAL;
      this.token = T_INTERVAL_END;
    } else throw invalid();
  }
}

// ---- bracket expressions ------------------------------------------------------

const COLLATE_NAMES: readonly string[] = (() => {
  const low = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "alert", "backspace", "tab", "newline", "vertical-tab",
    "form-feed", "carriage-return", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN",
    "EM", "SUB", "ESC", "IS4", "IS3", "IS2", "IS1", "space", "exclamation-mark", "quotation-mark", "number-sign",
    "dollar-sign", "percent-sign", "ampersand", "apostrophe", "left-parenthesis", "right-parenthesis", "asterisk",
    "plus-sign", "comma", "hyphen", "period", "slash", "zero", "one", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "colon", "semicolon", "less-than-sign", "equals-sign", "greater-than-sign",
    "question-mark", "commercial-at",
  ]; // prettier-ignore
  const names = [...low];
  for (let c = 65; c <= 90; c++) names.push(String.fromCharCode(c));
  names.push(
    "left-square-bracket",
    "backslash",
    "right-square-bracket",
    "circumflex",
    "underscore",
    "grave-accent",
  );
  for (let c = 97; c <= 122; c++) names.push(String.fromCharCode(c));
  names.push("left-curly-bracket", "vertical-line", "right-curly-bracket", "tilde", "DEL");
  return names;
})();

/** regex_traits::lookup_collatename: a name from the POSIX table, or -1. */
function collateChar(name: number[]): number {
  const s = String.fromCharCode(...name);
  return COLLATE_NAMES.indexOf(s);
}

const inRange = (c: number, lo: number, hi: number) => c >= lo && c <= hi;
const C_CLASSES: Record<string, (c: number) => boolean> = {
  alnum: (c) => inRange(c, 48, 57) || inRange(c, 65, 90) || inRange(c, 97, 122),
  alpha: (c) => inRange(c, 65, 90) || inRange(c, 97, 122),
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => inRange(c, 48, 57),
  graph: (c) => inRange(c, 33, 126),
  lower: (c) => inRange(c, 97, 122),
  print: (c) => inRange(c, 32, 126),
  punct: (c) => inRange(c, 33, 126) && !C_CLASSES.alnum!(c),
  space: (c) => c === 32 || inRange(c, 9, 13),
  upper: (c) => inRange(c, 65, 90),
  xdigit: (c) => inRange(c, 48, 57) || inRange(c, 65, 70) || inRange(c, 97, 102),
  d: (c) => inRange(c, 48, 57),
  s: (c) => c === 32 || inRange(c, 9, 13),
  w: (c) => C_CLASSES.alnum!(c) || c === 95,
};

const lowerByte = (c: number) => (inRange(c, 65, 90) ? c + 32 : c);
const signedByte = (c: number) => (c >= 128 ? c - 256 : c);

class BracketMatcher {
  readonly chars = new Set<number>();
  readonly ranges: [number, number][] = [];
  readonly classes: ((c: number) => boolean)[] = [];
  readonly equiv: number[] = [];
  constructor(readonly neg: boolean) {}
  makeRange(l: number, r: number): void {
    if (signedByte(l) > signedByte(r)) throw invalid();
    this.ranges.push([signedByte(l), signedByte(r)]);
  }
  addClass(name: number[]): void {
    const f = C_CLASSES[String.fromCharCode(...name.map(lowerByte))];
    if (f === undefined) throw invalid();
    this.classes.push(f);
  }
  addEquiv(name: number[]): void {
    const c = collateChar(name);
    if (c < 0) throw invalid();
    this.equiv.push(lowerByte(c));
  }
  table(): Uint8Array {
    const t = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const sb = signedByte(b);
      let m = this.chars.has(b) || this.ranges.some(([l, r]) => l <= sb && sb <= r);
      if (!m) m = this.classes.some((f) => f(b)) || this.equiv.includes(lowerByte(b));
      t[b] = m !== this.neg ? 1 : 0;
    }
    return t;
  }
}

const LAST_NONE = 0;
const LAST_CHAR = 1;
const LAST_CLASS = 2;

// ---- compiler (libstdc++ _Compiler) -------------------------------------------

class Compiler {
  readonly nfa = new Nfa();
  private readonly sc: Scanner;
  private readonly stack: [Seq, Node][] = [];
  private value: number[] = [];
  root: Node = { t: "empty" };

  constructor(pattern: Uint8Array) {
    this.sc = new Scanner(pattern);
    const nfa = this.nfa;
    const r = new Seq(nfa, nfa.subBegin());
    this.disjunction();
    if (!this.match(T_EOF)) throw invalid();
    const [body, node] = this.pop();
    r.appendSeq(body);
    r.append(nfa.subEnd());
    r.append(nfa.insert(OP_ACCEPT));
    nfa.eliminateDummies();
    nfa.start = r.start;
    this.root = node;
  }

  private match(tok: number): boolean {
    if (this.sc.token !== tok) return false;
    this.value = this.sc.value;
    this.sc.advance();
    return true;
  }
  private pop(): [Seq, Node] {
    return this.stack.pop()!;
  }
  private push(s: Seq, n: Node): void {
    this.stack.push([s, n]);
  }

  private disjunction(): void {
    this.alternative();
    while (this.match(T_OR)) {
      const [a1, n1] = this.pop();
      this.alternative();
      const [a2, n2] = this.pop();
      const end = this.nfa.insert(OP_DUMMY);
      a1.append(end);
      a2.append(end);
      this.push(new Seq(this.nfa, this.nfa.insert(OP_ALT, a2.start, a1.start), end), {
        t: "alt",
        l: n1,
        r: n2,
      });
    }
  }

  /** Terms chained and closed by a dummy state (libstdc++ recurses per term; same states). */
  private alternative(): void {
    const terms: [Seq, Node][] = [];
    while (this.term()) terms.push(this.pop());
    const d = new Seq(this.nfa, this.nfa.insert(OP_DUMMY));
    if (terms.length === 0) {
      this.push(d, { t: "empty" });
      return;
    }
    const seq = terms[0]![0];
    for (let i = 1; i < terms.length; i++) seq.appendSeq(terms[i]![0]);
    seq.appendSeq(d);
    this.push(seq, terms.length === 1 ? terms[0]![1] : { t: "cat", items: terms.map((t) => t[1]) });
  }

  private term(): boolean {
    if (this.match(T_LINE_BEGIN)) {
      this.push(new Seq(this.nfa, this.nfa.insert(OP_LINE_BEGIN)), { t: "bol" });
      return true;
    }
    if (this.match(T_LINE_END)) {
      this.push(new Seq(this.nfa, this.nfa.insert(OP_LINE_END)), { t: "eol" });
      return true;
    }
    if (!this.atom()) return false;
    while (this.quantifier());
    return true;
  }

  private intValue(): number {
    let v = 0n;
    for (const c of this.value) v = v * 10n + BigInt(c - 48);
    if (v > 0x7fffffffffffffffn) throw invalid();
    return Number(v);
  }

  private quantifier(): boolean {
    const nfa = this.nfa;
    if (this.match(T_STAR)) {
      const [e, n] = this.pop();
      const r = new Seq(nfa, nfa.insert(OP_REPEAT, -1, e.start));
      e.appendSeq(r);
      this.push(r, { t: "rep", min: 0, max: Infinity, child: n });
    } else if (this.match(T_PLUS)) {
      const [e, n] = this.pop();
      e.append(nfa.insert(OP_REPEAT, -1, e.start));
      this.push(e, { t: "rep", min: 1, max: Infinity, child: n });
    } else if (this.match(T_OPT)) {
      const [e, n] = this.pop();
      const end = nfa.insert(OP_DUMMY);
      const r = new Seq(nfa, nfa.insert(OP_REPEAT, -1, e.start));
      e.append(end);
      r.append(end);
      this.push(r, { t: "rep", min: 0, max: 1, child: n });
    } else if (this.match(T_INTERVAL_BEGIN)) {
      if (!this.match(T_DUP_COUNT)) throw invalid();
      const [r, n] = this.pop();
      const e = new Seq(nfa, nfa.insert(OP_DUMMY));
      const min = this.intValue();
      let infinite = false;
      let extra = 0;
      if (this.match(T_COMMA)) {
        if (this.match(T_DUP_COUNT)) extra = this.intValue() - min;
        else infinite = true;
      }
      if (!this.match(T_INTERVAL_END)) throw invalid();
      for (let i = 0; i < min; i++) e.appendSeq(r.clone());
      if (infinite) {
        const tmp = r.clone();
        const s = new Seq(nfa, nfa.insert(OP_REPEAT, -1, tmp.start));
        tmp.appendSeq(s);
        e.appendSeq(s);
      } else {
        if (extra < 0) throw invalid();
        const end = nfa.insert(OP_DUMMY);
        const alts: number[] = [];
        for (let i = 0; i < extra; i++) {
          const tmp = r.clone();
          const alt = nfa.insert(OP_REPEAT, tmp.start, end);
          alts.push(alt);
          e.appendSeq(new Seq(nfa, alt, tmp.end));
        }
        e.append(end);
        for (const a of alts) {
          const t = nfa.next[a]!;
          nfa.next[a] = nfa.alt[a]!;
          nfa.alt[a] = t;
        }
      }
      this.push(e, { t: "rep", min, max: infinite ? Infinity : min + extra, child: n });
    } else return false;
    return true;
  }

  private atom(): boolean {
    const nfa = this.nfa;
    if (this.match(T_ANY)) {
      const t = new Uint8Array(256).fill(1);
      t[0] = 0;
      this.push(new Seq(nfa, nfa.insert(OP_MATCH, -1, -1, nfa.tableIndex(t))), { t: "set", table: t });
    } else if (this.match(T_ORD)) {
      const i = nfa.charTable(this.value[0]!);
      this.push(new Seq(nfa, nfa.insert(OP_MATCH, -1, -1, i)), { t: "set", table: nfa.tables[i]! });
    } else if (this.match(T_SUB_BEGIN)) {
      const r = new Seq(nfa, nfa.subBegin());
      this.disjunction();
      if (!this.match(T_SUB_END)) throw invalid();
      const [body, n] = this.pop();
      r.appendSeq(body);
      r.append(nfa.subEnd());
      this.push(r, { t: "group", child: n });
    } else if (!this.bracket()) return false;
    return true;
  }

  private bracket(): boolean {
    const neg = this.match(T_BRACKET_NEG_BEGIN);
    if (!neg && !this.match(T_BRACKET_BEGIN)) return false;
    const m = new BracketMatcher(neg);
    const last = { type: LAST_NONE, ch: 0 };
    if (this.match(T_ORD)) {
      last.type = LAST_CHAR;
      last.ch = this.value[0]!;
    } else if (this.match(T_BRACKET_DASH)) {
      last.type = LAST_CHAR;
      last.ch = 45;
    }
    while (this.expressionTerm(last, m));
    if (last.type === LAST_CHAR) m.chars.add(last.ch);
    const t = m.table();
    this.push(new Seq(this.nfa, this.nfa.insert(OP_MATCH, -1, -1, this.nfa.tableIndex(t))), {
      t: "set",
      table: t,
    });
    return true;
  }

  private expressionTerm(last: { type: number; ch: number }, m: BracketMatcher): boolean {
    if (this.match(T_BRACKET_END)) return false;
    const pushChar = (c: number) => {
      if (last.type === LAST_CHAR) m.chars.add(last.ch);
      last.type = LAST_CHAR;
      last.ch = c;
    };
    const pushClass = () => {
      if (last.type === LAST_CHAR) m.chars.add(last.ch);
      last.type = LAST_CLASS;
    };
    if (this.match(T_COLLSYM)) {
      const c = collateChar(this.value);
      if (c < 0) throw invalid();
      pushChar(c);
    } else if (this.match(T_EQUIV)) {
      pushClass();
      m.addEquiv(this.value);
    } else if (this.match(T_CLASS)) {
      pushClass();
      m.addClass(this.value);
    } else if (this.match(T_ORD)) pushChar(this.value[0]!);
    else if (this.match(T_BRACKET_DASH)) {
      if (this.match(T_BRACKET_END)) {
        pushChar(45);
        return false;
      }
      if (last.type !== LAST_CHAR) throw invalid(); // "[[:alpha:]-z]", "[a-c-e]"
      if (this.match(T_ORD)) m.makeRange(last.ch, this.value[0]!);
      else if (this.match(T_BRACKET_DASH)) m.makeRange(last.ch, 45);
      else throw invalid();
      last.type = LAST_NONE;
    } else throw invalid();
    return true;
  }
}

// ---- fast-path analysis and the JS translation ---------------------------------

function nullable(n: Node): boolean {
  switch (n.t) {
    case "set":
      return false;
    case "group":
      return nullable(n.child);
    case "cat":
      return n.items.every(nullable);
    case "alt":
      return nullable(n.l) || nullable(n.r);
    case "rep":
      return n.min === 0 || nullable(n.child);
    default:
      return true;
  }
}

interface Shape {
  alternation: boolean;
  /** Some part makes ECMAScript and libstdc++ disagree (see the header). */
  divergent: boolean;
}

function shapeOf(root: Node): Shape {
  const shape: Shape = { alternation: false, divergent: false };
  const walk = (n: Node, inRep: boolean, optional: boolean): void => {
    switch (n.t) {
      case "group":
        if (inRep && optional) shape.divergent = true;
        walk(n.child, inRep, optional);
        break;
      case "cat":
        for (const i of n.items) walk(i, inRep, optional);
        break;
      case "alt":
        shape.alternation = true;
        walk(n.l, inRep, true);
        walk(n.r, inRep, true);
        break;
      case "rep":
        if (nullable(n.child)) shape.divergent = true;
        walk(n.child, true, inRep && (optional || n.min === 0));
        break;
      default:
        break;
    }
  };
  walk(root, false, false);
  return shape;
}

const hex = (b: number) => "\\x" + b.toString(16).padStart(2, "0");

function tableToJs(t: Uint8Array): string {
  let count = 0;
  let single = -1;
  for (let b = 0; b < 256; b++)
    if (t[b]) {
      count++;
      single = b;
    }
  if (count === 1)
    return /[A-Za-z0-9]/.test(String.fromCharCode(single)) ? String.fromCharCode(single) : hex(single);
  if (count === 0) return "(?!)";
  let out = "[";
  for (let b = 0; b < 256; b++) {
    if (!t[b]) continue;
    let e = b;
    while (e + 1 < 256 && t[e + 1]) e++;
    out += e === b ? hex(b) : hex(b) + "-" + hex(e);
    b = e;
  }
  return out + "]";
}

function toJs(n: Node): string {
  switch (n.t) {
    case "set":
      return tableToJs(n.table);
    case "group":
      return "(" + toJs(n.child) + ")";
    case "cat":
      return n.items.map(toJs).join("");
    case "alt":
      return "(?:" + toJs(n.l) + "|" + toJs(n.r) + ")";
    case "rep": {
      const q =
        n.max === Infinity
          ? n.min === 0
            ? "*"
            : n.min === 1
              ? "+"
              : `{${n.min},}`
          : n.min === 0 && n.max === 1
            ? "?"
            : n.min === n.max
              ? `{${n.min}}`
              : `{${n.min},${n.max}}`;
      return "(?:" + toJs(n.child) + ")" + q;
    }
    case "bol":
      return "^";
    case "eol":
      return "$";
    case "empty":
      return "";
  }
}

// ---- the compiled regex ----------------------------------------------------------

/** One `split` match: the text before it and the captures (null for groups that did not match). */
export interface SplitPiece {
  before: string;
  groups: (string | null)[];
}

export interface SplitResult {
  pieces: SplitPiece[];
  after: string;
}

export type Engine = "auto" | "nfa" | "js";

export class PosixRegex {
  /** Capture groups, not counting the whole match. */
  readonly groupCount: number;
  private readonly nfa: Nfa;
  private readonly exactJs: RegExp | null;
  private readonly globalJs: RegExp | null;

  constructor(
    readonly pattern: string,
    engine: Engine = "auto",
  ) {
    const c = new Compiler(utf8Bytes(pattern));
    this.nfa = c.nfa;
    this.groupCount = c.nfa.subCount - 1;
    const shape = shapeOf(c.root);
    const js = toJs(c.root);
    const matchOk = engine === "js" || (engine === "auto" && !shape.divergent);
    const splitOk = engine === "js" || (engine === "auto" && !shape.divergent && !shape.alternation);
    this.exactJs = matchOk ? new RegExp("^(?:" + js + ")$") : null;
    this.globalJs = splitOk ? new RegExp(js, "g") : null;
  }

  /** Which engine `match` / `split` use (for tests). */
  get engines(): { match: "js" | "nfa"; split: "js" | "nfa" } {
    return { match: this.exactJs ? "js" : "nfa", split: this.globalJs ? "js" : "nfa" };
  }

  /** builtins.match: the captures when the whole string matches, else null. */
  match(str: string): (string | null)[] | null {
    const ascii = isAscii(str);
    if (this.exactJs !== null) {
      const m = this.exactJs.exec(ascii ? str : toByteString(str));
      if (m === null) return null;
      const out: (string | null)[] = [];
      for (let i = 1; i <= this.groupCount; i++) {
        const g = m[i];
        out.push(g === undefined ? null : ascii ? g : fromByteString(g));
      }
      return out;
    }
    const bytes = utf8Bytes(str);
    const r = new Executor(this.nfa, bytes).matchAll();
    return r === null ? null : this.groupsOf(r, str, bytes, ascii);
  }

  /** builtins.split: null when nothing matches. */
  split(str: string): SplitResult | null {
    return this.globalJs !== null ? this.splitJs(str, this.globalJs) : this.splitNfa(str);
  }

  private groupsOf(r: Groups, str: string, bytes: Uint8Array, ascii: boolean): (string | null)[] {
    const out: (string | null)[] = [];
    for (let i = 1; i <= this.groupCount; i++) {
      const a = r[2 * i]!;
      out.push(a < 0 ? null : slice(str, bytes, ascii, a, r[2 * i + 1]!));
    }
    return out;
  }

  /** std::cregex_iterator over the NFA executor. */
  private splitNfa(str: string): SplitResult | null {
    const bytes = utf8Bytes(str);
    const ascii = bytes.length === str.length;
    const ex = new Executor(this.nfa, bytes);
    const end = bytes.length;
    const pieces: SplitPiece[] = [];
    let flags = 0;
    let m = ex.search(0, flags);
    if (m === null) return null;
    let prefixFirst = 0;
    for (;;) {
      pieces.push({
        before: slice(str, bytes, ascii, prefixFirst, m[0]!),
        groups: this.groupsOf(m, str, bytes, ascii),
      });
      let start = m[1]!;
      prefixFirst = start;
      if (m[0] === m[1]) {
        if (start === end) break;
        const again = ex.search(start, flags | F_NOT_NULL | F_CONTINUOUS);
        if (again !== null) {
          m = again;
          continue;
        }
        start++;
      }
      flags |= F_PREV_AVAIL;
      const nextM = ex.search(start, flags);
      if (nextM === null) break;
      m = nextM;
    }
    return { pieces, after: slice(str, bytes, ascii, prefixFirst, end) };
  }

  /** The same iteration with V8 (valid when the pattern has no `|`: see the header). */
  private splitJs(str: string, re: RegExp): SplitResult | null {
    const ascii = isAscii(str);
    const s = ascii ? str : toByteString(str);
    const conv = ascii ? (x: string) => x : fromByteString;
    const pieces: SplitPiece[] = [];
    re.lastIndex = 0;
    let prefixFirst = 0;
    for (;;) {
      const m = re.exec(s);
      if (m === null) break;
      const groups: (string | null)[] = [];
      for (let i = 1; i <= this.groupCount; i++) groups.push(m[i] === undefined ? null : conv(m[i]!));
      pieces.push({ before: conv(s.slice(prefixFirst, m.index)), groups });
      const e = m.index + m[0].length;
      prefixFirst = e;
      if (m[0].length === 0) {
        if (e === s.length) break;
        re.lastIndex = e + 1;
      } else re.lastIndex = e;
    }
    if (pieces.length === 0) return null;
    return { pieces, after: conv(s.slice(prefixFirst)) };
  }
}

function slice(str: string, bytes: Uint8Array, ascii: boolean, a: number, b: number): string {
  return ascii ? str.slice(a, b) : utf8Decode(bytes.subarray(a, b));
}
