import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  compressHash,
  hashBytes,
  hashSink,
  hashString,
  parseHash,
  parseHashPrefixed,
  parseHashUnprefixed,
  parseSriHash,
  printHash,
  HASH_ALGOS,
  type HashAlgo,
  parseHashFormat,
  parseHashAllowEmpty,
} from "./hash.js";
import { base16Encode, utf8Encode } from "./encoding.js";
import { NixFormatError } from "./errors.js";
import { LANG_SUITE } from "../../../test/shared-data.js";

const LANG = LANG_SUITE;

const ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

describe("hashes", () => {
  it("computes md5/sha1/sha256/sha512 of 'abc' (values from nix-hash 2.8)", () => {
    expect(printHash(hashString("md5", "abc"), "base16")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(printHash(hashString("sha1", "abc"), "nix32")).toBe("kpcd173cq987hw957sx6m0868wv3x6d9");
    expect(printHash(hashString("sha256", "abc"), "base16")).toBe(ABC_SHA256);
    expect(printHash(hashString("sha512", "abc"), "nix32")).toBe(
      "2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84hawjbk876blyk1jfhkbbyx",
    );
  });

  it("prints every format, with and without the algorithm", () => {
    const h = hashString("sha256", "abc");
    expect(printHash(h, "base16", true)).toBe(`sha256:${ABC_SHA256}`);
    expect(printHash(h, "nix32", true)).toBe("sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s");
    expect(printHash(h, "base64")).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    expect(printHash(h, "sri")).toBe("sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  });

  it("parses every form Nix accepts and they agree", () => {
    const h = hashString("sha256", "abc");
    const forms = [
      `sha256:${ABC_SHA256}`,
      "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
      "sha256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
      "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
    ];
    for (const f of forms) {
      expect(parseHashPrefixed(f)).toEqual(h);
      expect(parseHash(f, "sha256")).toEqual(h);
    }
    expect(parseHash(ABC_SHA256, "sha256")).toEqual(h);
    expect(parseHashUnprefixed("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", "sha256")).toEqual(h);
    expect(parseSriHash("sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")).toEqual(h);
  });

  it("round-trips all algorithms through all formats", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HASH_ALGOS), fc.string(), (algo, s) => {
        const h = hashString(algo, s);
        for (const fmt of ["base16", "nix32", "base64"] as const) {
          expect(parseHash(printHash(h, fmt, true))).toEqual(h);
          expect(parseHashUnprefixed(printHash(h, fmt), algo)).toEqual(h);
        }
        expect(parseHash(printHash(h, "sri"))).toEqual(h);
      }),
      { numRuns: 50 },
    );
  });

  it("gives Nix's errors for bad hashes", () => {
    expect(() => parseHash("sha256:abc")).toThrow(
      "hash 'sha256:abc' has wrong length for hash algorithm 'sha256'",
    );
    expect(() => parseHash("foo:abc")).toThrow(/unknown hash algorithm 'foo'/);
    expect(() => parseHash(ABC_SHA256)).toThrow(/does not include a type/);
    expect(() => parseHash(`md5:${ABC_SHA256}`, "sha256")).toThrow(/should have type 'sha256'/);
    expect(() => parseHashPrefixed(ABC_SHA256)).toThrow(NixFormatError);
    expect(() => parseSriHash("sha256-ungW")).toThrow(/invalid SRI hash/);
    expect(() => parseHash(`sha256:${"g".repeat(64)}`)).toThrow(/base-16/);
  });

  it("streams like one-shot hashing", () => {
    const sink = hashSink("sha256");
    sink.update("a").update(utf8Encode("bc"));
    expect(sink.finish()).toEqual(hashBytes("sha256", utf8Encode("abc")));
  });

  it("compressHash XOR-folds like Nix", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const c = compressHash(bytes, 20);
    expect(c.length).toBe(20);
    expect(c[0]).toBe(0 ^ 20);
    expect(c[11]).toBe(11 ^ 31);
    expect(c[12]).toBe(12);
    expect(base16Encode(compressHash(Uint8Array.of(1, 2, 3), 2))).toBe("0202");
  });
});

describe.runIf(existsSync(LANG))("agrees with the language tests' convertHash results", () => {
  const algos = [
    "md5",
    "md5",
    "md5",
    "sha1",
    "sha1",
    "sha1",
    "sha256",
    "sha256",
    "sha256",
    "sha512",
    "sha512",
    "sha512",
  ];
  const exp = readFileSync(`${LANG}/eval-okay-convertHash.exp`, "utf8");
  const list = (key: string): string[] => {
    const m = new RegExp(`${key} = \\[ ([^\\]]*) \\]`).exec(exp);
    return [...m![1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
  };
  const formats = {
    hashesBase16: "base16",
    hashesNix32: "nix32",
    hashesBase32: "base32",
    hashesBase64: "base64",
    hashesSRI: "sri",
  };

  it.each(Object.entries(formats))("%s", (key, formatName) => {
    const { format, deprecatedAlias } = parseHashFormat(formatName);
    expect(deprecatedAlias).toBe(formatName === "base32");
    const expected = list(key);
    expect(expected).toHaveLength(12);
    for (const [fromKey] of Object.entries(formats)) {
      list(fromKey).forEach((input, i) => {
        const algo = algos[i] as HashAlgo;
        const h = fromKey === "hashesSRI" ? parseHash(input) : parseHash(input, algo);
        expect(printHash(h, format)).toBe(expected[i]);
        if (fromKey !== "hashesSRI") expect(parseHash(`${algo}:${input}`)).toEqual(h);
      });
    }
  });

  it("rejects unknown formats", () => {
    expect(() => parseHashFormat("hex")).toThrow(
      "unknown hash format 'hex', expect 'base16', 'base32', 'base64', or 'sri'",
    );
  });
});

describe("empty hashes", () => {
  it("become all-zero hashes with Nix's warning", () => {
    const { hash, warning } = parseHashAllowEmpty("", "sha256");
    expect(hash.bytes).toEqual(new Uint8Array(32));
    expect(warning).toBe("found empty hash, assuming 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='");
    expect(() => parseHashAllowEmpty("")).toThrow("empty hash requires explicit hash algorithm");
    expect(parseHashAllowEmpty(ABC_SHA256, "sha256").warning).toBeUndefined();
  });
});
