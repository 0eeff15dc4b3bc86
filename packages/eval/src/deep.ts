// Deep forcing (--strict, deepSeq), as Nix's forceValueDeep.
import type { Span } from "@tsnix/parser";
import { NixError, STACK_OVERFLOW_MESSAGE, toNixError } from "./errors.js";
import { force, type Runtime } from "./runtime.js";
import { NixAttrs, Thunk, type Lazy } from "./values.js";

export function forceDeep(rt: Runtime, x: Lazy, span: Span | null): void {
  const seen = new Set<unknown>();
  // Nix counts every value visited against max-call-depth (addCallDepth in forceValueDeep).
  const recurse = (cell: Lazy): void => {
    if (rt.depth > rt.maxCallDepth) {
      throw new NixError(STACK_OVERFLOW_MESSAGE, cell instanceof Thunk ? cell.span : span, "stack-overflow");
    }
    rt.depth++;
    try {
      if (typeof cell === "object" && cell !== null) {
        if (seen.has(cell)) return;
        seen.add(cell);
      }
      const v = force(cell, span);
      if (v instanceof NixAttrs || Array.isArray(v)) recurseInto(v, cell);
    } finally {
      rt.depth--;
    }
  };
  const recurseInto = (v: NixAttrs | readonly Lazy[], cell: Lazy): void => {
    if (v instanceof NixAttrs) {
      if (v !== cell) {
        if (seen.has(v)) return;
        seen.add(v);
      }
      const names = v.names;
      for (let i = 0; i < names.length; i++) {
        const k = names[i]!;
        try {
          recurse(v.values[i]!);
        } catch (e) {
          const ne = toNixError(e);
          ne.addTrace(v.positions === null ? null : v.positions[i]!, `while evaluating the attribute '${k}'`);
          throw ne;
        }
      }
    } else if (Array.isArray(v)) {
      if (v !== cell) {
        if (seen.has(v)) return;
        seen.add(v);
      }
      const list = v as readonly Lazy[];
      for (let i = 0; i < list.length; i++) {
        try {
          recurse(list[i]!);
        } catch (e) {
          const ne = toNixError(e);
          ne.addTrace(null, `while evaluating list element at index ${i}`);
          throw ne;
        }
      }
    }
  };
  recurse(x);
}
