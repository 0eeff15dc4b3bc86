import { parse } from "@tsnix/parser";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "./index.js";

const expr = (text: string) => parse(text, { path: null, origin: "string", baseDir: "/" });

describe("Evaluator#newVariables", () => {
  test("binds names over the global scope; code sees the bindings made before it was compiled", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const vars = ev.newVariables();
    vars.bind("x", 20);
    const y = vars.lazy(expr("x + 1")); // compiled now: refers to this x
    vars.bind("y", y);
    vars.bind("x", 100); // shadows x for code compiled from now on
    expect(ev.print(vars.eval(expr("[ x y (builtins.length [ x ]) ]")), { strict: true })).toBe(
      "[ 100 21 1 ]",
    );
    expect(vars.names()).toEqual(["x", "y"]);
    expect(vars.has("y") && !vars.has("z")).toBe(true);
  });

  test("an unbound name is Nix's error when the code is compiled, not when it runs", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const vars = ev.newVariables();
    expect(() => vars.lazy(expr("z"))).toThrow(NixError);
    expect(() => vars.lazy(expr("z"))).toThrow("undefined variable 'z'");
  });

  test("two sets of variables do not see each other", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const a = ev.newVariables();
    const b = ev.newVariables();
    a.bind("x", 1);
    expect(() => b.eval(expr("x"))).toThrow("undefined variable 'x'");
    expect(ev.globalNames()).toContain("builtins");
  });

  test("run: stray errors become NixErrors", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    expect(() =>
      ev.run(() => {
        throw new RangeError("Maximum call stack size exceeded");
      }),
    ).toThrow(NixError);
  });
});
