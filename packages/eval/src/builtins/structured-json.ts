// Values as JSON for structured attrs, byte for byte as Nix writes `__json`: printValueAsJSON
// (strict, copying paths to the store) serialised by nlohmann::json's dump(): keys in byte order,
// control characters as \u00XX, non-ASCII raw, doubles in nlohmann's shortest round-trip format.
import { NixError, STACK_OVERFLOW_MESSAGE, toNixError } from "../errors.js";
import { coerceToString, copyPathToStore } from "../ops.js";
import { call1, force, type Runtime } from "../runtime.js";
import { jsonFloat, jsonString } from "../to-json.js";
import { NixAttrs, NixFloat, NixPath, NixString, showType, type Lazy } from "../values.js";
import type { Span } from "@tsnix/parser";

const quote = jsonString;

/** nlohmann::json's double output (shortest round-trip digits, format_buffer with exponents -4..15). */
export const nlohmannDouble = jsonFloat;

/** printValueAsJSON(strict, copyToStore) + dump(); adds string contexts to `context`. */
export function structuredAttrsJSON(rt: Runtime, x: Lazy, context: Set<string>): string {
  const out: string[] = [];
  const addCtx = (ctx: ReadonlySet<string> | null) => {
    if (ctx !== null) for (const c of ctx) context.add(c);
  };
  const rec = (cell: Lazy, pos: Span | null): void => {
    if (rt.depth > rt.maxCallDepth) throw new NixError(STACK_OVERFLOW_MESSAGE, pos, "stack-overflow");
    rt.depth++;
    try {
      const v = force(cell, pos);
      if (v === null) out.push("null");
      else if (typeof v === "boolean") out.push(v ? "true" : "false");
      else if (typeof v === "number" || typeof v === "bigint") out.push(String(v));
      else if (typeof v === "string") out.push(quote(v));
      else if (v instanceof NixString) {
        addCtx(v.context);
        out.push(quote(v.value));
      } else if (v instanceof NixFloat) out.push(nlohmannDouble(v.value));
      else if (v instanceof NixPath) {
        const p = copyPathToStore(rt, v.path, pos);
        context.add(p);
        out.push(quote(p));
      } else if (Array.isArray(v)) {
        const list = v as readonly Lazy[];
        out.push("[");
        for (let i = 0; i < list.length; i++) {
          if (i > 0) out.push(",");
          try {
            rec(list[i]!, pos);
          } catch (e) {
            throw toNixError(e).addTrace(pos, `while evaluating list element at index ${i}`);
          }
        }
        out.push("]");
      } else if (v instanceof NixAttrs) {
        const ts = v.get("__toString");
        if (ts !== undefined) {
          const r = call1(rt, force(ts, pos), v, pos);
          const c = coerceToString(rt, r, pos, { coerceMore: false, copyToStore: false }, "");
          addCtx(c.ctx);
          out.push(quote(c.s));
          return;
        }
        const op = v.get("outPath");
        if (op !== undefined) {
          rec(op, v.posOf("outPath"));
          return;
        }
        out.push("{");
        let first = true;
        for (const k of v.keys()) {
          if (!first) out.push(",");
          first = false;
          out.push(quote(k), ":");
          const kp = v.posOf(k);
          try {
            rec(v.get(k)!, kp);
          } catch (e) {
            throw toNixError(e).addTrace(kp, `while evaluating attribute '${k}'`);
          }
        }
        out.push("}");
      } else throw new NixError(`cannot convert ${showType(v)} to JSON`, pos, "type");
    } finally {
      rt.depth--;
    }
  };
  rec(x, null);
  return out.join("");
}

structuredAttrsJSON.quote = quote;
