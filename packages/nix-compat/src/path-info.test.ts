import { describe, expect, it } from "vitest";
import {
  pathInfoFromJson,
  pathInfoToJson,
  realisationFingerprint,
  realisationFromJson,
  realisationToJson,
  type PathInfoJsonVersion,
  parseSignature,
  printSignature,
} from "./path-info.js";
import { prettyJson } from "./json.js";
import { haveStoreData, readData, readJson } from "./test-support/data.js";
import {
  derivedPathFromJson,
  derivedPathToJson,
  singleDerivedPathFromJson,
  singleDerivedPathToJson,
} from "./derived-path.js";
import { listData } from "./test-support/data.js";

describe.runIf(haveStoreData)("path-info and nar-info JSON", () => {
  const cases: [string, PathInfoJsonVersion, boolean][] = [];
  for (const kind of ["path-info", "nar-info"])
    for (const v of [1, 2, 3] as const)
      for (const f of listData(`${kind}/json-${v}`, ".json"))
        if (!f.includes("noversion")) cases.push([`${kind}/json-${v}/${f}`, v, f.includes("impure")]);

  it("finds the data", () => expect(cases.length).toBe(18));

  it.each(cases)("%s round-trips", (file, version, includeImpure) => {
    const text = readData(file);
    const info = pathInfoFromJson(JSON.parse(text));
    expect(prettyJson(pathInfoToJson(info, { version, includeImpure })) + "\n").toBe(text);
  });

  it("reads unversioned JSON as version 1", () => {
    for (const kind of ["path-info", "nar-info"])
      expect(pathInfoFromJson(readJson(`${kind}/json-1/pure_noversion.json`))).toEqual(
        pathInfoFromJson(readJson(`${kind}/json-1/pure.json`)),
      );
  });

  it("agrees across versions", () => {
    const v1 = pathInfoFromJson(readJson("path-info/json-1/impure.json"));
    const v3 = pathInfoFromJson(readJson("path-info/json-3/impure.json"));
    expect(v3.narHash).toEqual(v1.narHash);
    expect(v3.references).toEqual(v1.references);
    expect(v3.signatures).toEqual(v1.signatures);
  });
});

describe.runIf(haveStoreData)("realisations", () => {
  it.each(["simple", "with-signature"])("%s.json round-trips and fingerprints as Nix", (stem) => {
    const text = readData(`realisation/${stem}.json`);
    const r = realisationFromJson(JSON.parse(text));
    expect(prettyJson(realisationToJson(r)) + "\n").toBe(text);
    expect(realisationFingerprint(r)).toBe(readData(`realisation/${stem}-fingerprint.txt`));
  });

  it.each(["simple", "with-signature"])("%s-sig.json is a signature of the fingerprint", (stem) => {
    const sig = readJson(`realisation/${stem}-sig.json`) as { keyName: string; sig: string };
    expect(printSignature(sig)).toBe(`test-key:${sig.sig}`);
    expect(parseSignature(printSignature(sig))).toEqual(sig);
    expect(atob(sig.sig)).toHaveLength(64); // ed25519
  });

  it("reads string signatures", () => {
    expect(realisationFromJson(readJson("realisation/with-signature-unstructured.json"))).toEqual(
      realisationFromJson(readJson("realisation/with-signature.json")),
    );
  });
});

describe.runIf(haveStoreData)("derived paths", () => {
  const files = listData("derived-path", ".json");
  it.each(files)("derived-path/%s round-trips", (f) => {
    const text = readData(`derived-path/${f}`);
    const json = JSON.parse(text);
    const single = f.startsWith("single_");
    const back = single
      ? singleDerivedPathToJson(singleDerivedPathFromJson(json))
      : derivedPathToJson(derivedPathFromJson(json));
    expect(prettyJson(back) + "\n").toBe(text);
  });

  it("understands the wildcard", () => {
    const p = derivedPathFromJson(readJson("derived-path/multi_built_built_wildcard.json"));
    expect(p.kind === "built" && p.outputs).toBe("*");
  });
});
