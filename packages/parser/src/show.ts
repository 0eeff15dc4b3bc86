// showExpr: the text `nix-instantiate --parse` prints (Nix's Expr::show). One printer appends to
// a single string (V8 keeps it as a rope until it is written), so printing a 10 MB AST makes no
// intermediate strings per node.
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

/** Printed text is handed on in pieces of about this many UTF-16 units. */
const CHUNK = 1 << 16;

class Printer {
  out = "";

  constructor(private readonly sink: ((chunk: string) => void) | null = null) {}

  flush(): void {
    if (this.out !== "") this.sink?.(this.out);
    this.out = "";
  }

  attrPath(path: readonly AttrName[]): void {
    for (let i = 0; i < path.length; i++) {
      const p = path[i]!;
      if (i > 0) this.out += ".";
      if (p.kind === "static") this.out += showIdentifier(p.name);
      else {
        this.out += '"${';
        this.expr(p.expr);
        this.out += '}"';
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
        if (!hasInherits) this.out += "inherit";
        hasInherits = true;
        this.out += " " + showIdentifier(d.name);
      } else if (d.kind === "inheritedFrom") hasInheritFrom = true;
    }
    if (hasInherits) this.out += "; ";
    if (hasInheritFrom) this.inheritsFrom(attrs, sorted);
    for (const d of sorted) {
      if (d.kind !== "plain") continue;
      this.out += showIdentifier(d.name) + " = ";
      this.expr(d.value);
      this.out += "; ";
    }
    for (const d of attrs.dynamicAttrs) {
      this.out += '"${';
      this.expr(d.name);
      this.out += '}" = ';
      this.expr(d.value);
      this.out += "; ";
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
      this.out += "inherit (";
      this.expr(attrs.inheritFrom[index]!);
      this.out += ")";
      for (const name of byFrom.get(index)!) this.out += " " + showIdentifier(name);
      this.out += "; ";
    }
  }

  expr(e: Expr): void {
    if (this.sink !== null && this.out.length > CHUNK) this.flush();
    switch (e.kind) {
      case "Int":
        this.out += e.value.toString();
        return;
      case "Float":
        this.out += showFloat(e.value);
        return;
      case "String":
        this.out += showString(e.value);
        return;
      case "Path":
        this.out += e.value;
        return;
      case "Var":
        this.out += showIdentifier(e.name);
        return;
      case "Select":
        this.out += "(";
        this.expr(e.expr);
        this.out += ").";
        this.attrPath(e.path);
        if (e.default !== null) {
          this.out += " or (";
          this.expr(e.default);
          this.out += ")";
        }
        return;
      case "HasAttr":
        this.out += "((";
        this.expr(e.expr);
        this.out += ") ? ";
        this.attrPath(e.path);
        this.out += ")";
        return;
      case "Attrs":
        this.out += e.recursive ? "rec { " : "{ ";
        this.bindings(e);
        this.out += "}";
        return;
      case "List":
        this.out += "[ ";
        for (const item of e.items) {
          this.out += "(";
          this.expr(item);
          this.out += ") ";
        }
        this.out += "]";
        return;
      case "Lambda": {
        this.out += "(";
        if (e.formals !== null) {
          const formals = e.formals.formals.slice().sort(byName);
          this.out += "{ ";
          for (let i = 0; i < formals.length; i++) {
            const f = formals[i]!;
            if (i > 0) this.out += ", ";
            this.out += showIdentifier(f.name);
            if (f.default !== null) {
              this.out += " ? ";
              this.expr(f.default);
            }
          }
          if (e.formals.ellipsis) this.out += formals.length > 0 ? ", ..." : "...";
          this.out += " }";
          if (e.arg !== null) this.out += " @ ";
        }
        if (e.arg !== null) this.out += showIdentifier(e.arg);
        this.out += ": ";
        this.expr(e.body);
        this.out += ")";
        return;
      }
      case "Call":
        this.out += "(";
        this.expr(e.fn);
        for (const a of e.args) {
          this.out += " ";
          this.expr(a);
        }
        this.out += ")";
        return;
      case "Let":
        this.out += "(let ";
        this.bindings(e.attrs);
        this.out += "in ";
        this.expr(e.body);
        this.out += ")";
        return;
      case "With":
        this.out += "(with ";
        this.expr(e.env);
        this.out += "; ";
        this.expr(e.body);
        this.out += ")";
        return;
      case "If":
        this.out += "(if ";
        this.expr(e.cond);
        this.out += " then ";
        this.expr(e.then);
        this.out += " else ";
        this.expr(e.else);
        this.out += ")";
        return;
      case "Assert":
        this.out += "assert ";
        this.expr(e.cond);
        this.out += "; ";
        this.expr(e.body);
        return;
      case "Not":
        this.out += "(! ";
        this.expr(e.expr);
        this.out += ")";
        return;
      case "Binary":
        this.out += "(";
        this.expr(e.left);
        this.out += " " + e.op + " ";
        this.expr(e.right);
        this.out += ")";
        return;
      case "ConcatStrings":
        this.out += "(";
        for (let i = 0; i < e.parts.length; i++) {
          if (i > 0) this.out += " + ";
          this.expr(e.parts[i]!);
        }
        this.out += ")";
        return;
      case "CurPos":
        this.out += "__curPos";
        return;
      case "InheritFrom":
        this.out += "__inheritFrom" + e.index;
        return;
    }
  }
}

export function showAttrPath(path: readonly AttrName[]): string {
  const p = new Printer();
  p.attrPath(path);
  return p.out;
}

/** Exactly what `nix-instantiate --parse` prints for `e` (without the trailing newline). */
export function showExpr(e: Expr): string {
  const p = new Printer();
  p.expr(e);
  return p.out;
}

/**
 * showExpr's text handed to `write` in pieces as it is printed, so a big AST's text is never held
 * whole (short-lived pieces keep the garbage collector's work small).
 */
export function writeExpr(e: Expr, write: (chunk: string) => void): void {
  const p = new Printer(write);
  p.expr(e);
  p.flush();
}
