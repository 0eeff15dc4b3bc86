import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type NarEvent, parseNarStream } from "./nar-stream.js";
import { type NarNode, narBytes, narDirectory, narRegular, narSymlink, parseNar } from "./nar.js";

/** Rebuild a tree from events, to compare with the whole-buffer parser. */
async function collect(chunks: Iterable<Uint8Array>): Promise<NarNode> {
  const nodes = new Map<string, NarNode>();
  const files = new Map<string, { executable: boolean; parts: Uint8Array[] }>();
  const order: string[] = [];
  for await (const e of parseNarStream(chunks) as AsyncGenerator<NarEvent>) {
    if (e.type === "contents") files.get(e.path)!.parts.push(e.chunk.slice());
    else {
      order.push(e.path);
      if (e.type === "file") files.set(e.path, { executable: e.executable, parts: [] });
      else nodes.set(e.path, e.type === "symlink" ? narSymlink(e.target) : narDirectory());
    }
  }
  const build = (path: string): NarNode => {
    const f = files.get(path);
    if (f) {
      const n = f.parts.reduce((a, p) => a + p.length, 0);
      const c = new Uint8Array(n);
      let o = 0;
      for (const p of f.parts) {
        c.set(p, o);
        o += p.length;
      }
      return narRegular(c, f.executable);
    }
    const node = nodes.get(path)!;
    if (node.type !== "directory") return node;
    const prefix = path === "" ? "" : path + "/";
    const children = order.filter(
      (p) => p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes("/"),
    );
    return narDirectory(children.map((c) => [c.slice(prefix.length), build(c)] as [string, NarNode]));
  };
  return build("");
}

function split(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; o < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(bytes.subarray(o, o + n));
    o += n;
  }
  return out;
}

describe("streaming NAR parser", () => {
  const tree = narDirectory({
    bin: narDirectory({ x: narRegular("#!/bin/sh\necho hello world\n", true) }),
    empty: narRegular(""),
    link: narSymlink("bin/x"),
    big: narRegular(new Uint8Array(100_000).fill(7)),
  });

  it("agrees with parseNar however the input is chunked", async () => {
    const bytes = narBytes(tree);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        async (sizes) => {
          expect(await collect(split(bytes, sizes))).toEqual(parseNar(bytes));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("reports the same errors", async () => {
    const drain = async (chunks: Uint8Array[]): Promise<void> => {
      for await (const _ of parseNarStream(chunks)) void _;
    };
    const bytes = narBytes(tree);
    await expect(drain([bytes.subarray(0, 100)])).rejects.toThrow(/unexpected end of NAR/);
    await expect(drain([new TextEncoder().encode("garbage!")])).rejects.toThrow(
      /doesn't look like a Nix archive/,
    );
    await expect(drain([bytes, new Uint8Array(8)])).rejects.toThrow(/trailing data/);
  });
});
