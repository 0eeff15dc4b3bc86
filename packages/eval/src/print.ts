// Printing values as Nix does: `printAmbiguous` (nix-instantiate --eval output)
// and the newer value printer (error messages, builtins.trace).
import { showPos } from "@tsnix/parser";
import {
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  Thunk,
  type Lazy,
  type Value,
} from "./values.js";

/** C++ `ostream << double` (printf "%g", precision 6). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const expStr = x.toExponential(5);
  const ePos = expStr.indexOf("e");
  const exp = parseInt(expStr.slice(ePos + 1), 10);
  if (exp < -4 || exp >= 6) {
    let mant = expStr.slice(0, ePos);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const sign = exp < 0 ? "-" : "+";
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? "0" + abs : String(abs)}`;
  }
  let fixed = x.toFixed(Math.max(0, 5 - exp));
  if (fixed.includes(".")) fixed = fixed.replace(/0+$/, "").replace(/\.$/, "");
  return fixed;
}

/** Nix's printLiteralString. */
export function escapeString(s: string, maxLength = Infinity): string {
  let out = '"';
  let printed = 0;
  for (let i = 0; i < s.length; i++) {
    if (printed >= maxLength) {
      return out + '" «' + plural(utf8Length(s.slice(i)), "byte", "bytes") + " elided»";
    }
    const c = s[i]!;
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "$" && s[i + 1] === "{") out += "\\$";
    else out += c;
    printed++;
  }
  return out + '"';
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

function plural(n: number, single: string, many: string): string {
  return `${n} ${n === 1 ? single : many}`;
}

const RESERVED = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"]);

function isVarName(s: string): boolean {
  if (s.length === 0 || RESERVED.has(s)) return false;
  return /^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s);
}

export function printAttrName(name: string): string {
  return isVarName(name) ? name : escapeString(name);
}

export function showLambda(v: NixLambda): string {
  const name = v.info.name !== null ? " " + v.info.name : "";
  return `«lambda${name} @ ${showPos(v.info.span)}»`;
}

// ---- printAmbiguous ---------------------------------------------------------

/** Exactly what nix-instantiate --eval prints (callers force deeply first for --strict). */
export function printAmbiguous(x: Lazy): string {
  const out: string[] = [];
  ambiguous(x, out, new Set(), 1 << 30);
  return out.join("");
}

function ambiguous(cell: Lazy, out: string[], seen: Set<unknown>, depth: number): void {
  if (depth <= 0) {
    out.push("«too deep»");
    return;
  }
  let v: Value;
  if (cell instanceof Thunk) {
    if (cell.value === undefined) {
      out.push(cell.code === null ? "«potential infinite recursion»" : "<CODE>");
      return;
    }
    v = cell.value;
  } else v = cell;
  if (v === null) out.push("null");
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (typeof v === "number" || typeof v === "bigint") out.push(String(v));
  else if (typeof v === "string") out.push(escapeString(v));
  else if (v instanceof NixString) out.push(escapeString(v.value));
  else if (v instanceof NixPath) out.push(v.path);
  else if (v instanceof NixFloat) out.push(formatFloat(v.value));
  else if (v instanceof NixAttrs) {
    if (v.size > 0 && seen.has(v)) out.push("«repeated»");
    else {
      if (v.size > 0) seen.add(v);
      out.push("{ ");
      const names = v.names;
      for (let i = 0; i < names.length; i++) {
        out.push(printAttrName(names[i]!), " = ");
        ambiguous(v.values[i]!, out, seen, depth - 1);
        out.push("; ");
      }
      out.push("}");
    }
  } else if (Array.isArray(v)) {
    // Nix stores lists of up to two elements inline in the value cell, so their
    // identity is the cell; longer lists share their element array.
    const list = v as readonly Lazy[];
    const key = list.length <= 2 ? cell : list;
    if (list.length > 0 && seen.has(key)) out.push("«repeated»");
    else {
      if (list.length > 0) seen.add(key);
      out.push("[ ");
      for (const e of list) {
        ambiguous(e, out, seen, depth - 1);
        out.push(" ");
      }
      out.push("]");
    }
  } else if (v instanceof NixLambda) out.push("<LAMBDA>");
  else if (v instanceof NixPrimop) out.push("<PRIMOP>");
  else if (v instanceof NixPrimopApp) out.push("<PRIMOP-APP>");
  else out.push("«unknown»");
}

// ---- the value printer ----------------------------------------------------------

