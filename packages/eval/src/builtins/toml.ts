// builtins.fromTOML over smol-toml (TOML 1.0), shaped as Nix's toml11-based fromTOML:
// 64-bit integers (toml11's overflow message), null bytes refused, dates and times an error
// unless the experimental feature `parse-toml-timestamps` is on ({ _type = "timestamp"; value; },
// the literal's text normalised as Nix does: see toml-datetimes.ts).
import { experimentalFeatures } from "@tsnix/parser";
import { parse as parseToml, TomlDate, TomlError } from "smol-toml";
import { forceStringNoCtx } from "../check.js";
import { NixError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { NixAttrs, NixFloat, mkInt, type Lazy, type Value } from "../values.js";
import { forceNoNullByte } from "./json-parse.js";
import { extractDatetimes } from "./toml-datetimes.js";
import { registerPrimops } from "./registry.js";

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** An error whose text ends with a newline: Nix prints one more (indented, empty) line after it. */
class TrailingLineError extends NixError {
  override format(opts: { showTrace?: boolean } = {}): string {
    return super.format(opts) + "\n       ";
  }
}

class TomlNixError extends Error {}

function experimentalOn(rt: Runtime, feature: string): boolean {
  return experimentalFeatures(rt.settings).has(feature);
}

/** toml11's report for an integer outside int64: the source line with a caret after the literal. */
function overflowReport(src: string, value: bigint): string {
  const lines = src.split("\n");
  let lineNo = 1;
  let col = 0;
  let text = "";
  search: for (let i = 0; i < lines.length; i++) {
    for (const m of lines[i]!.matchAll(/(?<![\w.])[+-]?\d[\d_]*(?![\w.:])/g)) {
      if (BigInt(m[0].replaceAll("_", "")) === value) {
        lineNo = i + 1;
        col = m.index + m[0].length;
        text = lines[i]!;
        break search;
      }
    }
  }
  const pad = " ".repeat(String(lineNo).length);
  return [
    "[error] toml::parse_dec_integer: too large integer: current max digits = 2^63",
    `${pad}--> fromTOML`,
    `${pad}  |`,
    ` ${lineNo} | ${text}`,
    `${pad}  | ${" ".repeat(col)}^-- must be < 2^63`,
  ].join("\n");
}

/** Nix's { _type = "timestamp"; value; } (experimental), or its refusal. */
function timestamp(rt: Runtime, text: string): Value {
  if (!experimentalOn(rt, "parse-toml-timestamps"))
    throw new TomlNixError("Dates and times are not supported");
  return NixAttrs.fromMap(
    new Map<string, Lazy>([
      ["_type", "timestamp"],
      ["value", text],
    ]),
  );
}

interface Source {
  readonly text: string;
  readonly datetimes: ReadonlyMap<string, string>;
}

function toNix(rt: Runtime, src: Source, x: unknown): Value {
  if (typeof x === "string") {
    const dt = src.datetimes.get(x);
    return dt !== undefined ? timestamp(rt, dt) : forceNoNullByte(x);
  }
  if (typeof x === "boolean") return x;
  if (typeof x === "bigint") {
    if (x > INT64_MAX || x < INT64_MIN) throw new TomlNixError(overflowReport(src.text, x));
    return mkInt(x);
  }
  if (typeof x === "number") return new NixFloat(x);
  if (Array.isArray(x)) return x.map((e): Lazy => toNix(rt, src, e));
  // smol-toml's own dates only appear if the literal scanner missed one (millisecond precision)
  if (x instanceof TomlDate) return timestamp(rt, x.toISOString().replace(/\.000(?=$|Z|[+-])/, ""));
  const m = new Map<string, Lazy>();
  for (const [k, v] of Object.entries(x as Record<string, unknown>))
    m.set(forceNoNullByte(k), toNix(rt, src, v));
  return NixAttrs.fromMap(m);
}

registerPrimops([
  {
    name: "fromTOML",
    arity: 1,
    args: ["e"],
    doc: "Convert a TOML string to a Nix value.",
    impl: (rt, [e], span) => {
      const src = forceStringNoCtx(e!, span, "while evaluating the argument passed to builtins.fromTOML");
      try {
        const prepared = extractDatetimes(src);
        const doc = parseToml(prepared.text, { integersAsBigInt: true, unsafeKeyBehaviour: "keep" });
        return toNix(rt, { text: src, datetimes: prepared.datetimes }, doc);
      } catch (err) {
        if (err instanceof TomlNixError) {
          const multiLine = err.message.includes("\n");
          throw new (multiLine ? TrailingLineError : NixError)(`while parsing TOML: ${err.message}`);
        }
        if (err instanceof NixError) throw new NixError(`while parsing TOML: error: ${err.message}`);
        if (err instanceof TomlError) throw new NixError(`while parsing TOML: ${err.message}`);
        throw err;
      }
    },
  },
]);
