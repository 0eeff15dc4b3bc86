// builtins.attrNames builtins against current Nix's list (golden/builtin-names.txt).
// Every name Nix has and tsnix lacks must be listed in known-missing-builtins.txt, and that list
// may only shrink: implementing a builtin means deleting its line there.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO } from "../index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const readList = (file: string): string[] =>
  fs
    .readFileSync(path.join(here, file), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

function ourNames(): string[] {
  const ev = new Evaluator({ io: createMemoryIO({}) });
  return ev.toJS(ev.evalString("builtins.attrNames builtins")) as string[];
}

describe("builtin names", () => {
  const nix = readList("golden/builtin-names.txt");
  const missing = readList("known-missing-builtins.txt");
  const ours = new Set(ourNames());

  test("the golden lists are sorted and unique", () => {
    for (const list of [nix, readList("golden/builtin-names-2.8.txt"), missing])
      expect(list).toEqual([...new Set(list)].sort());
  });

  test("every builtin of current Nix is implemented or listed as known missing", () => {
    const unlisted = nix.filter((n) => !ours.has(n) && !missing.includes(n));
    expect(unlisted, "missing builtins not in known-missing-builtins.txt").toEqual([]);
  });

  test("known-missing-builtins.txt only names builtins that are still missing (it may only shrink)", () => {
    const implemented = missing.filter((n) => ours.has(n));
    expect(implemented, "implemented: delete these lines from known-missing-builtins.txt").toEqual([]);
    const notNix = missing.filter((n) => !nix.includes(n));
    expect(notNix, "not a builtin of current Nix").toEqual([]);
  });

  test("tsnix has no builtins that Nix lacks", () => {
    expect([...ours].filter((n) => !nix.includes(n))).toEqual([]);
  });

  test("the 2.8 list is a subset of the current one", () => {
    expect(readList("golden/builtin-names-2.8.txt").filter((n) => !nix.includes(n))).toEqual([]);
  });
});
