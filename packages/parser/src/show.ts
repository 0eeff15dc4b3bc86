// showExpr: the text `nix-instantiate --parse` prints (Nix's Expr::show). The printer writes UTF-8
// bytes into a reused buffer, so printing a 10 MB AST makes no strings per node.
import type { AttrName, AttrsExpr, Expr } from "./ast.js";

const RESERVED = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"]);
const NEEDS_ESCAPE = /["\\\n\r\t$]/;
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_'-]*$/;

/** Nix's printLiteralString. */
export function showString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "$" && s[i + 1] === "{") out += "\\$";
    else out += c;
  }
  return out + '"';
}

/** Nix's printIdentifier: bare when it lexes as an identifier, quoted otherwise. */
export function showIdentifier(s: string): string {
  if (s === "") return '""';
  if (RESERVED.has(s)) return `"${s}"`;
  if (IDENTIFIER.test(s)) return s;
  return showString(s);
}

/** C++ `ostream << double` with the default format (%g, 6 significant digits). */
export function showFloat(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? "-nan" : "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = x.toExponential(5); // d.ddddde±X, correctly rounded to 6 significant digits
  const [mantissa, expPart] = exp.split("e") as [string, string];
  const e = Number(expPart);
  const stripZeros = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e < -4 || e >= 6) {
    const sign = e < 0 ? "-" : "+";
    const digits = String(Math.abs(e)).padStart(2, "0");
    return `${stripZeros(mantissa)}e${sign}${digits}`;
  }
  return stripZeros(x.toFixed(5 - e));
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** Printed bytes are handed on in pieces of about this size. */
const CHUNK = 1 << 16;

const encoder = new TextEncoder();

/** The letter after the backslash for each ASCII character printLiteralString escapes (`$` only before `{`); 0: none. */
const ESCAPED = new Uint8Array(128);
for (const [c, e] of [
  ['"', '"'],
  ["\\", "\\"],
  ["\n", "n"],
  ["\r", "r"],
  ["\t", "t"],
  ["$", "$"],
] as const)
  ESCAPED[c.charCodeAt(0)] = e.charCodeAt(0);

/**
 * Writes UTF-8 straight into one reused buffer, escaping each string in one pass over its characters.
 * Measured on the 10.5 MB parse corpus, printing went from ~330 ms to ~250 ms; the gain came from
 * escaping without a regex test and intermediate strings, not from avoiding `+=` (ropes were cheap).
 */
class Printer {
  private buf = new Uint8Array(CHUNK + 64);
  private pos = 0;

  constructor(private readonly sink: (chunk: Uint8Array) => void) {}

  flush(): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /** Text known to be ASCII and short (the printer's own punctuation and keywords). */
  private ascii(s: string): void {
    if (this.pos + s.length > this.buf.length) this.flush();
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }

  private byte(c: number): void {
    if (this.pos >= this.buf.length) this.flush();
    this.buf[this.pos++] = c;
  }

