// The byte printer behind showExpr/writeExpr: escapes, non-ASCII text and chunk boundaries,
// checked against the string-level showString/showIdentifier that mirror Nix's printers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, showExpr, showIdentifier, showString, writeExpr } from "./index.js";

const opts = { origin: "stdin" as const, baseDir: "/b", homeDir: "/h" };
const show = (text: string) => showExpr(parse(text, opts));

/** Every piece writeExpr hands on, each decoded on its own (fatal: a split character throws). */
function pieces(text: string): string[] {
  const out: string[] = [];
  const strict = new TextDecoder("utf-8", { fatal: true });
  writeExpr(parse(text, opts), (chunk) => out.push(strict.decode(chunk)));
  return out;
}

/** Any Unicode text except NUL, which Nix strings cannot hold. */
const anyText = fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replaceAll("\0", "0"));

describe("printing string literals", () => {
  it("prints any string as Nix's printLiteralString does", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(show(showString(s))).toBe(showString(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("escapes quotes, backslashes, control characters and `${` only", () => {
    expect(show(String.raw`"a\"b\\c\nd\re\tf$g\${h}"`)).toBe(String.raw`"a\"b\\c\nd\re\tf$g\${h}"`);
    expect(show(`"é😀ü"`)).toBe(`"é😀ü"`);
  });

  it("prints a lone surrogate in the source as U+FFFD, as writing it out as UTF-8 would", () => {
    expect(show('"a\ud800b"')).toBe('"a\ufffdb"');
  });

  it("quotes attribute names as Nix's printIdentifier does", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(show(`{ ${showString(s)} = 1; }`)).toBe(`{ ${showIdentifier(s)} = 1; }`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("writeExpr pieces", () => {
  it("end on character boundaries and join to showExpr's text", () => {
    const items = Array.from({ length: 40_000 }, (_, i) => `"${"é😀x".repeat(i % 7)}${i}"`);
    const text = `[ ${items.join(" ")} ]`;
    const out = pieces(text);
    expect(out.length).toBeGreaterThan(2);
    expect(out.join("")).toBe(show(text));
  });

  it("hand on a string longer than one piece whole", () => {
    const long = "😀a".repeat(50_000);
    const out = pieces(`[ "${long}" "é" ]`);
    expect(out.join("")).toBe(`[ ("${long}") ("é") ]`);
  });
});
