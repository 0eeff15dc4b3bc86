// String-context builtins: shapes, validation errors and round trips.
import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO } from "../index.js";
import { isStorePath } from "./context.js";
import { nixErrorText } from "../test-support/errors.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return ev.print(ev.evalString(expr), { strict: true });
}

function failure(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return nixErrorText(() => ev.print(ev.evalString(expr), { strict: true }), expr);
}

const DRV = "/nix/store/00000000000000000000000000000000-foo.drv";
const P = "/nix/store/11111111111111111111111111111111-bar";
const append = (s: string, ctx: string) => `(builtins.appendContext ${JSON.stringify(s)} ${ctx})`;

describe("isStorePath", () => {
  test.each([
    [P, true],
    [DRV, true],
    [P + "/sub", false],
    ["/nix/store/short-x", false],
    ["/nix/store/e0000000000000000000000000000000-x", false], // 'e' is not in nixbase32
    ["/nix/store/11111111111111111111111111111111-", false],
    ["/nix/store/11111111111111111111111111111111-a b", false],
    ["/other/11111111111111111111111111111111-bar", false],
  ])("%s: %s", (p, want) => expect(isStorePath("/nix/store", p)).toBe(want));
});

describe("context sharing", () => {
  test("a string built from one context-carrying part shares its context, never mutating it", () => {
    const a = append("a", `{ "${P}" = { path = true; }; }`);
    const b = append("b", `{ "${DRV}" = { path = true; }; }`);
    // s1 adopts a's context; s2 = s1 + b must copy it before adding b's, or a and s1 would change.
    const expr = `let a = ${a}; s1 = "\${a}/bin"; s2 = s1 + ${b}; s3 = builtins.concatStringsSep a [ "x" s1 ];
      in [ (builtins.getContext a) (builtins.getContext s1) (builtins.getContext s2) (builtins.getContext s3) ]`;
    const one = `{ "${P}" = { path = true; }; }`;
    const both = `{ "${DRV}" = { path = true; }; "${P}" = { path = true; }; }`;
    expect(run(expr)).toBe(`[ ${one} ${one} ${both} ${one} ]`);
    expect(
      run(`let a = ${a}; s2 = "\${a}" + ${b}; in [ (builtins.getContext a) (builtins.getContext s2) ]`),
    ).toBe(`[ ${one} ${both} ]`);
  });
});

describe("getContext / appendContext", () => {
  test("round trip with outputs sorted", () => {
    const ctx = `{ "${DRV}" = { outputs = [ "out" "bin" ]; allOutputs = true; path = true; }; "${P}" = { path = true; }; }`;
    expect(run(`builtins.getContext ${append("x", ctx)}`)).toBe(
      `{ "${DRV}" = { allOutputs = true; outputs = [ "bin" "out" ]; path = true; }; "${P}" = { path = true; }; }`,
    );
    expect(
      run(
        `let s = ${append("x", ctx)}; in s == builtins.appendContext (builtins.unsafeDiscardStringContext s) (builtins.getContext s)`,
      ),
    ).toBe("true");
  });

  test("false and empty entries add nothing", () => {
    expect(run(`builtins.hasContext ${append("x", `{ "${P}" = { path = false; outputs = [ ]; }; }`)}`)).toBe(
      "false",
    );
  });

  test.each([
    [`{ "/foo" = { }; }`, "context key '/foo' is not a store path"],
    [
      `{ "${P}" = { allOutputs = true; }; }`,
      `tried to add all-outputs context of ${P}, which is not a derivation, to a string`,
    ],
    [
      `{ "${P}" = { outputs = [ "out" ]; }; }`,
      `tried to add derivation output context of ${P}, which is not a derivation, to a string`,
    ],
    [`{ "${P}" = 1; }`, "while evaluating the value of a string context"],
    [`{ "${P}" = { path = 1; }; }`, "while evaluating the `path` attribute of a string context"],
  ])("appendContext %s fails", (ctx, msg) =>
    expect(failure(`builtins.appendContext "x" ${ctx}`)).toContain(msg),
  );
});

describe("output dependencies", () => {
  const deep = append("d", `{ "${DRV}" = { allOutputs = true; }; }`);
  const plainDrv = append("d", `{ "${DRV}" = { path = true; }; }`);

  test("unsafeDiscardOutputDependency turns DrvDeep into a plain path", () => {
    expect(run(`builtins.getContext (builtins.unsafeDiscardOutputDependency ${deep})`)).toBe(
      `{ "${DRV}" = { path = true; }; }`,
    );
  });

  test("addDrvOutputDependencies is the inverse and idempotent", () => {
    expect(run(`builtins.getContext (builtins.addDrvOutputDependencies ${plainDrv})`)).toBe(
      `{ "${DRV}" = { allOutputs = true; }; }`,
    );
    expect(run(`builtins.getContext (builtins.addDrvOutputDependencies ${deep})`)).toBe(
      `{ "${DRV}" = { allOutputs = true; }; }`,
    );
  });

  test.each([
    ['builtins.addDrvOutputDependencies ""', "context of string '' must have exactly one element, but has 0"],
    [
      `builtins.addDrvOutputDependencies ${append("p", `{ "${P}" = { path = true; }; }`)}`,
      `path '${P}' is not a derivation`,
    ],
    [
      `builtins.addDrvOutputDependencies ${append("o", `{ "${DRV}" = { outputs = [ "out" ]; }; }`)}`,
      "`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as 'out'",
    ],
  ])("%s fails", (e, msg) => expect(failure(e)).toContain(msg));
});
