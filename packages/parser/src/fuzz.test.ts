// Property: whatever the input, parse returns an AST or throws ParseError —
// never another exception, never a hang (each input gets a time bound).
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError, parse, showExpr } from "./index.js";
import { LANG_SUITE } from "../../../test/shared-data.js";

const SUITE = LANG_SUITE;
const corpus = existsSync(SUITE)
  ? readdirSync(SUITE)
      .filter((f) => f.endsWith(".nix"))
      .sort()
      .slice(0, 400)
      .map((f) => readFileSync(join(SUITE, f), "utf8"))
  : ["{ a = 1; b = [ ./x \"s${t}\" ''i'' ]; }"];

const PIECES = [
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ";",
  ":",
  "@",
  ",",
  ".",
  "...",
  "?",
  "=",
  "==",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "&&",
  "||",
  "->",
  "//",
  "++",
  "+",
  "-",
  "*",
  "/",
  "!",
  "|>",
  "<|",
  "${",
  '"',
  "''",
  "'''",
  "''$",
  "''\\",
  "$",
  "\\",
  "'",
  "#",
  "/*",
  "*/",
  "\n",
  "\r\n",
  " ",
  "\t",
  "a",
  "x1",
  "or",
  "if",
  "then",
  "else",
  "let",
  "in",
  "rec",
  "inherit",
  "with",
  "assert",
  "__curPos",
  "1",
  "99999999999999999999",
  "1.5",
  ".5",
  "1e3",
  "./a",
  "./a/",
  "~/b",
  "<p>",
  "a/b",
  "http://x",
  "é",
  "\u0000",
];

const BUDGET_MS = 2000;

function check(text: string): void {
  const t0 = performance.now();
  try {
    const e = parse(text, { origin: "stdin", baseDir: "/base", homeDir: "/home" });
    expect(typeof showExpr(e)).toBe("string");
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    expect(err.format()).toMatch(/^error: /);
    expect(err.span.line).toBeGreaterThanOrEqual(1);
  }
  expect(performance.now() - t0).toBeLessThan(BUDGET_MS);
}

describe("parser robustness", () => {
  it("random token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => check(parts.join(""))),
      { numRuns: 3000 },
    );
  });

  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), check), { numRuns: 2000 });
  });

  it("mutated conformance files", () => {
    const mutation = fc.record({
      at: fc.nat(),
      del: fc.nat({ max: 5 }),
      insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (source, muts) => {
          let text = source;
          for (const m of muts) {
            const at = text.length === 0 ? 0 : m.at % (text.length + 1);
            text = text.slice(0, at) + m.insert + text.slice(at + m.del);
          }
          check(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("deep nesting is a ParseError, not a crash", () => {
    check("(".repeat(100000) + "1" + ")".repeat(100000));
    check("[".repeat(100000));
    check("x: " + "-".repeat(100000) + "x");
  });
});
