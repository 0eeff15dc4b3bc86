// Forcing a value and checking its type, with Nix's error messages.
import type { Span } from "@tsnix/parser";
import { NixError, typeError } from "./errors.js";
import { printValueForError } from "./print.js";
import { force } from "./runtime.js";
import {
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  showType,
  type Lazy,
  type Value,
} from "./values.js";

export function expected(
  what: string,
  v: Value,
  ctx: string | null,
  ctxSpan: Span | null = null,
  errSpan: Span | null = null,
): NixError {
  const e = typeError(`expected ${what} but found ${showType(v)}: ${printValueForError(v)}`, errSpan);
  if (ctx !== null) e.addTrace(ctxSpan, ctx);
  return e;
}

export function forceInt(x: Lazy, span: Span | null, ctx: string | null): number | bigint {
  const v = force(x, span);
  if (typeof v === "number" || typeof v === "bigint") return v;
  throw expected("an integer", v, ctx);
}

/** A float or an int, as a JS number. */
export function forceNumber(x: Lazy, span: Span | null, ctx: string | null): number {
  const v = force(x, span);
  if (typeof v === "number") return v;
  if (v instanceof NixFloat) return v.value;
  if (typeof v === "bigint") return Number(v);
  throw expected("a float", v, ctx);
}

export function forceBool(x: Lazy, span: Span | null, ctx: string | null): boolean {
  const v = force(x, span);
  if (typeof v === "boolean") return v;
  throw expected("a Boolean", v, ctx);
}

export function forceAttrs(x: Lazy, span: Span | null, ctx: string | null): NixAttrs {
  const v = force(x, span);
  if (v instanceof NixAttrs) return v;
  throw expected("a set", v, ctx);
}

export function forceList(x: Lazy, span: Span | null, ctx: string | null): readonly Lazy[] {
  const v = force(x, span);
  if (Array.isArray(v)) return v as readonly Lazy[];
  throw expected("a list", v, ctx);
}

export function forceFunction(x: Lazy, span: Span | null, ctx: string | null): Value {
  const v = force(x, span);
  if (v instanceof NixLambda || v instanceof NixPrimop || v instanceof NixPrimopApp) return v;
  if (v instanceof NixAttrs && v.has("__functor")) return v;
  throw expected("a function", v, ctx);
}

/** A string value (keeping its context). */
export function forceStringValue(x: Lazy, span: Span | null, ctx: string | null): string | NixString {
  const v = force(x, span);
  if (typeof v === "string" || v instanceof NixString) return v;
  throw expected("a string", v, ctx);
}

/** The characters of a string value, ignoring its context. */
export function forceString(x: Lazy, span: Span | null, ctx: string | null): string {
  const v = force(x, span);
  if (typeof v === "string") return v;
  if (v instanceof NixString) return v.value;
  throw expected("a string", v, ctx);
}

/** A string that must not carry context (Nix's forceStringNoCtx). */
export function forceStringNoCtx(x: Lazy, span: Span | null, ctx: string | null): string {
  const v = force(x, span);
  if (typeof v === "string") return v;
  if (v instanceof NixString) {
    const first = [...v.context][0] ?? "";
    throw new NixError(
      `the string '${v.value}' is not allowed to refer to a store path (such as '${first.replace(/^[!=]([^!]*!)?/, "")}')`,
      span,
    );
  }
  throw expected("a string", v, ctx);
}

export function forcePath(x: Lazy, span: Span | null, ctx: string | null): NixPath {
  const v = force(x, span);
  if (v instanceof NixPath) return v;
  throw expected("a path", v, ctx);
}
