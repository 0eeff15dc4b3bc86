import { describe, expect, it } from "vitest";
import {
  derivationFromJson,
  derivationOutputFromJson,
  derivationOutputToJson,
  derivationToJson,
} from "./derivation-json.js";
import { prettyJson } from "./json.js";
import { haveStoreData, listData, readData } from "./test-support/data.js";
import { printDerivation, parseDerivation } from "./aterm.js";
import { STRUCTURED_ATTRS_ENV } from "./derivation.js";
import { NixFormatError } from "./errors.js";

const DERIVATION_DIRS = [
  "derivation",
  "derivation/ca",
  "derivation/ia",
  "derivation/hash-modulo",
  "derivation/invariants",
];

describe.runIf(haveStoreData)("derivation JSON conformance", () => {
  const derivationFiles = DERIVATION_DIRS.flatMap((d) =>
    listData(d, ".json")
      .filter((f) => !f.startsWith("output-"))
      .map((f) => `${d}/${f}`),
  );
  const tryResolveFiles = listData("derivation/try-resolve", ".json")
    .filter((f) => /-(before|after|resolved)\.json$/.test(f))
    .map((f) => `derivation/try-resolve/${f}`);

  it("finds the data", () => {
    expect(derivationFiles.length).toBeGreaterThanOrEqual(25);
    expect(tryResolveFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each([...derivationFiles, ...tryResolveFiles])("%s round-trips byte for byte", (file) => {
    const text = readData(file);
    const json = JSON.parse(text);
    const drv = derivationFromJson(json);
    const basic = Array.isArray(json.inputs);
    expect(prettyJson(derivationToJson(drv, { basic })) + "\n").toBe(text);
    if (drv.env.has(STRUCTURED_ATTRS_ENV) && drv.structuredAttrs !== undefined) {
      // Only representable in JSON: Nix's ATerm printer refuses a `__json` env var beside structured attrs.
      expect(() => printDerivation(drv)).toThrow(NixFormatError);
      return;
    }
    // and through ATerm, which is where structured attrs become `__json`
    const viaATerm = parseDerivation(printDerivation(drv), drv.name);
    expect(prettyJson(derivationToJson(viaATerm, { basic })) + "\n").toBe(text);
    if (json.structuredAttrs) expect(drv.structuredAttrs).toMatch(/^\{"/);
  });

  it.each(listData("derivation", ".json").filter((f) => f.startsWith("output-")))(
    "%s output round-trips",
    (f) => {
      const text = readData(`derivation/${f}`);
      expect(prettyJson(derivationOutputToJson(derivationOutputFromJson(JSON.parse(text)))) + "\n").toBe(
        text,
      );
    },
  );

  it("decodes each output kind", () => {
    const kind = (f: string): string =>
      derivationOutputFromJson(JSON.parse(readData(`derivation/output-${f}.json`))).kind;
    expect(kind("inputAddressed")).toBe("inputAddressed");
    expect(kind("caFixedFlat")).toBe("caFixed");
    expect(kind("caFixedText")).toBe("caFixed");
    expect(kind("caFloating")).toBe("caFloating");
    expect(kind("deferred")).toBe("deferred");
    expect(kind("impure")).toBe("impure");
  });

  it("keeps dynamic-derivation inputs", () => {
    const drv = derivationFromJson(JSON.parse(readData("derivation/dyn-dep-derivation.json")));
    const node = drv.inputDrvs.get("c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-dep2.drv")!;
    expect([...node.dynamicOutputs.keys()]).toEqual(["cat", "goose"]);
    expect([...node.dynamicOutputs.get("goose")!.outputs]).toEqual(["gosling"]);
  });
});

describe("derivation JSON errors", () => {
  const base = {
    args: [],
    builder: "/bin/sh",
    env: {},
    inputs: { drvs: {}, srcs: [] },
    name: "x",
    outputs: { out: {} },
    system: "x86_64-linux",
    version: 4,
  };
  it("accepts the minimal form", () => expect(derivationFromJson(base).name).toBe("x"));
  it("rejects other versions with Nix's message", () => {
    expect(() => derivationFromJson({ ...base, version: 3 })).toThrow(
      "Unsupported derivation JSON format version 3, only format version 4 is currently supported.",
    );
  });
  it("rejects malformed outputs and env", () => {
    expect(() => derivationFromJson({ ...base, outputs: { out: { path: "x", hash: "y" } } })).toThrow(
      "invalid JSON for derivation output",
    );
    expect(() => derivationFromJson({ ...base, env: { a: 1 } })).toThrow(/env.a must be a string/);
    expect(() => derivationFromJson({ ...base, inputs: { drvs: {}, srcs: ["nope"] } })).toThrow(
      /not a valid store path/,
    );
  });
});
