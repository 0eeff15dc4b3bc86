import { describe, expect, it } from "vitest";
import {
  contentAddressFromJson,
  contentAddressToJson,
  makeFixedOutputPath,
  makeFixedOutputPathFromCA,
  parseContentAddress,
  parseMethodAlgo,
  printContentAddress,
  printMethodAlgo,
} from "./content-address.js";
import { hashString, parseHash, printHash } from "./hash.js";
import { prettyJson } from "./json.js";
import { haveStoreData, readData } from "./test-support/data.js";

describe("content addresses", () => {
  const h = parseHash("sha256-iUUXyRY8iW7DGirb0zwGgf1fRbLA7wimTJKgP7l/OQ8=");

  it("prints and parses every method like Nix", () => {
    const nix32 = printHash(h, "nix32");
    const cases: [string, Parameters<typeof printContentAddress>[0]][] = [
      [`text:sha256:${nix32}`, { method: "text", hash: h }],
      [`fixed:r:sha256:${nix32}`, { method: "nar", hash: h }],
      [`fixed:sha256:${nix32}`, { method: "flat", hash: h }],
      [`fixed:git:sha256:${nix32}`, { method: "git", hash: h }],
    ];
    for (const [s, ca] of cases) {
      expect(printContentAddress(ca)).toBe(s);
      expect(parseContentAddress(s)).toEqual(ca);
    }
    // digests in base16 are accepted too
    expect(parseContentAddress(`fixed:r:sha256:${printHash(h, "base16")}`)).toEqual({
      method: "nar",
      hash: h,
    });
  });

  it("rejects bad content addresses with Nix's messages", () => {
    expect(() => parseContentAddress("foo:sha256:x")).toThrow(/prefix 'foo' is unrecognized/);
    expect(() => parseContentAddress("nocolon")).toThrow(/not a content address/);
    expect(() => parseContentAddress(`text:sha1:${printHash(hashString("sha1", ""), "nix32")}`)).toThrow(
      /text content address hash should use sha256/,
    );
    expect(() => parseContentAddress("fixed:r:sha256:short")).toThrow(/wrong length/);
  });

  it("splits ATerm method/algo fields", () => {
    expect(parseMethodAlgo("r:sha256")).toEqual({ method: "nar", algo: "sha256" });
    expect(parseMethodAlgo("text:sha256")).toEqual({ method: "text", algo: "sha256" });
    expect(parseMethodAlgo("sha1")).toEqual({ method: "flat", algo: "sha1" });
    expect(printMethodAlgo("git", "sha1")).toBe("git:sha1");
    expect(() => parseMethodAlgo("r:foo")).toThrow(/unknown hash algorithm/);
  });

  it("refuses references for non-source fixed outputs", () => {
    expect(() => makeFixedOutputPath("x", "flat", h, ["c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-dep"])).toThrow(
      /is not allowed to refer to other store paths/,
    );
    const withRef = makeFixedOutputPath("x", "nar", h, ["c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-dep"]);
    expect(withRef).not.toEqual(makeFixedOutputPath("x", "nar", h));
    expect(makeFixedOutputPathFromCA("x", { method: "nar", hash: h }, [], true)).not.toEqual(
      makeFixedOutputPath("x", "nar", h),
    );
  });

  it("computes the fixed-output path from the hash-modulo data", () => {
    expect(makeFixedOutputPath("source", "nar", h).baseName).toBe("i00sflxqsj37lfmf95m8mn0grv615hpj-source");
  });
});

describe.runIf(haveStoreData)("content-address JSON conformance", () => {
  it.each(["nar", "text"])("content-address/%s.json round-trips", (f) => {
    const text = readData(`content-address/${f}.json`);
    const ca = contentAddressFromJson(JSON.parse(text));
    expect(ca.method).toBe(f);
    expect(prettyJson(contentAddressToJson(ca)) + "\n").toBe(text);
    expect(parseContentAddress(printContentAddress(ca))).toEqual(ca);
  });
});
