import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base16Decode, base16Encode, compareUtf8, sortUtf8, sortedUnique } from "./encoding.js";

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

describe("base16Encode", () => {
  it("gives two lower-case hex digits per byte, for digests and for longer inputs", () => {
    const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 4000, maxLength: 9000 })),
        (bytes) => {
          const s = base16Encode(bytes);
          expect(s).toBe(hex(bytes));
          expect(base16Decode(s)).toEqual(bytes);
        },
      ),
      { numRuns: 300 },
    );
    expect(base16Encode(new Uint8Array(0))).toBe("");
    const big = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7919) & 255); // past the 64 KiB scratch
    expect(base16Encode(big)).toBe(hex(big));
    expect(base16Encode(Uint8Array.of(0xab))).toBe("ab");
  });
});
