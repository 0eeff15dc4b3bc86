import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, evalBuilt, parserBuilt, parserDistExists, tsnix } from "./helpers.js";

beforeAll(buildCli);

describe("tsnix instantiate: command line", () => {
  it("rejects an unknown flag exactly as Nix does", () => {
    const r = tsnix(["instantiate", "--foo"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: unrecognised flag '--foo'\nTry 'nix-instantiate --help' for more information.\n",
    );
  });

  it("wants two values after --arg", () => {
    const r = tsnix(["instantiate", "--eval", "-E", "1", "--arg", "x"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "error: flag '--arg' requires 2 argument(s)\nTry 'nix-instantiate --help' for more information.\n",
    );
  });

  it("prints help and version", () => {
    expect(tsnix(["instantiate", "--help"])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining("--eval"),
    });
    expect(tsnix(["instantiate", "--version"]).stdout).toMatch(/^nix-instantiate \(tsnix\) \d+\.\d+\.\d+\n$/);
  });

  it("names unknown subcommands", () => {
    const r = tsnix(["frobnicate"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it("reports a missing file the way Nix does", () => {
    const r = tsnix(["instantiate", "--parse", "/nonexistent/x.nix"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no JS stack trace
  });
});

describe.runIf(parserBuilt())("tsnix instantiate --parse", () => {
  it("shows a parsed expression from stdin and from -E", () => {
    const fromStdin = tsnix(["instantiate", "--parse", "-"], { input: "1 + 2" });
    expect(fromStdin).toMatchObject({ status: 0, stderr: "" });
    const fromArgs = tsnix(["instantiate", "--parse", "-E", "1 + 2"]);
    expect(fromArgs.stdout).toBe(fromStdin.stdout);
    expect(fromStdin.stdout).toBe("(1 + 2)\n");
  });

  it("prints a parse error with its position and exits 1", () => {
    const r = tsnix(["instantiate", "--parse", "-"], { input: "1 +" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain("«stdin»:1:");
  });
});

describe.runIf(!parserDistExists())("tsnix instantiate --parse without a parser", () => {
  it("says the parser is missing instead of crashing", () => {
    const r = tsnix(["instantiate", "--parse", "-E", "1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: the parser \(@tsnix\/parser\) is not available/);
  });
});

describe.runIf(evalBuilt())("tsnix instantiate --eval", () => {
  it("evaluates -E and stdin", () => {
    expect(tsnix(["instantiate", "--eval", "-E", "1 + 2"])).toMatchObject({ status: 0, stdout: "3\n" });
    expect(tsnix(["instantiate", "--eval", "-"], { input: '"a" + "b"' }).stdout).toBe('"ab"\n');
  });

  it("--strict, --json, -A and auto-arguments", () => {
    expect(tsnix(["instantiate", "--eval", "--strict", "-E", "{ a = [ (1 + 1) ]; }"]).stdout).toBe(
      "{ a = [ 2 ]; }\n",
    );
    expect(tsnix(["instantiate", "--eval", "--json", "--strict", "-E", "{ a = [ 1 2 ]; }"]).stdout).toBe(
      '{"a":[1,2]}\n',
    );
    expect(tsnix(["instantiate", "--eval", "-E", "{ a.b = 5; }", "-A", "a.b"]).stdout).toBe("5\n");
    expect(
      tsnix(["instantiate", "--eval", "-E", "{ x, y }: x + y", "--arg", "x", "1", "--arg", "y", "2"]).stdout,
    ).toBe("3\n");
    expect(tsnix(["instantiate", "--eval", "-E", "{ s }: s", "--argstr", "s", "hi"]).stdout).toBe('"hi"\n');
  });

  it("evaluates 1e6-deep non-tail recursion (given a max-call-depth that allows it)", () => {
    const r = tsnix([
      "instantiate",
      "--eval",
      "--max-call-depth",
      "2000000",
      "-E",
      "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000",
    ]);
    expect(r).toMatchObject({ status: 0, stdout: "1000000\n" });
  });

  it("prints evaluation errors Nix-style and exits 1", () => {
    const r = tsnix(["instantiate", "--eval", "-E", 'throw "boom"']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error:/);
    expect(r.stderr).toContain("boom");
  });
});

describe.runIf(evalBuilt())("tsnix eval", () => {
  it("prints strictly, selects attributes, --json, --raw and --apply", () => {
    expect(tsnix(["eval", "--expr", "{ a.b = [ (1 + 1) ]; }"])).toMatchObject({
      status: 0,
      stdout: "{ a = { b = [ 2 ]; }; }\n",
    });
    expect(tsnix(["eval", "--expr", "{ a.b = [ (1 + 1) ]; }", "a.b", "--json"]).stdout).toBe("[2]\n");
    expect(tsnix(["eval", "--raw", "--expr", '"x" + "y"']).stdout).toBe("xy");
    expect(tsnix(["eval", "--expr", "{ a = 2; }", "--apply", "x: x.a * 10"]).stdout).toBe("20\n");
  });

  it("rejects flake references with Nix's hint", () => {
    const r = tsnix(["eval", "nixpkgs#hello"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flake references .*\nTry 'nix --help' for more information.\n$/);
  });
});
