// Shared by the tests (not exported from the package): fixture trees and helpers.
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { narDirectory, type NarNode, narRegular, narSymlink } from "@tsnix/nix-compat";
import { removeTree, restoreTree } from "./node-fs.js";

export const FIXTURES: Record<string, NarNode> = {
  "hello.txt": narRegular("hello\n"),
  "run.sh": narRegular("#!/bin/sh\necho hi\n", true),
  "empty-file": narRegular(""),
  "link-root": narSymlink("some/where"),
  tree: narDirectory({
    a: narRegular("a"),
    B: narRegular("capital sorts first"),
    bin: narDirectory({ x: narRegular("#!/bin/sh\nexit 0\n", true) }),
    empty: narRegular(""),
    emptydir: narDirectory(),
    link: narSymlink("a"),
    "abs-link": narSymlink("/nix/store/doesnotexist"),
    nested: narDirectory({ deeper: narDirectory({ file: narRegular("deep\n") }) }),
    "odd name=+?_.x": narRegular("odd"),
    "b-padding-7": narRegular("1234567"),
    "b-padding-8": narRegular("12345678"),
    "b-padding-9": narRegular("123456789"),
  }),
};

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "tsnix-store-"): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => removeTree(dir) };
}

/** Write a fixture at `<dir>/<name>` and return that path. */
export function materialise(dir: string, name: string, node: NarNode = FIXTURES[name]!): string {
  const p = nodePath.join(dir, name);
  restoreTree(node, p);
  return p;
}

export function hasCommand(cmd: string): boolean {
  for (const d of (process.env.PATH ?? "").split(":"))
    if (d && fs.existsSync(nodePath.join(d, cmd))) return true;
  return false;
}

/** Tree number `i`: 40 files of a few KiB, so that writing one takes a little while. */
export function bigTree(i: number): NarNode {
  const entries: Record<string, NarNode> = {};
  for (let f = 0; f < 40; f++)
    entries[`file-${f}`] = narRegular(`tree ${i} file ${f}\n`.repeat(200), f % 7 === 0);
  entries.sub = narDirectory({ leaf: narRegular(`leaf of ${i}\n`) });
  return narDirectory(entries);
}

/** The output the "build-once" racers build. */
export const BUILT_PATH = "/nix/store/00000000000000000000000000000000-racy-output";
