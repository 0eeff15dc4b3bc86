// The test cases of a Nix language test directory and, for each, what
// tests/functional/lang.sh runs and compares. This is the data half of the
// runner; run-case.ts carries the plans out.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const KINDS = ["parse-okay", "parse-fail", "eval-okay", "eval-fail"] as const;
export type Kind = (typeof KINDS)[number];

export interface TestCase {
  /** Base name without `.nix`, e.g. "eval-okay-arithmetic". */
  readonly name: string;
  readonly kind: Kind;
}

/** Where a captured output goes: stdout alone, stderr alone, or both as one stream (`2>&1`). */
export type Capture = "stdout" | "stderr" | "merged";

export interface Comparison {
  readonly capture: Capture;
  /** Name of the file the output is saved as in the run's directory (what .postprocess edits). */
  readonly gotFile: string;
  /** Expected file in the test directory; a missing one means empty output. */
  readonly expectedFile: string;
  /** Replace the absolute working directory with `/pwd`, as lang.sh's `sed s!$(pwd)!/pwd!g`. */
  readonly substitutePwd: boolean;
}

export interface Plan {
  readonly args: readonly string[];
  /** A file (relative to the working directory) fed to standard input. */
  readonly stdin: string | null;
  /** Environment added on top of the suite's (lang.sh's `env NIX_PATH=... HOME=...`). */
  readonly env: Readonly<Record<string, string>>;
  readonly expectedExit: number;
  readonly comparisons: readonly Comparison[];
}

export type CasePlan = { readonly skip: string } | Plan;

/** Lists the cases in `dir` (files `KIND-*.nix`), sorted by name as the shell glob does. */
export function discoverCases(dir: string): TestCase[] {
  const cases: TestCase[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".nix")) continue;
    const name = file.slice(0, -".nix".length);
    const kind = KINDS.find((k) => name.startsWith(k + "-"));
    if (kind) cases.push({ name, kind });
  }
  return cases;
}

/** Comments (from '#' to the end of a line) removed as lang.sh's sed does, then split into words as the shell does (eval-fail). */
export function splitFlagsFile(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, ""))
    .join("\n")
    .split(/[ \t\n]+/)
    .filter((w) => w !== "");
}

/** `read -r -a flags < FILE`: the first line, split on blanks (eval-okay). */
export function firstLineFlags(text: string): string[] {
  const nl = text.indexOf("\n");
  return (nl < 0 ? text : text.slice(0, nl)).split(/[ \t]+/).filter((w) => w !== "");
}

/**
 * What lang.sh does for one case. `langDir` is the test directory, which the
 * plan refers to as `lang/` (cases run from its parent).
 */
export function planCase(langDir: string, c: TestCase): CasePlan {
  const has = (suffix: string) => existsSync(join(langDir, `${c.name}.${suffix}`));
  const read = (suffix: string) => readFileSync(join(langDir, `${c.name}.${suffix}`), "utf8");
  const nix = `lang/${c.name}.nix`;
  const cmp = (capture: Capture, got: string, expected: string, substitutePwd: boolean): Comparison => ({
    capture,
    gotFile: `${c.name}.${got}`,
    expectedFile: `${c.name}.${expected}`,
    substitutePwd,
  });
  switch (c.kind) {
    case "parse-fail":
      return {
        args: ["--parse", "-"],
        stdin: nix,
        env: {},
        expectedExit: 1,
        comparisons: [cmp("merged", "err", "err.exp", false)],
      };
    case "parse-okay":
      // lang.sh's sed here prints instead of editing in place (no -i): no /pwd substitution.
      return {
        args: ["--parse", "-"],
        stdin: nix,
        env: {},
        expectedExit: 0,
        comparisons: [cmp("stdout", "out", "exp", false), cmp("stderr", "err", "err.exp", false)],
      };
    case "eval-fail":
      return {
        args: [
          ...(has("flags") ? splitFlagsFile(read("flags")) : ["--eval", "--strict", "--show-trace"]),
          nix,
        ],
        stdin: null,
        env: {},
        expectedExit: 1,
        comparisons: [cmp("merged", "err", "err.exp", true)],
      };
    case "eval-okay":
      if (has("exp.xml"))
        return {
          args: ["--eval", "--xml", "--no-location", "--strict", nix],
          stdin: null,
          env: {},
          expectedExit: 0,
          comparisons: [cmp("stdout", "out.xml", "exp.xml", false)],
        };
      if (has("exp-disabled")) return { skip: "exp-disabled" };
      return {
        args: [...(has("flags") ? firstLineFlags(read("flags")) : []), "--eval", "--strict", nix],
        stdin: null,
        env: { NIX_PATH: "lang/dir3:lang/dir4", HOME: "/fake-home" },
        expectedExit: 0,
        comparisons: [cmp("stdout", "out", "exp", true), cmp("stderr", "err", "err.exp", true)],
      };
  }
}
