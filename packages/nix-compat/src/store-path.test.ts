import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  checkStorePathName,
  computeStorePathForText,
  makeOutputPath,
  makeStorePath,
  makeTextPath,
  outputPathName,
  parseStorePath,
  parseStorePathBaseName,
  printStorePath,
  splitStorePath,
  isStorePath,
} from "./store-path.js";
import { hashString } from "./hash.js";
import { haveStoreData, readJson } from "./test-support/data.js";

describe("store path names (Nix's checkName)", () => {
  it.each(["foo", "foo-1.2.3", "a+b=c?d_e", ".foo", "..foo", "-", "x".repeat(211)])("accepts %j", (n) => {
    expect(() => checkStorePathName(n)).not.toThrow();
  });
  it.each([
    ["", "name must not be empty"],
    ["x".repeat(212), "must be no longer than 211 characters"],
    [".", "is not valid"],
    ["..", "is not valid"],
    [".-foo", "first dash-separated component must not be '.'"],
    ["..-foo", "first dash-separated component must not be '..'"],
    ["foo bar", "contains illegal character ' '"],
    ["foo/bar", "contains illegal character '/'"],
    ["ü", "contains illegal character"],
  ])("rejects %j", (n, msg) => {
    expect(() => checkStorePathName(n)).toThrow(msg);
  });
});

describe("store paths", () => {
  const base = "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo.drv";

  it("parses and prints with a store dir", () => {
    const sp = parseStorePathBaseName(base);
    expect(sp.hashPart).toBe("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q");
    expect(sp.name).toBe("foo.drv");
    expect(sp.isDerivation()).toBe(true);
    expect(sp.derivationName).toBe("foo");
    expect(printStorePath(sp)).toBe(`/nix/store/${base}`);
    expect(printStorePath(sp, "/foo")).toBe(`/foo/${base}`);
    expect(parseStorePath(`/foo/${base}`, "/foo")).toEqual(sp);
  });

  it("rejects non-store paths", () => {
    expect(() => parseStorePath(`/nix/store/${base}/bin`)).toThrow(/not in the Nix store/);
    expect(() => parseStorePath(`/tmp/${base}`)).toThrow(/not in the Nix store/);
    expect(() => parseStorePathBaseName("e1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")).toThrow(
      /invalid character 'e'/,
    );
    expect(() => parseStorePathBaseName("short-foo")).toThrow(/not a valid store path/);
    expect(() => parseStorePathBaseName("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-")).toThrow(
      /name must not be empty/,
    );
    expect(isStorePath(`/nix/store/${base}`)).toBe(true);
    expect(isStorePath("/nix/store")).toBe(false);
  });

  it("splits paths below a store path", () => {
    const { storePath, rest } = splitStorePath(`/nix/store/${base}/bin/sh`);
    expect(storePath.baseName).toBe(base);
    expect(rest).toBe("/bin/sh");
  });

  it("names outputs like Nix", () => {
    expect(outputPathName("hello", "out")).toBe("hello");
    expect(outputPathName("hello", "dev")).toBe("hello-dev");
  });

  it("computes text paths with references in the fingerprint", () => {
    const h = hashString("sha256", "y");
    const a = makeTextPath("x", h);
    const b = makeTextPath("x", h, ["g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"]);
    expect(a).not.toEqual(b);
    expect(computeStorePathForText("x", "y")).toEqual(a);
    // references are a set: order and duplicates do not matter
    const refs = ["g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-b", "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-a"];
    expect(makeTextPath("x", h, refs)).toEqual(makeTextPath("x", h, [...refs].reverse().concat(refs)));
  });

  it("makeStorePath depends on every fingerprint part", () => {
    fc.assert(
      fc.property(fc.constantFrom("a", "b"), fc.constantFrom("/nix/store", "/x"), (type, dir) => {
        const p = makeStorePath(type, hashString("sha256", "c"), "n", dir);
        expect(p.hashPart).toMatch(/^[0-9a-df-np-sv-z]{32}$/);
        expect(makeStorePath(type, hashString("sha256", "c"), "n", dir)).toEqual(p);
        expect(makeStorePath(type + "x", hashString("sha256", "c"), "n", dir)).not.toEqual(p);
      }),
    );
    expect(makeOutputPath("dev", hashString("sha256", "x"), "foo").name).toBe("foo-dev");
  });
});

describe.runIf(haveStoreData)("store-path conformance", () => {
  it("store-path/simple.json parses", () => {
    const s = readJson("store-path/simple.json") as string;
    expect(parseStorePathBaseName(s).baseName).toBe(s);
  });
});
