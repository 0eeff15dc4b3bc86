import type { NarNode } from "@tsnix/nix-compat";
import { type FileStat, type SourceAccessor, storeError } from "./store.js";

/** An in-memory file tree: nix-compat's NAR tree (regular files, symlinks, directories). */
export type FileTree = NarNode;

/** Split an absolute `/`-separated path into its components, dropping empty ones and `.`. */
export function pathComponents(path: string): string[] {
  const out: string[] = [];
  for (const c of path.split("/")) if (c !== "" && c !== ".") out.push(c);
  return out;
}

/** The node at `path` (absolute, relative to the tree's root `/`); symlinks are not followed. */
export function lookupTree(tree: FileTree, path: string): FileTree | undefined {
  let node: FileTree | undefined = tree;
  for (const c of pathComponents(path)) {
    if (node.type !== "directory") return undefined;
    node = node.entries.get(c);
    if (!node) return undefined;
  }
  return node;
}

export function treeStat(node: FileTree): FileStat {
  return node.type === "regular"
    ? { type: "regular", size: node.contents.length, executable: node.executable }
    : { type: node.type, size: 0, executable: false };
}

/** A SourceAccessor over a tree whose root is `/`. */
export function treeAccessor(tree: FileTree): SourceAccessor {
  const get = (path: string): FileTree => {
    const node = lookupTree(tree, path);
    if (!node) storeError(`path '${path}' does not exist`);
    return node;
  };
  return {
    lstat: (path) => {
      const node = lookupTree(tree, path);
      return node ? treeStat(node) : undefined;
    },
    readFile: (path) => {
      const node = get(path);
      if (node.type !== "regular") storeError(`path '${path}' is not a regular file`);
      return node.contents;
    },
    readDirectory: (path) => {
      const node = get(path);
      if (node.type !== "directory") storeError(`path '${path}' is not a directory`);
      return [...node.entries.keys()];
    },
    readLink: (path) => {
      const node = get(path);
      if (node.type !== "symlink") storeError(`path '${path}' is not a symbolic link`);
      return node.target;
    },
  };
}
