// The upstream language tests for the parser: parse-okay-* must print exactly
// their .exp; parse-fail-* must fail at the .err.exp position, and the cases
// whose whole message matches are listed in parse-fail-full-matches.txt, a
// ratchet: the list may only grow, and every listed case must keep matching.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ParseError, parse, showExpr } from "./index.js";
import { TEST_GLOBALS } from "./test-globals.js";
import { LANG_SUITE } from "../../../test/shared-data.js";

const SUITE = LANG_SUITE;
const RATCHET = new URL("./parse-fail-full-matches.txt", import.meta.url);
const haveSuite = existsSync(SUITE);
const cases = (prefix: string) =>
  haveSuite
    ? readdirSync(SUITE)
        .filter((f) => f.startsWith(prefix) && f.endsWith(".nix"))
        .sort()
    : [];

/** As the upstream harness does: parse from stdin with the test directory as base, then show /pwd for it. */
function parseLikeHarness(file: string): string {
  const text = readFileSync(join(SUITE, file), "utf8");
  const e = parse(text, {
    path: null,
    origin: "stdin",
    baseDir: SUITE,
    homeDir: "/fake-home",
    isGlobal: TEST_GLOBALS,
  });
  return showExpr(e).replaceAll(SUITE, "/pwd/lang");
}

function failureOf(file: string): ParseError {
  try {
    parseLikeHarness(file);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`${file} parsed without error`);
}

const positionLine = (text: string) => text.split("\n").find((l) => l.trimStart().startsWith("at ")) ?? "";

describe.skipIf(!haveSuite)("parse-okay", () => {
  it("has the 13 cases", () => expect(cases("parse-okay-")).toHaveLength(13));
  for (const file of cases("parse-okay-")) {
    it(file, () => {
      const expected = readFileSync(join(SUITE, file.replace(/\.nix$/, ".exp")), "utf8").trimEnd();
      expect(parseLikeHarness(file)).toBe(expected);
    });
  }
});

describe.skipIf(!haveSuite)("parse-fail", () => {
  const files = cases("parse-fail-");
  it("has the 41 cases", () => expect(files).toHaveLength(41));
  for (const file of files) {
    it(`${file}: error position`, () => {
      const expected = readFileSync(join(SUITE, file.replace(/\.nix$/, ".err.exp")), "utf8").trimEnd();
      expect(positionLine(failureOf(file).format())).toBe(positionLine(expected));
    });
  }

  it("full-message matches only grow (ratchet)", () => {
    const listed = readFileSync(RATCHET, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    const matching = files.filter((file) => {
      const expected = readFileSync(join(SUITE, file.replace(/\.nix$/, ".err.exp")), "utf8").trimEnd();
      return failureOf(file).format() === expected;
    });
    for (const name of listed)
      expect(matching, `${name} is in the ratchet list but no longer matches`).toContain(name);
    const unlisted = matching.filter((m) => !listed.includes(m));
    expect(unlisted, `new full matches: add them to parse-fail-full-matches.txt`).toEqual([]);
    console.log(`parse-fail full-message matches: ${matching.length}/${files.length}`);
  });
});
