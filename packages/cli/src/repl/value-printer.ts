// Nix's value printer (libexpr/print.cc `printValue` with PrintOptions) as
// `nix repl` and `nix eval` use it: forcing while printing, derivations as
// «derivation /nix/store/….drv», a depth limit («{ ... }»), pretty-printing
// with an indent, ANSI colours, and errors below the top level shown inline as
// «error: …». (packages/eval's printValue is the error-message variant: no
// forcing, no layout.)
import {
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  Thunk,
  escapeString,
  formatFloat,
  isDerivation,
  type Evaluator,
  type Lazy,
  type Value,
} from "@tsnix/eval";
import { showPos } from "@tsnix/parser";

export interface ReplPrintOptions {
  /** Force thunks while printing (otherwise «thunk»). */
  force: boolean;
  /** Print derivations as «derivation DRVPATH». */
  derivationPaths: boolean;
  maxDepth: number;
  /** 0: everything on one line; n: multi-line with n spaces per level. */
  prettyIndent: number;
  ansiColors: boolean;
  /** "throw": any error escapes; "throwTopLevel": only one forcing the value itself. */
  errors: "throw" | "throwTopLevel";
}

/** `nix eval`: PrintOptions { .force = true, .derivationPaths = true }. */
export const EVAL_PRINT: ReplPrintOptions = {
  force: true,
  derivationPaths: true,
  maxDepth: Infinity,
  prettyIndent: 0,
  ansiColors: false,
  errors: "throw",
};

/** `nix repl` (NixRepl::printValue); the REPL sets maxDepth 1 for plain input and colours on a TTY. */
export const REPL_PRINT: ReplPrintOptions = {
  force: true,
  derivationPaths: true,
  maxDepth: Infinity,
  prettyIndent: 2,
  ansiColors: false,
  errors: "throwTopLevel",
};

// Nix's ansicolor.hh.
const ANSI = {
  normal: "\x1b[0m",
  faint: "\x1b[2m",
  red: "\x1b[31;1m",
  green: "\x1b[32;1m",
  blue: "\x1b[34;1m",
  magenta: "\x1b[35;1m",
  cyan: "\x1b[36;1m",
} as const;

type Colour = keyof typeof ANSI;

const RESERVED = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"]);

/** Nix's isVarName (print.cc): attribute names that print without quotes. */
export function isVarName(s: string): boolean {
  return !RESERVED.has(s) && /^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s);
}

export class ValuePrinter {
  private out: string[] = [];
  private seen = new Set<unknown>();
  private indent = "";

  constructor(
    private readonly ev: Evaluator,
    private readonly o: ReplPrintOptions,
  ) {}

  print(v: Lazy): string {
    this.out = [];
    this.seen = new Set();
    this.indent = "";
    this.value(v, 0);
    return this.out.join("");
  }

  private coloured(colour: Colour, text: string): void {
    if (this.o.ansiColors) this.out.push(ANSI[colour], text, ANSI.normal);
    else this.out.push(text);
  }

  private string(s: string): void {
    this.coloured("magenta", escapeString(s));
  }

  private space(pretty: boolean): void {
    this.out.push(pretty ? "\n" + this.indent : " ");
  }

  private value(cell: Lazy, depth: number): void {
    try {
      let v: Value;
      if (!(cell instanceof Thunk)) v = cell;
      else {
        if (this.o.force) v = this.ev.force(cell);
        else if (cell.value === undefined) {
          if (cell.code === null) this.coloured("red", "«potential infinite recursion»");
          else this.coloured("magenta", "«thunk»");
          return;
        } else v = cell.value;
      }
      if (v === null) this.coloured("cyan", "null");
      else if (typeof v === "boolean") this.coloured("cyan", v ? "true" : "false");
      else if (typeof v === "number" || typeof v === "bigint") this.coloured("cyan", String(v));
      else if (typeof v === "string") this.string(v);
      else if (v instanceof NixString) this.string(v.value);
      else if (v instanceof NixPath) this.coloured("green", v.path);
      else if (v instanceof NixFloat) this.coloured("cyan", formatFloat(v.value));
      else if (v instanceof NixAttrs) this.attrs(v, depth);
      else if (Array.isArray(v)) this.list(v as readonly Lazy[], cell, depth);
      else if (v instanceof NixLambda) {
        const name = v.info.name !== null ? " " + v.info.name : "";
        const pos = v.info.span ? " @ " + showPos(v.info.span) : "";
        this.coloured("blue", `«lambda${name}${pos}»`);
      } else if (v instanceof NixPrimop) this.coloured("blue", `«primop ${v.def.name}»`);
      else if (v instanceof NixPrimopApp)
        this.coloured("blue", `«partially applied primop ${v.primop.def.name}»`);
      else this.coloured("red", "«unknown»");
    } catch (e) {
      if (this.o.errors === "throw" || depth === 0) throw e;
      const message = e instanceof Error ? e.message : String(e);
      this.coloured("red", `«error: ${message}»`);
    }
  }

  /** Pretty-print a set or list of more than one item, or of one that is itself a set or list. */
  private shouldPretty(items: readonly Lazy[]): boolean {
    if (this.o.prettyIndent === 0 || items.length === 0) return false;
    if (items.length > 1) return true;
    const v = this.ev.force(items[0]);
    return v instanceof NixAttrs || Array.isArray(v);
  }

  private attrs(v: NixAttrs, depth: number): void {
    if (v.size > 0) {
      if (this.seen.has(v)) {
        this.coloured("magenta", "«repeated»");
        return;
      }
      this.seen.add(v);
    }
    if (this.o.force && this.o.derivationPaths && isDerivation(v)) {
      this.derivation(v);
      return;
    }
    if (depth >= this.o.maxDepth) {
      this.out.push("{ ... }");
      return;
    }
    this.indent += " ".repeat(this.o.prettyIndent);
    this.out.push("{");
    const names = [...v.keys()];
    const pretty = this.shouldPretty(names.map((n) => v.get(n)!));
    for (const name of names) {
      this.space(pretty);
      this.out.push(isVarName(name) ? name : escapeString(name), " = ");
      this.value(v.get(name)!, depth + 1);
      this.out.push(";");
    }
    this.indent = this.indent.slice(this.o.prettyIndent);
    this.space(pretty);
    this.out.push("}");
  }

  private derivation(v: NixAttrs): void {
    const drvPath = v.get("drvPath");
    let path = "";
    if (drvPath !== undefined) {
      const p = this.ev.force(drvPath);
      if (typeof p === "string") path = " " + p;
      else if (p instanceof NixString) path = " " + p.value;
    }
    this.coloured("green", `«derivation${path}»`);
  }

  private list(v: readonly Lazy[], cell: Lazy, depth: number): void {
    // As packages/eval's printers: a list of up to two elements is identified by its cell.
    const key = v.length <= 2 ? cell : v;
    if (v.length > 0) {
      if (this.seen.has(key)) {
        this.coloured("magenta", "«repeated»");
        return;
      }
      this.seen.add(key);
    }
    if (depth >= this.o.maxDepth) {
      this.out.push("[ ... ]");
      return;
    }
    this.indent += " ".repeat(this.o.prettyIndent);
    this.out.push("[");
    const pretty = this.shouldPretty(v);
    for (const e of v) {
      this.space(pretty);
      this.value(e, depth + 1);
    }
    this.indent = this.indent.slice(this.o.prettyIndent);
    this.space(pretty);
    this.out.push("]");
  }
}
