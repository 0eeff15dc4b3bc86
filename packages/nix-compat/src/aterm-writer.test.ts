import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { atermString } from "./aterm.js";
import { ByteSink } from "./byte-sink.js";

const encoder = new TextEncoder();
/** Strings heavy in what matters: escaped characters, non-ASCII, surrogate pairs and lone halves. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "\\", "\n", "\r", "\t", "a", "é", "€", "😀", "\ud800", "\udc00", "\u0001", "$"),
      fc.string(),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("ByteSink", () => {
  it("escaped(s) is the UTF-8 of atermString(s), short and long, after other output", () => {
    fc.assert(
      fc.property(tricky, fc.string(), (s, before) => {
        const sink = new ByteSink(8); // small, so that growing is exercised too
        sink.text(before);
        sink.escaped(s);
        expect(sink.view()).toEqual(encoder.encode(before + atermString(s)));
      }),
      { numRuns: 500 },
    );
  });

  it("text and quoted write UTF-8 as TextEncoder does (lone surrogates as U+FFFD)", () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const sink = new ByteSink(4);
        sink.text(s);
        sink.quoted(s);
        expect(sink.view()).toEqual(encoder.encode(`${s}"${s}"`));
      }),
      { numRuns: 500 },
    );
  });

  it("copies ranges of another sink", () => {
    const a = new ByteSink();
    a.ascii("Derive([");
    a.escaped("x\ny".repeat(20));
    const b = new ByteSink(2);
    b.copy(a, 8, a.length);
    b.ascii("])");
    expect(new TextDecoder().decode(b.view())).toBe(atermString("x\ny".repeat(20)) + "])");
  });
});