export interface PrintOptions {
  maxDepth: number;
  maxAttrs: number;
  maxListItems: number;
  maxStringLength: number;
  trackRepeated: boolean;
}

export const DEFAULT_PRINT_OPTIONS: PrintOptions = {
  maxDepth: Infinity,
  maxAttrs: Infinity,
  maxListItems: Infinity,
  maxStringLength: Infinity,
  trackRepeated: true,
};

export const ERROR_PRINT_OPTIONS: PrintOptions = {
  maxDepth: 10,
  maxAttrs: 10,
  maxListItems: 10,
  maxStringLength: 1024,
  trackRepeated: true,
};

/** Nix's printValue (no forcing): «thunk» for unevaluated values. */
export function printValue(x: Lazy, options: PrintOptions = DEFAULT_PRINT_OPTIONS): string {
  const p = new Printer(options);
  p.print(x, 0);
  return p.out.join("");
}

export function printValueForError(x: Lazy): string {
  return printValue(x, ERROR_PRINT_OPTIONS);
}

const IMPORTANT = (k: string) => k === "type" || k === "_type";

class Printer {
  out: string[] = [];
  seen = new Set<unknown>();
  attrsPrinted = 0;
  itemsPrinted = 0;
  constructor(readonly o: PrintOptions) {}

  print(cell: Lazy, depth: number): void {
    let v: Value;
    if (cell instanceof Thunk) {
      if (cell.value === undefined) {
        this.out.push(cell.code === null ? "«potential infinite recursion»" : "«thunk»");
        return;
      }
      v = cell.value;
    } else v = cell;
    const out = this.out;
    if (v === null) out.push("null");
    else if (typeof v === "boolean") out.push(v ? "true" : "false");
    else if (typeof v === "number" || typeof v === "bigint") out.push(String(v));
    else if (typeof v === "string") out.push(escapeString(v, this.o.maxStringLength));
    else if (v instanceof NixString) out.push(escapeString(v.value, this.o.maxStringLength));
    else if (v instanceof NixPath) out.push(v.path);
    else if (v instanceof NixFloat) out.push(formatFloat(v.value));
    else if (v instanceof NixAttrs) this.attrs(v, depth);
    else if (Array.isArray(v)) this.list(v as readonly Lazy[], cell, depth);
    else if (v instanceof NixLambda) out.push(showLambda(v));
    else if (v instanceof NixPrimop) out.push(`«primop ${v.def.name}»`);
    else if (v instanceof NixPrimopApp) out.push(`«partially applied primop ${v.primop.def.name}»`);
    else out.push("«unknown»");
  }

  attrs(v: NixAttrs, depth: number): void {
    if (this.o.trackRepeated) {
      if (this.seen.has(v)) {
        this.out.push("«repeated»");
        return;
      }
      this.seen.add(v);
    }
    if (depth >= this.o.maxDepth) {
      this.out.push("{ ... }");
      return;
    }
    let keys = v.keys();
    if (this.o.maxAttrs !== Infinity) {
      keys = [...keys].sort((a, b) => {
        const ia = IMPORTANT(a) ? 0 : 1;
        const ib = IMPORTANT(b) ? 0 : 1;
        return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
      });
    }
    this.out.push("{");
    let current = 0;
    for (const k of keys) {
      this.out.push(" ");
      if (this.attrsPrinted >= this.o.maxAttrs) {
        this.out.push(`«${plural(keys.length - current, "attribute", "attributes")} elided»`);
        break;
      }
      this.out.push(printAttrName(k), " = ");
      this.print(v.get(k)!, depth + 1);
      this.out.push(";");
      this.attrsPrinted++;
      current++;
    }
    this.out.push(" }");
  }

  list(v: readonly Lazy[], cell: Lazy, depth: number): void {
    if (this.o.trackRepeated && v.length > 0) {
      if (this.seen.has(cell)) {
        this.out.push("«repeated»");
        return;
      }
      this.seen.add(cell);
    }
    if (depth >= this.o.maxDepth) {
      this.out.push("[ ... ]");
      return;
    }
    this.out.push("[");
    let current = 0;
    for (const e of v) {
      this.out.push(" ");
      if (this.itemsPrinted >= this.o.maxListItems) {
        this.out.push(`«${plural(v.length - current, "item", "items")} elided»`);
        break;
      }
      this.print(e, depth + 1);
      this.itemsPrinted++;
      current++;
    }
    this.out.push(" ]");
  }
}
