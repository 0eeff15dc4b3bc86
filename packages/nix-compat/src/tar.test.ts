import { describe, expect, test } from "vitest";
import { narHash } from "./nar.js";
import { printHash } from "./hash.js";
import { parseTar, tarballRoot } from "./tar.js";
import { GOLDEN_PKG, writeTar } from "./test-support/tar-writer.js";
import type { NarNode } from "./nar.js";

const text = (n: NarNode | undefined) =>
  n !== undefined && n.type === "regular" ? new TextDecoder().decode(n.contents) : undefined;
const child = (n: NarNode, ...path: string[]): NarNode | undefined => {
  let cur: NarNode | undefined = n;
  for (const p of path) cur = cur?.type === "directory" ? cur.entries.get(p) : undefined;
  return cur;
};

describe("parseTar / tarballRoot", () => {
  test("the golden package unpacks to the tree Nix 2.8 hashed (sha256-C/k6…)", () => {
    const t = parseTar(writeTar(GOLDEN_PKG));
    const root = tarballRoot(t);
    expect(printHash(narHash(root).hash, "sri")).toBe("sha256-C/k6oW9v8ljHUYstWLBUQK5jKEHKldyE6tayxPyBqoY=");
    expect(t.lastModified).toBe(1_795_311_616);
    const run = child(root, "run.sh");
    expect(run?.type === "regular" && run.executable).toBe(true);
    expect(child(root, "link")).toEqual({ type: "symlink", target: "a.txt" });
  });

  test("several top-level entries stay under the root; a single directory becomes the root", () => {
    const two = tarballRoot(
      parseTar(
        writeTar([
          { name: "a", type: "file", contents: "1" },
          { name: "b/c", type: "file", contents: "2" },
        ]),
      ),
    );
    expect(text(child(two, "a"))).toBe("1");
    expect(text(child(two, "b", "c"))).toBe("2");
    const one = tarballRoot(parseTar(writeTar([{ name: "./only/x", type: "file", contents: "x" }])));
    expect(text(child(one, "x"))).toBe("x");
  });

  test("a single top-level file is not unwrapped; empty directories are dropped", () => {
    const file = tarballRoot(parseTar(writeTar([{ name: "f", type: "file", contents: "f" }])));
    expect(file.type).toBe("directory");
    expect(text(child(file, "f"))).toBe("f");
    const withEmpty = tarballRoot(
      parseTar(
        writeTar([
          { name: "d/", type: "dir" },
          { name: "d/e/", type: "dir" },
          { name: "d/f", type: "file", contents: "f" },
        ]),
      ),
    );
    expect(child(withEmpty, "e")).toBeUndefined();
    expect(text(child(withEmpty, "f"))).toBe("f");
  });

  test("pax paths and mtimes, GNU long names and hard links", () => {
    const long = "d/" + "x".repeat(150);
    const t = parseTar(
      writeTar([
        { name: "ignored", type: "pax", records: { path: "d/pax-name", mtime: "1800000000.5" } },
        { name: "short", type: "file", contents: "pax" },
        { name: "ignored", type: "gnu-longname", longName: long },
        { name: "trunc", type: "file", contents: "long" },
        { name: "d/hard", type: "hardlink", target: "d/pax-name" },
      ]),
    );
    const d = t.root.entries.get("d")!;
    expect(text(child(d, "pax-name"))).toBe("pax");
    expect(text(child(d, "x".repeat(150)))).toBe("long");
    expect(text(child(d, "hard"))).toBe("pax");
    expect(t.lastModified).toBe(1_800_000_000);
  });

  test("bad input is a clear error", () => {
    const bytes = writeTar([{ name: "a", type: "file", contents: "1" }]);
    bytes[10] = 0x41; // breaks the checksum
    expect(() => parseTar(bytes)).toThrow(/bad header checksum/);
    expect(() => parseTar(writeTar([{ name: "../evil", type: "file", contents: "" }]))).toThrow(
      /leaves the archive/,
    );
    const ok = writeTar([{ name: "a", type: "file", contents: "1".repeat(600) }]);
    expect(() => parseTar(ok.subarray(0, 700))).toThrow(/truncated/);
  });
});
