import { describe, expect, it } from "vitest";
import { derivationFromJson, derivationToJson } from "./derivation-json.js";
import {
  singleDerivedPathFromJson,
  singleDerivedPathToJson,
  type SingleDerivedPath,
} from "./derived-path.js";
import { rewriteStrings, tryResolve } from "./resolution.js";
import { haveStoreData, listData, readJson } from "./test-support/data.js";
import { prettyJson } from "./json.js";

const key = (p: SingleDerivedPath, output: string): string =>
  JSON.stringify([singleDerivedPathToJson(p), output]);

describe.runIf(haveStoreData)("tryResolve (derivation/try-resolve)", () => {
  const dir = "derivation/try-resolve";
  const stems = listData(dir, "-buildTrace.json").map((f) => f.replace(/-buildTrace\.json$/, ""));

  it("finds the data", () => expect(stems.length).toBeGreaterThanOrEqual(5));

  it.each(stems)("%s", (stem) => {
    const before = derivationFromJson(readJson(`${dir}/${stem}-before.json`));
    const trace = readJson(`${dir}/${stem}-buildTrace.json`) as [unknown, string][];
    const realised = new Map<string, string>();
    for (const [drvOutput, path] of trace) {
      const o = drvOutput as { drvPath: unknown; output: string };
      realised.set(key(singleDerivedPathFromJson(o.drvPath), o.output), path);
    }
    const resolved = tryResolve(before, (drvPath, output) => realised.get(key(drvPath, output)));
    const afterFile = listData(dir, ".json").find(
      (f) => f === `${stem}-after.json` || f === `${stem}-resolved.json`,
    );
    if (!afterFile) {
      expect(resolved).toBeUndefined();
      return;
    }
    expect(resolved).toBeDefined();
    expect(prettyJson(derivationToJson(resolved!, { basic: true }))).toBe(
      prettyJson(readJson(`${dir}/${afterFile}`)),
    );
  });
});

describe("rewriteStrings", () => {
  it("replaces every occurrence of every key", () => {
    expect(
      rewriteStrings(
        "a/x/b/x/y",
        new Map([
          ["/x", "/z"],
          ["y", "w"],
        ]),
      ),
    ).toBe("a/z/b/z/w");
    expect(rewriteStrings("abc", new Map())).toBe("abc");
  });
});