  /** Room for `bytes` more bytes in `buf` from `pos` (flushing, or growing for one long piece). */
  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush();
    if (bytes > this.buf.length) this.buf = new Uint8Array(bytes);
  }

  /** Any text, as UTF-8. */
  private text(s: string): void {
    const n = s.length;
    if (n > CHUNK) {
      this.flush();
      this.sink(encoder.encode(s));
      return;
    }
    this.reserve(3 * n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[pos++] = c;
      else {
        pos = this.encodeAt(s, i, c, pos);
        i = this.lastIndex;
      }
    }
    this.pos = pos;
  }

  /** Index of the last UTF-16 unit encodeAt consumed (a surrogate pair takes two). */
  private lastIndex = 0;

  /** Writes the non-ASCII character `c` at `s[i]` at `pos`; returns the position after it. */
  private encodeAt(s: string, i: number, c: number, pos: number): number {
    const buf = this.buf;
    this.lastIndex = i;
    if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
      return pos;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[pos++] = 0xf0 | (cp >> 18);
        buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[pos++] = 0x80 | (cp & 0x3f);
        this.lastIndex = i + 1;
        return pos;
      }
    }
    // A lone surrogate becomes U+FFFD, as TextEncoder writes it.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    buf[pos++] = 0xe0 | (c >> 12);
    buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
    buf[pos++] = 0x80 | (c & 0x3f);
    return pos;
  }

  /** showString, written: Nix's printLiteralString in one pass. */
  private string(s: string): void {
    const n = s.length;
    if (n > CHUNK) {
      this.text(showString(s));
      return;
    }
    this.reserve(3 * n + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        pos = this.encodeAt(s, i, c, pos);
        i = this.lastIndex;
        continue;
      }
      const escaped = ESCAPED[c]!;
      if (escaped !== 0 && (c !== 36 || s.charCodeAt(i + 1) === 123)) {
        buf[pos++] = 92;
        buf[pos++] = escaped;
      } else buf[pos++] = c;
    }
    buf[pos++] = 34;
    this.pos = pos;
  }

  /** showIdentifier, written (it returns a plain identifier itself, so nothing is copied). */
  private identifier(s: string): void {
    this.text(showIdentifier(s));
  }

  attrPath(path: readonly AttrName[]): void {
    for (let i = 0; i < path.length; i++) {
      const p = path[i]!;
      if (i > 0) this.byte(46);
      if (p.kind === "static") this.identifier(p.name);
      else {
        this.ascii('"${');
        this.expr(p.expr);
        this.ascii('}"');
      }
    }
  }

  bindings(attrs: AttrsExpr): void {
    const defs = attrs.attrs;
    const sorted = defs.length > 1 ? defs.slice().sort(byName) : defs;
    let hasInherits = false;
    let hasInheritFrom = false;
    for (const d of sorted) {
      if (d.kind === "inherited") {
        if (!hasInherits) this.ascii("inherit");
        hasInherits = true;
        this.byte(32);
        this.identifier(d.name);
      } else if (d.kind === "inheritedFrom") hasInheritFrom = true;
    }
    if (hasInherits) this.ascii("; ");
    if (hasInheritFrom) this.inheritsFrom(attrs, sorted);
    for (const d of sorted) {
      if (d.kind !== "plain") continue;
      this.identifier(d.name);
      this.ascii(" = ");
      this.expr(d.value);
      this.ascii("; ");
    }
    for (const d of attrs.dynamicAttrs) {
      this.ascii('"${');
      this.expr(d.name);
      this.ascii('}" = ');
      this.expr(d.value);
      this.ascii("; ");
    }
  }

  private inheritsFrom(attrs: AttrsExpr, sorted: AttrsExpr["attrs"]): void {
    const byFrom = new Map<number, string[]>();
    for (const d of sorted) {
      if (d.kind !== "inheritedFrom" || d.value.kind !== "Select" || d.value.expr.kind !== "InheritFrom")
        continue;
      const index = d.value.expr.index;
      let names = byFrom.get(index);
      if (names === undefined) byFrom.set(index, (names = []));
      names.push(d.name);
    }
    for (const index of [...byFrom.keys()].sort((a, b) => a - b)) {
      this.ascii("inherit (");
      this.expr(attrs.inheritFrom[index]!);
      this.byte(41);
      for (const name of byFrom.get(index)!) {
        this.byte(32);
        this.identifier(name);
      }
      this.ascii("; ");
    }
  }

  expr(e: Expr): void {
    switch (e.kind) {
      case "Int":
        this.ascii(e.value.toString());
        return;
      case "Float":
        this.ascii(showFloat(e.value));
        return;
      case "String":
        this.string(e.value);
        return;
      case "Path":
        this.text(e.value);
        return;
      case "Var":
        this.identifier(e.name);
        return;
      case "Select":
        this.byte(40);
        this.expr(e.expr);
        this.ascii(").");
        this.attrPath(e.path);
        if (e.default !== null) {
          this.ascii(" or (");
          this.expr(e.default);
          this.byte(41);
        }
        return;
      case "HasAttr":
        this.ascii("((");
        this.expr(e.expr);
        this.ascii(") ? ");
        this.attrPath(e.path);
        this.byte(41);
        return;
      case "Attrs":
        this.ascii(e.recursive ? "rec { " : "{ ");
        this.bindings(e);
        this.byte(125);
        return;
      case "List":
        this.ascii("[ ");
        for (const item of e.items) {
          this.byte(40);
          this.expr(item);
          this.ascii(") ");
        }
        this.byte(93);
        return;
      case "Lambda": {
        this.byte(40);
        if (e.formals !== null) {
          const formals = e.formals.formals.slice().sort(byName);
          this.ascii("{ ");
          for (let i = 0; i < formals.length; i++) {
            const f = formals[i]!;
            if (i > 0) this.ascii(", ");
            this.identifier(f.name);
            if (f.default !== null) {
              this.ascii(" ? ");
              this.expr(f.default);
            }
          }
          if (e.formals.ellipsis) this.ascii(formals.length > 0 ? ", ..." : "...");
          this.ascii(" }");
          if (e.arg !== null) this.ascii(" @ ");
        }
        if (e.arg !== null) this.identifier(e.arg);
        this.ascii(": ");
        this.expr(e.body);
        this.byte(41);
        return;
      }
      case "Call":
        this.byte(40);
        this.expr(e.fn);
        for (const a of e.args) {
          this.byte(32);
          this.expr(a);
        }
        this.byte(41);
        return;
      case "Let":
        this.ascii("(let ");
        this.bindings(e.attrs);
        this.ascii("in ");
        this.expr(e.body);
        this.byte(41);
        return;
      case "With":
        this.ascii("(with ");
        this.expr(e.env);
        this.ascii("; ");
        this.expr(e.body);
        this.byte(41);
        return;
      case "If":
        this.ascii("(if ");
        this.expr(e.cond);
        this.ascii(" then ");
        this.expr(e.then);
        this.ascii(" else ");
        this.expr(e.else);
        this.byte(41);
        return;
      case "Assert":
        this.ascii("assert ");
        this.expr(e.cond);
        this.ascii("; ");
        this.expr(e.body);
        return;
      case "Not":
        this.ascii("(! ");
        this.expr(e.expr);
        this.byte(41);
        return;
      case "Binary":
        this.byte(40);
        this.expr(e.left);
        this.byte(32);
        this.ascii(e.op);
        this.byte(32);
        this.expr(e.right);
        this.byte(41);
        return;
      case "ConcatStrings":
        this.byte(40);
        for (let i = 0; i < e.parts.length; i++) {
          if (i > 0) this.ascii(" + ");
          this.expr(e.parts[i]!);
        }
        this.byte(41);
        return;
      case "CurPos":
        this.ascii("__curPos");
        return;
      case "InheritFrom":
        this.ascii("__inheritFrom" + e.index);
        return;
    }
  }
}

/** The text a printing step writes, as one string (short texts: messages, tests). */
function printToString(print: (p: Printer) => void): string {
  const decoder = new TextDecoder();
  let out = "";
  const p = new Printer((chunk) => {
    out += decoder.decode(chunk, { stream: true });
  });
  print(p);
  p.flush();
  return out + decoder.decode();
}

export function showAttrPath(path: readonly AttrName[]): string {
  return printToString((p) => p.attrPath(path));
}

/** Exactly what `nix-instantiate --parse` prints for `e` (without the trailing newline). */
export function showExpr(e: Expr): string {
  return printToString((p) => p.expr(e));
}

/**
 * showExpr's text as UTF-8, handed to `write` in pieces as it is printed, so a big AST's text is
 * never held whole. A piece is only valid during the call (the printer reuses its buffer).
 */
export function writeExpr(e: Expr, write: (chunk: Uint8Array) => void): void {
  const p = new Printer(write);
  p.expr(e);
  p.flush();
}
