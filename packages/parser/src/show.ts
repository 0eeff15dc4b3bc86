// showExpr: the text `nix-instantiate --parse` prints (Nix's Expr::show).
import type { AttrName, AttrsExpr, Expr } from "./ast.js";

const RESERVED = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"]);

/** Nix's printLiteralString. */
export function showString(s: string): string {
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
  if (/^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s)) return s;
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

export function showAttrPath(path: readonly AttrName[]): string {
  return path
    .map((p) => (p.kind === "static" ? showIdentifier(p.name) : `"\${${showExpr(p.expr)}}"`))
    .join(".");
}

function showBindings(attrs: AttrsExpr): string {
  const sorted = [...attrs.attrs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = "";
  const inherits = sorted.filter((d) => d.kind === "inherited");
  if (inherits.length > 0)
    out += "inherit" + inherits.map((d) => " " + showIdentifier(d.name)).join("") + "; ";
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
    out += `inherit (${showExpr(attrs.inheritFrom[index]!)})`;
    for (const name of byFrom.get(index)!) out += " " + showIdentifier(name);
    out += "; ";
  }
  for (const d of sorted) if (d.kind === "plain") out += `${showIdentifier(d.name)} = ${showExpr(d.value)}; `;
  for (const d of attrs.dynamicAttrs) out += `"\${${showExpr(d.name)}}" = ${showExpr(d.value)}; `;
  return out;
}

/** Exactly what `nix-instantiate --parse` prints for `e` (without the trailing newline). */
export function showExpr(e: Expr): string {
  switch (e.kind) {
    case "Int":
      return e.value.toString();
    case "Float":
      return showFloat(e.value);
    case "String":
      return showString(e.value);
    case "Path":
      return e.value;
    case "Var":
      return showIdentifier(e.name);
    case "Select":
      return (
        `(${showExpr(e.expr)}).${showAttrPath(e.path)}` +
        (e.default !== null ? ` or (${showExpr(e.default)})` : "")
      );
    case "HasAttr":
      return `((${showExpr(e.expr)}) ? ${showAttrPath(e.path)})`;
    case "Attrs":
      return `${e.recursive ? "rec " : ""}{ ${showBindings(e)}}`;
    case "List":
      return `[ ${e.items.map((i) => `(${showExpr(i)}) `).join("")}]`;
    case "Lambda": {
      let out = "(";
      if (e.formals !== null) {
        const names = [...e.formals.formals].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const items = names.map(
          (f) => showIdentifier(f.name) + (f.default !== null ? ` ? ${showExpr(f.default)}` : ""),
        );
        if (e.formals.ellipsis) items.push("...");
        out += `{ ${items.join(", ")} }`;
        if (e.arg !== null) out += " @ ";
      }
      if (e.arg !== null) out += showIdentifier(e.arg);
      return `${out}: ${showExpr(e.body)})`;
    }
    case "Call":
      return `(${showExpr(e.fn)}${e.args.map((a) => " " + showExpr(a)).join("")})`;
    case "Let":
      return `(let ${showBindings(e.attrs)}in ${showExpr(e.body)})`;
    case "With":
      return `(with ${showExpr(e.env)}; ${showExpr(e.body)})`;
    case "If":
      return `(if ${showExpr(e.cond)} then ${showExpr(e.then)} else ${showExpr(e.else)})`;
    case "Assert":
      return `assert ${showExpr(e.cond)}; ${showExpr(e.body)}`;
    case "Not":
      return `(! ${showExpr(e.expr)})`;
    case "Binary":
      return `(${showExpr(e.left)} ${e.op} ${showExpr(e.right)})`;
    case "ConcatStrings":
      return `(${e.parts.map(showExpr).join(" + ")})`;
    case "CurPos":
      return "__curPos";
    case "InheritFrom":
      return `__inheritFrom${e.index}`;
  }
}
