// What the evaluator takes from Nix settings into the parser (experimental
// features, lints, warnings), the built-in corepkgs, and Nix's attribute order
// in deep forcing.
import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO } from "./index.js";
import { nixErrorText } from "./test-support/errors.js";

function evaluator(settings: Record<string, string> = {}, files: Record<string, string> = {}) {
  const warnings: string[] = [];
  const ev = new Evaluator({ io: createMemoryIO(files), settings, onWarning: (w) => warnings.push(w) });
  return { ev, warnings };
}

function failure(ev: Evaluator, text: string): string {
  return nixErrorText(() => ev.print(ev.forceDeep(ev.evalString(text))), text);
}

describe("settings reach the parser", () => {
  test("pipe operators need the experimental feature", () => {
    expect(failure(evaluator().ev, "1 |> (x: x)").split("\n")[0]).toBe(
      "error: experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it",
    );
    const { ev } = evaluator({ "extra-experimental-features": "pipe-operators" });
    expect(ev.print(ev.evalString("1 |> (x: x + 1)"))).toBe("2");
  });

  test("lint settings warn or fail, in imported files too", () => {
    const { ev, warnings } = evaluator(
      { "lint-url-literals": "warn", "lint-short-path-literals": "fatal" },
      { "/p/a.nix": "http://x.org" },
    );
    expect(ev.print(ev.evalString("import /p/a.nix"))).toBe('"http://x.org"');
    expect(warnings).toEqual([
      'warning: URL literals are discouraged. Consider using a string literal "http://x.org" instead (lint-url-literals)\n' +
        "         at /p/a.nix:1:1:\n" +
        "              1| http://x.org\n" +
        "               | ^",
    ]);
    expect(failure(ev, "a/b").split("\n")[0]).toBe(
      "error: relative path literal 'a/b' should be prefixed with '.' for clarity: './a/b' (lint-short-path-literals)",
    );
  });

  test("the cursed `or` warns through onWarning", () => {
    const { ev, warnings } = evaluator();
    expect(ev.print(ev.evalString("let or = 1; in builtins.length [ (x: x) or ]"))).toBe("1");
    expect(warnings.length).toBe(1);
    expect(warnings[0]!.split("\n")[0]).toBe(
      "warning: at «string»:1:34: This expression uses `or` as an identifier in a way that will change in a future Nix release.",
    );
  });

  test("isGlobal names the base environment", () => {
    const { ev } = evaluator();
    expect(["builtins", "true", "map", "__nixPath", "derivation"].every((n) => ev.isGlobal(n))).toBe(true);
    expect(ev.isGlobal("nixPath")).toBe(false);
    expect(ev.isGlobal("x")).toBe(false);
  });
});

describe("corepkgs", () => {
  test("<nix/fetchurl.nix> is Nix's built-in fetchurl, unless the search path has one", () => {
    const { ev } = evaluator();
    expect(ev.print(ev.evalString("builtins.isFunction (import <nix/fetchurl.nix>)"))).toBe("true");
    expect(
      ev.print(ev.evalString("builtins.attrNames (builtins.functionArgs (import <nix/fetchurl.nix>))")),
    ).toContain('"impure"');
    const own = new Evaluator({
      io: createMemoryIO({ "/s/nix/fetchurl.nix": "42" }),
      searchPath: [{ prefix: "", path: "/s" }],
    });
    expect(own.print(own.evalString("import <nix/fetchurl.nix>"))).toBe("42");
  });
});

describe("Nix's symbol order in deep forcing", () => {
  test("outPath and the other static symbols are forced before the rest", () => {
    const { ev } = evaluator();
    expect(failure(ev, '{ a = throw "a"; outPath = throw "o"; }')).toContain("error: o");
    expect(failure(ev, '{ name = throw "n"; type = throw "t"; }')).toContain("error: t");
    expect(failure(ev, '{ b = throw "b"; a = throw "a"; }')).toContain("error: a");
  });

  test("toString of a list names its argument when an element fails", () => {
    const { ev } = evaluator();
    const f = failure(ev, 'toString [ 1 (throw "x") ]');
    expect(f).toContain("… while evaluating the first argument passed to builtins.toString");
  });
});
