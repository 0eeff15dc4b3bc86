// NixAttrs (sorted arrays, layered `//`) against a plain Map model.
import { describe, expect, test } from "vitest";
import { updateAttrs } from "./ops.js";
import { NixAttrs, type Lazy } from "./values.js";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe("NixAttrs", () => {
  test("random // chains agree with a Map model (lookups, order, size)", () => {
    const r = rng(42);
    for (let round = 0; round < 20; round++) {
      let model = new Map<string, Lazy>();
      let attrs = new NixAttrs([], []);
      const steps = 5 + Math.floor(r() * 60);
      for (let s = 0; s < steps; s++) {
        const m = new Map<string, Lazy>();
        const n = Math.floor(r() * (r() < 0.2 ? 300 : 6));
        for (let i = 0; i < n; i++) m.set("k" + Math.floor(r() * 500), s * 1000 + i);
        const b = NixAttrs.fromMap(m);
        if (r() < 0.1) {
          // b // attrs: attrs' entries win
          attrs = updateAttrs(b, attrs);
          const next = new Map(m);
          for (const [k, v] of model) next.set(k, v);
          model = next;
        } else {
          attrs = updateAttrs(attrs, b);
          for (const [k, v] of m) model.set(k, v);
        }
        expect(attrs.size).toBe(model.size);
        for (let q = 0; q < 5; q++) {
          const k = "k" + Math.floor(r() * 520);
          expect(attrs.get(k)).toBe(model.get(k));
        }
      }
      const sorted = [...model.keys()].sort();
      expect(attrs.keys()).toEqual(sorted);
      expect(attrs.values).toEqual(sorted.map((k) => model.get(k)));
    }
  });

  test("layered sets: get, has, posOf, keys, values", () => {
    let attrs = NixAttrs.fromMap(
      new Map(Array.from({ length: 200 }, (_, i) => [`n${i}`, i] as [string, Lazy])),
    );
    const model = new Map<string, Lazy>([...attrs.entries()]);
    for (let c = 0; c < 40; c++) {
      const m = new Map<string, Lazy>([
        [`n${c * 3}`, -c],
        [`new${c}`, c],
      ]);
      attrs = updateAttrs(attrs, NixAttrs.fromMap(m));
      for (const [k, v] of m) model.set(k, v);
      expect(attrs.size).toBe(model.size);
      for (const k of ["n0", `n${c * 3}`, `new${c}`, "n199", "missing"])
        expect(attrs.get(k)).toBe(model.get(k));
    }
    expect(attrs.depth).toBeLessThanOrEqual(16);
    const sorted = [...model.keys()].sort();
    expect(attrs.keys()).toEqual(sorted);
    expect(attrs.values).toEqual(sorted.map((k) => model.get(k)));
  });
});
