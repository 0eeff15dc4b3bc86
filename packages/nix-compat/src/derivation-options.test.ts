import { describe, expect, it } from "vitest";
import { derivationFromJson } from "./derivation-json.js";
import { derivationOptions, derivationOptionsToJson } from "./derivation-options.js";
import { emptyDerivation } from "./derivation.js";
import { prettyJson } from "./json.js";
import { haveStoreData, readData, readJson } from "./test-support/data.js";

const CASES: [string, string][] = [
  ["ia/advanced-attributes-defaults", "ia/derivation-options/defaults"],
  ["ia/advanced-attributes-structured-attrs-defaults", "ia/derivation-options/structuredAttrs_defaults"],
  ["ia/advanced-attributes", "ia/derivation-options/all_set"],
  ["ia/advanced-attributes-structured-attrs", "ia/derivation-options/structuredAttrs_all_set"],
  ["ca/advanced-attributes", "ca/derivation-options/all_set"],
  ["ca/advanced-attributes-structured-attrs", "ca/derivation-options/structuredAttrs_all_set"],
  ...["export-ref-subpath", "export-ref-subpath-sa"].flatMap((s): [string, string][] => [
    [`try-resolve/${s}-before`, `try-resolve/${s}-before-options`],
    [`try-resolve/${s}-resolved`, `try-resolve/${s}-resolved-options`],
  ]),
];

describe.runIf(haveStoreData)(
  "derivation options (derivation/*/derivation-options, try-resolve/*-options)",
  () => {
    it.each(CASES)("%s gives %s", (drvFile, optionsFile) => {
      const drv = derivationFromJson(readJson(`derivation/${drvFile}.json`));
      expect(prettyJson(derivationOptionsToJson(derivationOptions(drv))) + "\n").toBe(
        readData(`derivation/${optionsFile}.json`),
      );
    });
  },
);

describe("derivation options errors", () => {
  it("rejects malformed exportReferencesGraph", () => {
    const d = emptyDerivation("x");
    d.env.set("exportReferencesGraph", "only-one-token");
    expect(() => derivationOptions(d)).toThrow(/odd number of tokens/);
    d.env.set("exportReferencesGraph", "1bad /nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo");
    expect(() => derivationOptions(d)).toThrow(/invalid file name '1bad'/);
  });
});
