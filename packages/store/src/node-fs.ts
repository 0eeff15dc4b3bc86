/**
 * The host file system side (Node only): reading a path as a SourceAccessor, writing a walk to disk with
 * Nix's canonical metadata, canonicalising builder outputs, removing read-only trees.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { type Hash, type NarNode } from "@tsnix/nix-compat";
import type { FileStat, PathFilter, SourceAccessor } from "./store.js";
import { storeError } from "./store.js";
import {
  narBytesVisitor,
  narHashVisitor,
  type TreeVisitor,
  treeBuilderVisitor,
  visitAccessor,
  visitTree as visitTreeNode,
} from "./walk.js";

/** Nix's `mtimeStore`: every file in the store has mtime 1 (the epoch + 1 second). */
export const STORE_MTIME = 1;
const READ_ONLY_FILE = 0o444;
const EXECUTABLE_FILE = 0o555;
const READ_ONLY_DIR = 0o555;

function statOf(st: fs.Stats): FileStat {
  if (st.isFile()) return { type: "regular", size: st.size, executable: (st.mode & 0o100) !== 0 };
  if (st.isDirectory()) return { type: "directory", size: 0, executable: false };
  if (st.isSymbolicLink()) return { type: "symlink", size: 0, executable: false };
  return { type: "unknown", size: 0, executable: false };
}

function fsError(e: unknown, what: string, path: string): never {
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === "ENOENT"
      ? "No such file or directory"
      : err.code === "EACCES"
        ? "Permission denied"
        : err.code === "ENOTDIR"
          ? "Not a directory"
          : (err.message ?? String(e));
  return storeError(`${what} '${path}': ${reason}`);
}

/**
 * The host file system as a SourceAccessor; `mapPath` turns the accessor's paths into host paths
 * (LocalStore maps logical store paths to physical ones).
 */
export function nodeFsAccessor(mapPath: (path: string) => string = (p) => p): SourceAccessor {
  return {
    lstat(path) {
      try {
        return statOf(fs.lstatSync(mapPath(path)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        return fsError(e, "getting status of", path);
      }
    },
    readFile(path) {
      try {
        return fs.readFileSync(mapPath(path));
      } catch (e) {
        return fsError(e, "opening file", path);
      }
    },
    readDirectory(path) {
      try {
        return fs.readdirSync(mapPath(path));
      } catch (e) {
        return fsError(e, "opening directory", path);
      }
    },
    readLink(path) {
      try {
        return fs.readlinkSync(mapPath(path));
      } catch (e) {
        return fsError(e, "reading symbolic link", path);
      }
    },
  };
}

/** The host file system, paths taken as they are. */
export const hostFs: SourceAccessor = nodeFsAccessor();

export interface DiskWriterOptions {
  /** fsync every file and directory before the walk ends (survives power loss, slower). */
  readonly fsync?: boolean;
}

/**
 * Writes a walk at `target` (which must not exist) with Nix's canonical metadata: files 0444 or 0555,
 * directories 0555, mtime 1 everywhere (symlinks included).
 */
export function diskWriterVisitor(target: string, options: DiskWriterOptions = {}): TreeVisitor {
  const stack: string[] = [];
  let current = target;
  const atime = Date.now() / 1000;
  const syncPath = (p: string): void => {
    if (!options.fsync) return;
    const fd = fs.openSync(p, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  return {
    regular(executable, contents) {
      const fd = fs.openSync(current, "wx", executable ? EXECUTABLE_FILE : READ_ONLY_FILE);
      try {
        let off = 0;
        while (off < contents.length) off += fs.writeSync(fd, contents, off, contents.length - off);
        if (options.fsync) fs.fsyncSync(fd);
        fs.futimesSync(fd, atime, STORE_MTIME);
      } finally {
        fs.closeSync(fd);
      }
    },
    symlink(target) {
      fs.symlinkSync(target, current);
      fs.lutimesSync(current, atime, STORE_MTIME);
    },
    directoryStart() {
      fs.mkdirSync(current, { mode: 0o755 });
    },
    entryStart(name) {
      stack.push(current);
      current = nodePath.join(current, name);
    },
    entryEnd() {
      current = stack.pop()!;
    },
    directoryEnd() {
      syncPath(current);
      fs.utimesSync(current, atime, STORE_MTIME);
      fs.chmodSync(current, READ_ONLY_DIR);
    },
  };
}

/**
 * Nix's `canonicalisePathMetaData` for a tree a builder wrote: read-only, executable bit only where the
 * owner had it, mtime 1, no setuid/setgid/sticky bits. Hard links and ownership are left alone.
 */
export function canonicaliseMetadata(path: string): void {
  const st = fs.lstatSync(path);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(path)) canonicaliseMetadata(nodePath.join(path, name));
    if ((st.mode & 0o7777) !== READ_ONLY_DIR) fs.chmodSync(path, READ_ONLY_DIR);
  } else if (st.isFile()) {
    const mode = st.mode & 0o100 ? EXECUTABLE_FILE : READ_ONLY_FILE;
    if ((st.mode & 0o7777) !== mode) fs.chmodSync(path, mode);
  } else if (!st.isSymbolicLink()) {
    storeError(`file '${path}' has an unsupported type`);
  }
  if (st.mtimeMs !== STORE_MTIME * 1000) fs.lutimesSync(path, st.atime, STORE_MTIME);
}

/** Remove a tree that may be read-only (store contents). Missing paths are fine. */
export function removeTree(path: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    if ((st.mode & 0o700) !== 0o700) fs.chmodSync(path, 0o755);
    for (const name of fs.readdirSync(path)) removeTree(nodePath.join(path, name));
    fs.rmdirSync(path);
  } else {
    fs.unlinkSync(path);
  }
}

/** NAR hash (sha256 unless told) and size of a host path, as a builder needs for registration. */
export function hashPath(
  path: string,
  algo: Hash["algo"] = "sha256",
  filter?: PathFilter,
): { hash: Hash; size: number } {
  const v = narHashVisitor(algo);
  visitAccessor(hostFs, path, v, filter);
  return v.finish();
}

/** The NAR serialisation of a host path (Nix's `dumpPath`). */
export function dumpPath(path: string, filter?: PathFilter): Uint8Array {
  const v = narBytesVisitor();
  visitAccessor(hostFs, path, v, filter);
  return v.finish();
}

/** Read a host path into an in-memory tree. */
export function readTree(path: string, filter?: PathFilter): NarNode {
  const v = treeBuilderVisitor();
  visitAccessor(hostFs, path, v, filter);
  return v.finish();
}

/** Write a tree (or a NAR's tree) at `target`, which must not exist (Nix's `restorePath`). */
export function restoreTree(node: NarNode, target: string, options: DiskWriterOptions = {}): void {
  const v = diskWriterVisitor(target, options);
  visitTreeNode(node, v);
}
