import { afterEach, describe, expect, it } from "vitest";
import {
  HASH_ALGOS,
  hashBytes,
  hashSink,
  hashString,
  printHash,
  setHashImplementation,
} from "@tsnix/nix-compat";
import { installNativeHashing } from "./native-hashing.js";

describe("installNativeHashing", () => {
  afterEach(() => {
    for (const algo of HASH_ALGOS) setHashImplementation(algo, null);
  });

  it("gives the same digests as the built-in hashes, as plain Uint8Arrays", () => {
    const text = 'Derive([("out","","","")],[],[],"x86_64-linux","/bin/sh",[],[("é","\\n")])'.repeat(50);
    const before = HASH_ALGOS.map((a) => printHash(hashString(a, text), "base16"));
    installNativeHashing();
    const after = HASH_ALGOS.map((a) => printHash(hashString(a, text), "base16"));
    expect(after).toEqual(before);
    const h = hashBytes("sha256", new Uint8Array([1, 2, 3]));
    expect(Object.getPrototypeOf(h.bytes)).toBe(Uint8Array.prototype);
    expect(printHash(hashString("sha256", "abc"), "base16")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(printHash(hashSink("sha256").update("a").update("bc").finish(), "base16")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
