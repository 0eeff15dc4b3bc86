import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineStarts } from "./spans.js";

/** The definition: `\n`, `\r\n` and a lone `\r` each end a line. */
function reference(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

describe("lineStarts", () => {
  it("agrees with the character-by-character definition for any mix of line ends", () => {
    const piece = fc.constantFrom("a", "é", "\n", "\r", "\r\n", "\n\r", "  ");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join("");
        expect([...lineStarts({ path: null, origin: "string", text })]).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
