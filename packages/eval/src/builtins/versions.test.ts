// splitVersion / compareVersions / parseDrvName (Nix's names.cc).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { compareVersions, parseDrvName, splitVersion } from "./versions.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return ev.print(ev.evalString(expr), { strict: true });
}

describe("compareVersions", () => {
  test.each([
    ["1.0", "2.3", -1],
    ["2.3", "2.3", 0],
    ["2.3.1", "2.3a", 1],
    ["2.3pre1", "2.3", -1],
    ["2.3pre3", "2.3pre12", -1],
    ["1.0", "1.0.0", -1],
    ["1.2147483648", "1.3", -1], // does not fit an int: compared as a non-number
    ["1-2", "1.2", 0],
    ["1.01", "1.1", 0],
  ])("%s vs %s = %d", (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a) + want).toBe(0);
  });

  test("is antisymmetric and reflexive", () => {
    const v = fc.stringMatching(/^[0-9a-z.-]{0,10}$/);
    fc.assert(
      fc.property(v, v, (a, b) => {
        expect(compareVersions(a, a)).toBe(0);
        expect(compareVersions(a, b) + compareVersions(b, a)).toBe(0);
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  test("the builtin refuses strings with context", () => {
    const ev = new Evaluator({ io: createMemoryIO({}, {}) });
    const ctx =
      'builtins.appendContext "1.0" { "/nix/store/11111111111111111111111111111111-bar" = { path = true; }; }';
    expect(() => ev.evalString(`builtins.compareVersions (${ctx}) "1"`)).toThrow(NixError);
  });
});

describe("splitVersion / parseDrvName", () => {
  test("splitVersion", () => {
    expect(splitVersion("1.2-pre3.a_b..c-")).toEqual(["1", "2", "pre", "3", "a_b", "c"]);
    expect(splitVersion("")).toEqual([]);
    expect(run('builtins.splitVersion "2.3pre12"')).toBe('[ "2" "3" "pre" "12" ]');
  });

  test("parseDrvName", () => {
    expect(parseDrvName("name-that-ends-with-dash--1.0")).toEqual({
      name: "name-that-ends-with-dash",
      version: "-1.0",
    });
    expect(parseDrvName("xf86-video-i810-1.7.4")).toEqual({ name: "xf86-video-i810", version: "1.7.4" });
    expect(parseDrvName("hello")).toEqual({ name: "hello", version: "" });
    expect(run('builtins.parseDrvName "nix-0.12pre12876"')).toBe(
      '{ name = "nix"; version = "0.12pre12876"; }',
    );
  });
});
