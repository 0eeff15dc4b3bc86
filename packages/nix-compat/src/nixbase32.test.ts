import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { nix32Decode, nix32Encode, nix32EncodedLength } from "./nixbase32.js";
import { base16Decode } from "./encoding.js";
import { NixFormatError } from "./errors.js";

// Expected strings from Nix 2.8 (`nix-hash --type <algo> --flat --base32` of "abc").
const VECTORS: [string, string][] = [
  ["900150983cd24fb0d6963f7d28e17f72", "3jgzhjhz9zjvbb0kyj7jc500ch"],
  ["a9993e364706816aba3e25717850c26c9cd0d89d", "kpcd173cq987hw957sx6m0868wv3x6d9"],
  [
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
  ],
];

describe("nixbase32", () => {
  it.each(VECTORS)("encodes %s like Nix", (hex, nix32) => {
    expect(nix32Encode(base16Decode(hex))).toBe(nix32);
    expect(nix32Decode(nix32, hex.length / 2)).toEqual(base16Decode(hex));
  });

  it("has Nix's lengths", () => {
    expect(nix32EncodedLength(16)).toBe(26);
    expect(nix32EncodedLength(20)).toBe(32);
    expect(nix32EncodedLength(32)).toBe(52);
    expect(nix32EncodedLength(64)).toBe(103);
    expect(nix32Encode(new Uint8Array(0))).toBe("");
  });

  it("round-trips arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(nix32Decode(nix32Encode(bytes), bytes.length)).toEqual(bytes);
      }),
    );
  });

  it("rejects characters outside the alphabet (e o u t) and wrong lengths", () => {
    expect(() => nix32Decode("e".repeat(32), 20)).toThrow(NixFormatError);
    expect(() => nix32Decode("0".repeat(31), 20)).toThrow(/wrong length/);
  });

  it("rejects values with bits beyond the byte length", () => {
    // 52 chars carry 260 bits; the top digit holds bits 255..259, so only 0 and 1 fit in 32 bytes.
    expect(() => nix32Decode("2" + "0".repeat(51), 32)).toThrow(/does not fit/);
    expect(nix32Decode("1" + "0".repeat(51), 32)[31]).toBe(0x80);
  });
});
