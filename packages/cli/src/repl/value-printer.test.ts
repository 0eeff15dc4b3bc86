import { Evaluator, createMemoryIO } from "@tsnix/eval";
import { describe, expect, it } from "vitest";
import { EVAL_PRINT, REPL_PRINT, ValuePrinter, type ReplPrintOptions } from "./value-printer.js";

const ev = new Evaluator({ io: createMemoryIO({}) });
const show = (expr: string, o: Partial<ReplPrintOptions> = {}) =>
  new ValuePrinter(ev, { ...REPL_PRINT, ...o }).print(ev.evalString(expr, { baseDir: "/d" }));

describe("the REPL's value printer (print.cc)", () => {
  it("lays out sets and lists over lines only when they hold more than one item or a nested one", () => {
    expect(show("{ a = 1; }")).toBe("{ a = 1; }");
    expect(show("{ a = [ 1 ]; }")).toBe("{\n  a = [ 1 ];\n}");
    expect(show("[ 1 2 ]")).toBe("[\n  1\n  2\n]");
    expect(show("[ [ 1 2 ] ]")).toBe("[\n  [\n    1\n    2\n  ]\n]");
    expect(show("{ }")).toBe("{ }");
    expect(show("[ ]")).toBe("[ ]");
    expect(show('{ "a b" = 1; "if" = 2; }')).toBe('{\n  "a b" = 1;\n  "if" = 2;\n}');
  });

  it("stops at maxDepth with { ... } and [ ... ]", () => {
    expect(show('{ a = { b = 1; }; l = [ 1 ]; s = "x"; }', { maxDepth: 1 })).toBe(
      '{\n  a = { ... };\n  l = [ ... ];\n  s = "x";\n}',
    );
    expect(show("[ { } ]", { maxDepth: 0 })).toBe("[ ... ]");
  });

  it("shows errors below the top level inline, and throws at the top level or with errors: throw", () => {
    expect(show('{ a = throw "x"; b = 1; }')).toBe("{\n  a = «error: x»;\n  b = 1;\n}");
    expect(() => show('throw "top"')).toThrow(/top/);
    expect(() => show('[ 1 (throw "deep") ]', { errors: "throw" })).toThrow(/deep/);
  });

  it("prints thunks unforced as «thunk» when not forcing", () => {
    expect(show("[ (1 + 1) 2 ]", { force: false, prettyIndent: 0 })).toBe("[ «thunk» 2 ]");
  });

  it("colours with Nix's ANSI codes", () => {
    expect(show('[ 1 "s" null ]', { ansiColors: true, prettyIndent: 0 })).toBe(
      '[ \x1b[36;1m1\x1b[0m \x1b[35;1m"s"\x1b[0m \x1b[36;1mnull\x1b[0m ]',
    );
  });
});

describe("nix eval's printing", () => {
  const evalShow = (expr: string) => new ValuePrinter(ev, EVAL_PRINT).print(ev.evalString(expr));
  it("prints functions, repeated values, floats and derivations as current Nix", () => {
    expect(evalShow("{ f = x: x; m = map; }")).toBe("{ f = «lambda f @ «string»:1:7»; m = «primop map»; }");
    expect(evalShow("let x = { a = 0.1; }; in [ x x ]")).toBe("[ { a = 0.1; } «repeated» ]");
    expect(evalShow('derivation { name = "n"; builder = "b"; system = "s"; }')).toMatch(
      /^«derivation \/nix\/store\/[0-9a-z]{32}-n\.drv»$/,
    );
  });
});
