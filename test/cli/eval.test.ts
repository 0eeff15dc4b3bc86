// `tsnix eval` prints as current Nix's `nix eval`: the value printer (not
// nix-instantiate's <LAMBDA>), derivations as «derivation …», JSON without
// copying paths, --raw through coerceToString.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, evalBuilt, tsnix } from "./helpers.js";

beforeAll(buildCli);

const evalExpr = (expr: string, ...args: string[]) => tsnix(["eval", "--expr", expr, ...args]);

describe.runIf(evalBuilt())("tsnix eval output (current Nix)", () => {
  it("prints functions, builtins and partial applications as the value printer does", () => {
    expect(evalExpr('{ f = x: x; m = map; p = map (x: x); "a b" = null; }')).toMatchObject({
      status: 0,
      stdout:
        '{ "a b" = null; f = «lambda f @ «string»:1:7»; m = «primop map»; p = «partially applied primop map»; }\n',
      stderr: "",
    });
  });

  it("marks a set seen twice as «repeated» and prints floats and strings as Nix", () => {
    expect(evalExpr('let x = { a = 1.5; s = "q\\"${"$"}{"; }; in [ x x ]').stdout).toBe(
      '[ { a = 1.5; s = "q\\"\\${"; } «repeated» ]\n',
    );
  });

  it("prints a derivation as its drv path", () => {
    const r = evalExpr('{ d = derivation { name = "a"; builder = "b"; system = "s"; }; }');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\{ d = «derivation \/nix\/store\/[0-9a-z]{32}-a\.drv»; \}\n$/);
    const drvPath = evalExpr(
      '(derivation { name = "a"; builder = "b"; system = "s"; }).drvPath',
      "--raw",
    ).stdout;
    expect(r.stdout).toContain(`«derivation ${drvPath}»`);
  });

  it("fails on an error anywhere in the value, with Nix's message", () => {
    const r = evalExpr('{ a = 1; b = [ (throw "boom") ]; }');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error:/);
    expect(r.stderr).toContain("error: boom");
  });

  it("--json keeps paths as they are (no store copy); --raw coerces sets with outPath and refuses ints", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnix-eval-"));
    expect(tsnix(["eval", "--json", "--expr", "{ p = ./x; n = 1.5; }"], { cwd: dir }).stdout).toBe(
      `{"n":1.5,"p":"${dir}/x"}\n`,
    );
    expect(evalExpr('{ outPath = "out"; }', "--raw")).toMatchObject({ status: 0, stdout: "out" });
    const bad = evalExpr("1", "--raw");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("while generating the eval command output");
    expect(bad.stderr).toContain("error: cannot coerce an integer to a string: 1");
  });

  it("evaluates -f FILE ATTRPATH, --file with --apply, and auto-calls with --arg", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnix-eval-"));
    const file = join(dir, "f.nix");
    writeFileSync(file, "{ k ? 1 }: { a.b = [ k (k + 1) ]; }");
    expect(tsnix(["eval", "-f", file, "a.b"]).stdout).toBe("[ 1 2 ]\n");
    expect(tsnix(["eval", "-f", file, "a.b", "--arg", "k", "10"]).stdout).toBe("[ 10 11 ]\n");
    expect(tsnix(["eval", "--file", file, "a", "--apply", "x: builtins.length x.b"]).stdout).toBe("2\n");
    expect(tsnix(["eval", "-f", file]).stdout).toMatch(/^«lambda @ .*f\.nix:1:1»\n$/);
  });
});
