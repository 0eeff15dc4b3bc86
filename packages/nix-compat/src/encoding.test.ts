import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareUtf8, sortUtf8, sortedUnique } from "./encoding.js";

const names = fc.array(
  fc.oneof(fc.constantFrom("out", "dev", "a", "", "é", "\uffff", "😀", "\ue000", "outputs"), fc.string()),
  { maxLength: 24 },
);

describe("sortUtf8", () => {
  it("sorts in UTF-8 byte order, short (insertion sort) and long, sorted or not", () => {
    fc.assert(
      fc.property(names, (items) => {
        const want = [...items].sort(compareUtf8);
        expect(sortUtf8([...items])).toEqual(want);
        expect(sortUtf8([...want])).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });

  it("puts a supplementary character after U+FFFF, as UTF-8 does", () => {
    expect(sortUtf8(["😀", "\uffff", "a"])).toEqual(["a", "\uffff", "😀"]);
    expect(sortedUnique(new Set(["out", "dev", "out"]))).toEqual(["dev", "out"]);
    expect(sortedUnique(["out", "dev", "out"])).toEqual(["dev", "out"]);
  });
});
