import { describe, expect, it } from "vitest";
import {
  type NarSourceAsync,
  type NarSourceSync,
  narChunksFromSource,
  narChunksFromSourceAsync,
} from "./nar-source.js";
import { type NarNode, narBytes, narDirectory, narRegular, narSymlink } from "./nar.js";
import { utf8Encode } from "./encoding.js";

const tree = narDirectory({
  z: narRegular("zzz", true),
  a: narDirectory({ link: narSymlink("../z"), "b c": narRegular("") }),
  "0": narRegular("12345678abc"),
});

function lookup(path: string): NarNode {
  let node: NarNode = tree;
  for (const part of path.split("/").filter(Boolean)) {
    if (node.type !== "directory") throw new Error("not a dir");
    node = node.entries.get(part)!;
  }
  return node;
}

const syncSource: NarSourceSync = {
  stat(path) {
    const n = lookup(path);
    return n.type === "regular"
      ? { type: "regular", executable: n.executable, size: n.contents.length }
      : { type: n.type };
  },
  readDirectory: (path) =>
    [...(lookup(path) as Extract<NarNode, { type: "directory" }>).entries.keys()].reverse(),
  readLink: (path) => (lookup(path) as Extract<NarNode, { type: "symlink" }>).target,
  // hand out contents one byte at a time to exercise chunking
  readFile: (path) =>
    [...(lookup(path) as Extract<NarNode, { type: "regular" }>).contents].map((b) => Uint8Array.of(b)),
};

const concat = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
};

describe("NAR from a file source", () => {
  it("matches the in-memory serialisation (sync, chunked files, unsorted readdir)", () => {
    expect(concat([...narChunksFromSource(syncSource, "")])).toEqual(narBytes(tree));
  });

  it("matches the in-memory serialisation (async)", async () => {
    const asyncSource: NarSourceAsync = {
      stat: async (p) => syncSource.stat(p),
      readDirectory: async (p) => syncSource.readDirectory(p),
      readLink: async (p) => syncSource.readLink(p),
      readFile: async (p) => concat([...(syncSource.readFile(p) as Uint8Array[])]),
    };
    const chunks: Uint8Array[] = [];
    for await (const c of narChunksFromSourceAsync(asyncSource, "")) chunks.push(c);
    expect(concat(chunks)).toEqual(narBytes(tree));
  });

  it("notices a file whose size changed", () => {
    const liar: NarSourceSync = { ...syncSource, readFile: () => utf8Encode("too long for the stat") };
    expect(() => [...narChunksFromSource(liar, "z")]).toThrow(/changed size/);
  });
});
