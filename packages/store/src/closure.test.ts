import * as fs from "node:fs";
import * as nodePath from "node:path";
import { describe, expect, it } from "vitest";
import { computeClosure, copyClosure, sortReferencesFirst } from "./closure.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import { tempDir } from "./test-fixtures.js";

function chain(store: MemoryStore): { a: string; b: string; c: string; d: string } {
  const a = store.addTextToStore("a", "leaf");
  const b = store.addTextToStore("b", `needs ${a}`, [a]);
  const c = store.addTextToStore("c", `needs ${b} and ${a}`, [a, b]);
  const d = store.addTextToStore("d", "unrelated");
  return { a, b, c, d };
}

describe("closures", () => {
  it("computeClosure follows references, or referrers", () => {
    const store = new MemoryStore();
    const { a, b, c } = chain(store);
    expect(computeClosure(store, [c])).toEqual([a, b, c].sort());
    expect(computeClosure(store, [b])).toEqual([a, b].sort());
    expect(computeClosure(store, [a], { direction: "referrers" })).toEqual([a, b, c].sort());
    expect(() => computeClosure(store, ["/nix/store/00000000000000000000000000000000-x"])).toThrow(
      /is not valid/,
    );
  });

  it("sortReferencesFirst puts references before their referrers", () => {
    const store = new MemoryStore();
    const { a, b, c, d } = chain(store);
    const order = sortReferencesFirst(store, [c, d, b, a]);
    expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    expect(order.indexOf(b)).toBeLessThan(order.indexOf(c));
    expect(order).toHaveLength(4);
  });

  it("copyClosure copies a closure into a LocalStore with its metadata", () => {
    const from = new MemoryStore();
    const { a, b, c, d } = chain(from);
    const t = tempDir();
    const to = new LocalStore({ root: t.dir });
    try {
      expect(copyClosure(from, to, [c])).toEqual([a, b, c]);
      expect(to.isValidPath(d)).toBe(false);
      for (const p of [a, b, c]) expect(to.queryPathInfo(p)).toEqual(from.queryPathInfo(p));
      expect(fs.readFileSync(nodePath.join(to.realStoreDir, nodePath.basename(c)), "utf8")).toBe(
        `needs ${b} and ${a}`,
      );
      expect(copyClosure(from, to, [c])).toEqual([]);
    } finally {
      to.close();
      t.cleanup();
    }
  });
});
