// Golden edge-case tables of the builtins, recorded from nix-instantiate 2.8
// (strings, regex by golden/record.mjs; json, toml, xml, hashing by
// golden/record-serialisation.mjs; only cases where 2.8 agrees with current Nix
// are kept). tsnix is always compared with the table;
// when nix-instantiate is on PATH the table is also re-checked against it.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";

interface GoldenCase {
  expr: string;
  note?: string;
  output?: string;
  error?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Each table; `firstLine`: compare only the first line of error messages (the recorder keeps only that). */
const TABLES = [
  { name: "regex", firstLine: false, minOutputs: 20 },
  { name: "strings", firstLine: false, minOutputs: 20 },
  { name: "json", firstLine: true, minOutputs: 4 },
  { name: "toml", firstLine: true, minOutputs: 4 },
  { name: "xml", firstLine: true, minOutputs: 4 },
  { name: "hashing", firstLine: true, minOutputs: 4 },
];

function load(name: string): GoldenCase[] {
  return (
    JSON.parse(fs.readFileSync(path.join(here, "golden", name + ".json"), "utf8")) as { cases: GoldenCase[] }
  ).cases;
}

function tsnix(expr: string, firstLine: boolean): { output?: string; error?: string } {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  try {
    return { output: ev.print(ev.evalString(expr), { strict: true }) };
  } catch (e) {
    if (e instanceof NixError) return { error: firstLine ? e.message.split("\n")[0]! : e.message };
    throw e;
  }
}

const haveNix = (() => {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function nixError(expr: string): string {
  try {
    execFileSync("nix-instantiate", ["--eval", "--strict", "-E", expr], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    return "(no error)";
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? "");
    return (stderr.split("\n").find((l) => l.startsWith("error: ")) ?? stderr).replace(/^error: /, "");
  }
}

for (const { name, firstLine, minOutputs } of TABLES) {
  const cases = load(name);
  describe(`golden/${name}.json`, () => {
    test("has cases with both outcomes", () => {
      expect(cases.filter((c) => c.output !== undefined).length).toBeGreaterThan(minOutputs);
      expect(cases.every((c) => (c.output === undefined) !== (c.error === undefined))).toBe(true);
    });

    test.each(cases.map((c) => [c.expr, c] as const))("%s", (_expr, c) => {
      const got = tsnix(c.expr, firstLine);
      if (c.output !== undefined) expect(got).toEqual({ output: c.output });
      else expect(got).toEqual({ error: c.error });
    });

    test.skipIf(!haveNix)("the table still agrees with nix-instantiate", () => {
      const okay = cases.filter((c) => c.output !== undefined);
      const listed = execFileSync(
        "nix-instantiate",
        ["--eval", "--strict", "-E", "[ " + okay.map((c) => `(${c.expr})`).join(" ") + " ]"],
        {
          encoding: "utf8",
        },
      );
      expect(listed.trim()).toBe("[ " + okay.map((c) => c.output).join(" ") + " ]");
      for (const c of cases.filter((c) => c.error !== undefined))
        expect([c.expr, nixError(c.expr)]).toEqual([c.expr, c.error]);
    });
  });
}
