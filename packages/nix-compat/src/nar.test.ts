import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type NarNode,
  NarEncoder,
  narBytes,
  narChunks,
  narDirectory,
  narHash,
  narRegular,
  narSymlink,
  parseNar,
} from "./nar.js";
import { base16Encode, utf8Encode } from "./encoding.js";
import { printHash } from "./hash.js";
import { NixFormatError } from "./errors.js";

/** The NAR of a regular file "abc", spelled out field by field. */
function str(s: string): string {
  const b = utf8Encode(s);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(b.length), true);
  const pad = (8 - (b.length % 8)) % 8;
  return base16Encode(len) + base16Encode(b) + "00".repeat(pad);
}

const treeArb: fc.Arbitrary<NarNode> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({
      type: fc.constant("regular" as const),
      executable: fc.boolean(),
      contents: fc.uint8Array({ maxLength: 20 }),
    }),
    fc.record({ type: fc.constant("symlink" as const), target: fc.string({ minLength: 1, maxLength: 10 }) }),
    fc
      .dictionary(
        fc.string({ minLength: 1, maxLength: 6 }).filter((n) => n !== "." && n !== ".." && !/[/\0]/.test(n)),
        tie("node") as fc.Arbitrary<NarNode>,
        { maxKeys: 4 },
      )
      .map((d) => narDirectory(d)),
  ),
})).node as fc.Arbitrary<NarNode>;

describe("NAR", () => {
  it("serialises a regular file exactly as Nix", () => {
    const expected = ["nix-archive-1", "(", "type", "regular", "contents", "abc", ")"].map(str).join("");
    expect(base16Encode(narBytes(narRegular("abc")))).toBe(expected);
  });

  it("marks executables and pads contents to 8 bytes", () => {
    const expected = ["nix-archive-1", "(", "type", "regular", "executable", "", "contents", "12345678x", ")"]
      .map(str)
      .join("");
    expect(base16Encode(narBytes(narRegular("12345678x", true)))).toBe(expected);
  });

  it("sorts directory entries by bytes and nests nodes", () => {
    const dir = narDirectory({ b: narSymlink("t"), a: narRegular(""), Z: narDirectory() });
    const entry = (name: string, ...node: string[]): string[] => [
      "entry",
      "(",
      "name",
      name,
      "node",
      ...node,
      ")",
    ];
    const expected = [
      "nix-archive-1",
      "(",
      "type",
      "directory",
      ...entry("Z", "(", "type", "directory", ")"),
      ...entry("a", "(", "type", "regular", "contents", "", ")"),
      ...entry("b", "(", "type", "symlink", "target", "t", ")"),
      ")",
    ]
      .map(str)
      .join("");
    expect(base16Encode(narBytes(dir))).toBe(expected);
  });

  it("round-trips arbitrary trees, and chunks concatenate to the whole", () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const bytes = narBytes(tree);
        expect(bytes.length % 8).toBe(0);
        expect(narBytes(parseNar(bytes))).toEqual(bytes);
        const chunks = [...narChunks(tree)];
        expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(bytes.length);
        expect(narHash(tree).size).toBe(bytes.length);
      }),
      { numRuns: 200 },
    );
  });

  it("lets a writer stream file contents itself", () => {
    const parts = [
      NarEncoder.header(),
      NarEncoder.regularStart(true, 3),
      utf8Encode("abc"),
      NarEncoder.regularEnd(3),
    ];
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(joined).toEqual(narBytes(narRegular("abc", true)));
  });

  it("rejects malformed NARs", () => {
    const good = narBytes(narDirectory({ a: narRegular("x"), b: narRegular("y") }));
    expect(() => parseNar(utf8Encode("not a nar at all"))).toThrow("input doesn't look like a Nix archive");
    expect(() => parseNar(good.subarray(0, good.length - 8))).toThrow(/unexpected end of NAR/);
    const trailing = new Uint8Array(good.length + 8);
    trailing.set(good);
    expect(() => parseNar(trailing)).toThrow(/trailing data/);
    const unsorted = narBytes(narDirectory({ a: narRegular("x") }));
    // rename entry "a" to "." — invalid name
    const dot = unsorted.slice();
    const i = base16Encode(dot).indexOf(str("name") + str("a")) / 2 + 16 + 8;
    dot[i] = ".".charCodeAt(0);
    expect(() => parseNar(dot)).toThrow(/invalid file name '.'/);
    const padded = narBytes(narRegular("abc")).slice();
    padded[padded.length - 16 - 1] = 1; // a padding byte after "abc"
    expect(() => parseNar(padded)).toThrow(NixFormatError);
  });

  it("rejects unsorted directories", () => {
    const entry = (name: string): string[] => [
      "entry",
      "(",
      "name",
      name,
      "node",
      "(",
      "type",
      "regular",
      "contents",
      "",
      ")",
      ")",
    ];
    const hex = ["nix-archive-1", "(", "type", "directory", ...entry("b"), ...entry("a"), ")"]
      .map(str)
      .join("");
    const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    expect(() => parseNar(bytes)).toThrow("NAR directory is not sorted");
  });

  it("hashes like nix-hash on an empty regular file", () => {
    // `nix-hash --type sha256 --base32` of an empty file (Nix 2.8)
    expect(printHash(narHash(narRegular("")).hash, "nix32")).toBe(
      "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p",
    );
  });
});
