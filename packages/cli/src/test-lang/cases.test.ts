import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverCases, firstLineFlags, planCase, splitFlagsFile } from "./cases.js";
import { applyRatchet } from "./ratchet.js";
import { totalsLine } from "./report.js";
import type { CaseResult } from "./run-case.js";

function langDir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "tsnix-cases-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe("test cases as lang.sh sees them", () => {
  const dir = langDir({
    "parse-okay-a.nix": "1",
    "parse-fail-b.nix": "(",
    "eval-okay-c.nix": "1",
    "eval-okay-d.nix": "1",
    "eval-okay-d.exp.xml": "",
    "eval-okay-e.nix": "1",
    "eval-okay-e.exp-disabled": "",
    "eval-okay-f.nix": "{ x }: x",
    "eval-okay-f.flags": "--arg x 1 -A y\n--ignored second line\n",
    "eval-fail-g.nix": "throw 1",
    "eval-fail-h.nix": "throw 1",
    "eval-fail-h.flags": "--eval --strict # a comment\n--no-show-trace",
    "lib.nix": "{}",
    "imported.nix": "1",
  });

  it("finds KIND-NAME.nix files only, sorted", () => {
    expect(discoverCases(dir).map((c) => `${c.kind}:${c.name}`)).toEqual([
      "eval-fail:eval-fail-g",
      "eval-fail:eval-fail-h",
      "eval-okay:eval-okay-c",
      "eval-okay:eval-okay-d",
      "eval-okay:eval-okay-e",
      "eval-okay:eval-okay-f",
      "parse-fail:parse-fail-b",
      "parse-okay:parse-okay-a",
    ]);
  });

  it("parses via stdin, failures compared on merged output", () => {
    expect(planCase(dir, { name: "parse-fail-b", kind: "parse-fail" })).toEqual({
      args: ["--parse", "-"],
      stdin: "lang/parse-fail-b.nix",
      env: {},
      expectedExit: 1,
      comparisons: [
        {
          capture: "merged",
          gotFile: "parse-fail-b.err",
          expectedFile: "parse-fail-b.err.exp",
          substitutePwd: false,
        },
      ],
    });
    const okay = planCase(dir, { name: "parse-okay-a", kind: "parse-okay" });
    expect(okay).toMatchObject({ args: ["--parse", "-"], expectedExit: 0 });
    expect("comparisons" in okay && okay.comparisons.map((c) => c.capture)).toEqual(["stdout", "stderr"]);
  });

  it("evaluates eval-okay with NIX_PATH, HOME and first-line flags before --eval --strict", () => {
    expect(planCase(dir, { name: "eval-okay-c", kind: "eval-okay" })).toMatchObject({
      args: ["--eval", "--strict", "lang/eval-okay-c.nix"],
      env: { NIX_PATH: "lang/dir3:lang/dir4", HOME: "/fake-home" },
      expectedExit: 0,
    });
    expect(planCase(dir, { name: "eval-okay-f", kind: "eval-okay" })).toMatchObject({
      args: ["--arg", "x", "1", "-A", "y", "--eval", "--strict", "lang/eval-okay-f.nix"],
    });
  });

  it("uses --xml for .exp.xml cases and skips .exp-disabled ones", () => {
    expect(planCase(dir, { name: "eval-okay-d", kind: "eval-okay" })).toMatchObject({
      args: ["--eval", "--xml", "--no-location", "--strict", "lang/eval-okay-d.nix"],
      env: {},
      comparisons: [
        { capture: "stdout", gotFile: "eval-okay-d.out.xml", expectedFile: "eval-okay-d.exp.xml" },
      ],
    });
    expect(planCase(dir, { name: "eval-okay-e", kind: "eval-okay" })).toEqual({ skip: "exp-disabled" });
  });

  it("eval-fail: default flags, or the .flags file without comments", () => {
    expect(planCase(dir, { name: "eval-fail-g", kind: "eval-fail" })).toMatchObject({
      args: ["--eval", "--strict", "--show-trace", "lang/eval-fail-g.nix"],
      expectedExit: 1,
      comparisons: [{ capture: "merged", substitutePwd: true }],
    });
    expect(planCase(dir, { name: "eval-fail-h", kind: "eval-fail" })).toMatchObject({
      args: ["--eval", "--strict", "--no-show-trace", "lang/eval-fail-h.nix"],
    });
  });

  it("splits flags files like the shell", () => {
    expect(splitFlagsFile("--max-call-depth 100")).toEqual(["--max-call-depth", "100"]);
    expect(splitFlagsFile("# only a comment\n  -I a\t-I b=c  \n")).toEqual(["-I", "a", "-I", "b=c"]);
    expect(firstLineFlags("-I lang/dir1 -I dir5=lang/dir3\n-A x")).toEqual([
      "-I",
      "lang/dir1",
      "-I",
      "dir5=lang/dir3",
    ]);
  });
});

describe("expected-failures ratchet", () => {
  const r = (name: string, status: CaseResult["status"]): CaseResult => ({
    name,
    kind: "eval-okay",
    status,
    ms: 1,
  });
  const results = [r("a", "fail"), r("b", "pass"), r("c", "fail"), r("d", "skip")];

  it("fails on unlisted failures and reports listed cases that pass", () => {
    const o = applyRatchet(results, new Set(["a", "b", "d", "gone"]), false);
    expect(o.newFailures).toEqual(["c"]);
    expect(o.nowPassing).toEqual(["b"]);
    expect(o.failed).toBe(true);
    expect(o.updated).toEqual(["a", "d", "gone"]);
  });

  it("passes when every failure is listed, and only shrinks without --allow-growth", () => {
    const o = applyRatchet(results, new Set(["a", "c", "b"]), false);
    expect(o.failed).toBe(false);
    expect(o.updated).toEqual(["a", "c"]);
  });

  it("grows with --allow-growth", () => {
    const o = applyRatchet(results, new Set(["a"]), true);
    expect(o.failed).toBe(false);
    expect(o.updated).toEqual(["a", "c"]);
  });

  it("ends with the counts line", () => {
    expect(totalsLine({ pass: 3, fail: 1, skip: 0 })).toBe("3 passed, 1 failed");
    expect(totalsLine({ pass: 3, fail: 0, skip: 2 })).toBe("3 passed, 0 failed, 2 skipped");
  });
});
