import {
  checkNarEntryName,
  compareUtf8,
  type Hash,
  type HashAlgo,
  hashSink,
  NarEncoder,
  type NarNode,
  sortedEntryNames,
} from "@tsnix/nix-compat";
import { type PathFilter, type SourceAccessor, storeError } from "./store.js";

/**
 * Events of a depth-first walk over a file tree, in NAR order (entries sorted by UTF-8 bytes).
 * Several consumers (NAR hasher, disk writer, tree builder) can listen to one walk through `teeVisitor`.
 */
export interface TreeVisitor {
  regular(executable: boolean, contents: Uint8Array): void;
  symlink(target: string): void;
  directoryStart(): void;
  entryStart(name: string): void;
  entryEnd(): void;
  directoryEnd(): void;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * Walk `path` through `accessor` (Nix's `dumpPath`): `filter` sees every path below the root, with its
 * type, and may drop it. Sockets and other special files are an error, as in Nix.
 */
export function visitAccessor(
  accessor: SourceAccessor,
  path: string,
  visitor: TreeVisitor,
  filter?: PathFilter,
): void {
  const st = accessor.lstat(path);
  if (!st) storeError(`getting status of '${path}': No such file or directory`);
  switch (st.type) {
    case "regular":
      visitor.regular(st.executable, accessor.readFile(path));
      return;
    case "symlink":
      visitor.symlink(accessor.readLink(path));
      return;
    case "directory": {
      visitor.directoryStart();
      const names = accessor.readDirectory(path).sort(compareUtf8);
      for (const name of names) {
        checkNarEntryName(name);
        const child = joinPath(path, name);
        if (filter) {
          const cst = accessor.lstat(child);
          if (!filter(child, cst ? cst.type : "unknown")) continue;
        }
        visitor.entryStart(name);
        visitAccessor(accessor, child, visitor, filter);
        visitor.entryEnd();
      }
      visitor.directoryEnd();
      return;
    }
    default:
      storeError(`file '${path}' has an unsupported type`);
  }
}

export function visitTree(node: NarNode, visitor: TreeVisitor): void {
  switch (node.type) {
    case "regular":
      visitor.regular(node.executable, node.contents);
      return;
    case "symlink":
      visitor.symlink(node.target);
      return;
    case "directory":
      visitor.directoryStart();
      for (const name of sortedEntryNames(node.entries)) {
        visitor.entryStart(name);
        visitTree(node.entries.get(name)!, visitor);
        visitor.entryEnd();
      }
      visitor.directoryEnd();
      return;
  }
}

export function teeVisitor(visitors: readonly TreeVisitor[]): TreeVisitor {
  return {
    regular: (e, c) => visitors.forEach((v) => v.regular(e, c)),
    symlink: (t) => visitors.forEach((v) => v.symlink(t)),
    directoryStart: () => visitors.forEach((v) => v.directoryStart()),
    entryStart: (n) => visitors.forEach((v) => v.entryStart(n)),
    entryEnd: () => visitors.forEach((v) => v.entryEnd()),
    directoryEnd: () => visitors.forEach((v) => v.directoryEnd()),
  };
}

/** Feeds the NAR serialisation of the walk to `out`, chunk by chunk. */
export function narVisitor(out: (chunk: Uint8Array) => void): TreeVisitor {
  return {
    regular(executable, contents) {
      out(NarEncoder.regularStart(executable, contents.length));
      if (contents.length > 0) out(contents);
      out(NarEncoder.regularEnd(contents.length));
    },
    symlink: (target) => out(NarEncoder.symlink(target)),
    directoryStart: () => out(NarEncoder.directoryStart()),
    entryStart: (name) => out(NarEncoder.entryStart(name)),
    entryEnd: () => out(NarEncoder.entryEnd()),
    directoryEnd: () => out(NarEncoder.directoryEnd()),
  };
}

/** Computes the NAR hash and size of a walk; call `finish` after it. */
export function narHashVisitor(
  algo: HashAlgo = "sha256",
): TreeVisitor & { finish(): { hash: Hash; size: number } } {
  const sink = hashSink(algo);
  let size = 0;
  const feed = (chunk: Uint8Array): void => {
    sink.update(chunk);
    size += chunk.length;
  };
  feed(NarEncoder.header());
  return { ...narVisitor(feed), finish: () => ({ hash: sink.finish(), size }) };
}

/** Collects the NAR bytes of a walk. */
export function narBytesVisitor(): TreeVisitor & { finish(): Uint8Array } {
  const chunks: Uint8Array[] = [NarEncoder.header()];
  let size = chunks[0]!.length;
  return {
    ...narVisitor((c) => {
      chunks.push(c);
      size += c.length;
    }),
    finish() {
      const out = new Uint8Array(size);
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    },
  };
}

/** Builds an in-memory tree from a walk (file contents are shared, not copied). */
export function treeBuilderVisitor(): TreeVisitor & { finish(): NarNode } {
  let root: NarNode | undefined;
  const dirs: Map<string, NarNode>[] = [];
  const names: string[] = [];
  const place = (node: NarNode): void => {
    if (dirs.length === 0) root = node;
    else dirs[dirs.length - 1]!.set(names[names.length - 1]!, node);
  };
  return {
    regular: (executable, contents) => place({ type: "regular", executable, contents }),
    symlink: (target) => place({ type: "symlink", target }),
    directoryStart() {
      const entries = new Map<string, NarNode>();
      place({ type: "directory", entries });
      dirs.push(entries);
    },
    entryStart: (name) => void names.push(name),
    entryEnd: () => void names.pop(),
    directoryEnd: () => void dirs.pop(),
    finish() {
      if (!root) storeError("internal error: empty tree walk");
      return root;
    },
  };
}
