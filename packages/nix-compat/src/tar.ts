// Reading (uncompressed) tar archives into a NAR tree, as Nix's unpackTarfileToSink does for
// fetchTarball / fetchTree { type = "tarball"; }: regular files (executable when the owner may
// execute), directories, symbolic links and hard links; ustar prefixes, GNU long names and
// pax headers. Decompression is the caller's job (this package stays free of node: imports).
import { utf8Decode } from "./encoding.js";
import { formatError } from "./errors.js";
import type { NarDirectory, NarNode } from "./nar.js";

const BLOCK = 512;

export interface TarTree {
  /** The whole archive as one directory (Nix's "singleton directory" step is `tarballRoot`). */
  readonly root: NarDirectory;
  /** The newest entry modification time, in seconds since the epoch (0 for an empty archive). */
  readonly lastModified: number;
}

interface MutableDir {
  readonly type: "directory";
  readonly entries: Map<string, MutableNode>;
}
type MutableNode =
  | MutableDir
  | { readonly type: "regular"; executable: boolean; contents: Uint8Array }
  | { readonly type: "symlink"; target: string };

function cString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return utf8Decode(b.subarray(off, end));
}

/** A numeric header field: octal text, or GNU base-256 (high bit of the first byte set). */
function numberField(b: Uint8Array, off: number, len: number): number {
  if ((b[off]! & 0x80) !== 0) {
    let n = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i]!;
    return n;
  }
  const s = cString(b, off, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) formatError(`tar archive has a malformed number field '${s}'`);
  return parseInt(s, 8);
}

function isZeroBlock(b: Uint8Array, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function checksumOk(b: Uint8Array, off: number): boolean {
  const want = numberField(b, off + 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[off + i]!;
  return sum === want;
}

/** pax extended header records: "<len> <key>=<value>\n". */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(utf8Decode(data.subarray(i, sp)), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) break;
    const rec = utf8Decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf("=");
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Path components of an archive member, without "." and empty ones; ".." is refused. */
function components(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  for (const p of parts) if (p === "..") formatError(`tar archive member '${path}' leaves the archive`);
  return parts;
}

function dirAt(root: MutableDir, parts: readonly string[], path: string): MutableDir {
  let d = root;
  for (const p of parts) {
    let next = d.entries.get(p);
    if (next === undefined) {
      next = { type: "directory", entries: new Map() };
      d.entries.set(p, next);
    } else if (next.type !== "directory")
      formatError(`tar archive member '${path}' is below a non-directory`);
    d = next as MutableDir;
  }
  return d;
}

function lookup(root: MutableDir, parts: readonly string[]): MutableNode | undefined {
  let n: MutableNode = root;
  for (const p of parts) {
    if (n.type !== "directory") return undefined;
    const next: MutableNode | undefined = n.entries.get(p);
    if (next === undefined) return undefined;
    n = next;
  }
  return n;
}

/** Parse an uncompressed tar archive. Device files and FIFOs are skipped. */
export function parseTar(bytes: Uint8Array): TarTree {
  const root: MutableDir = { type: "directory", entries: new Map() };
  let lastModified = 0;
  let off = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax = new Map<string, string>();
  const globalPax = new Map<string, string>();
  while (off + BLOCK <= bytes.length) {
    if (isZeroBlock(bytes, off)) break;
    if (!checksumOk(bytes, off)) formatError(`tar archive has a bad header checksum at offset ${off}`);
    const header = off;
    const size = numberField(bytes, header + 124, 12);
    const typeflag = String.fromCharCode(bytes[header + 156]!);
    const dataStart = header + BLOCK;
    if (dataStart + size > bytes.length) formatError("tar archive is truncated");
    const data = bytes.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === "L") {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (typeflag === "K") {
      longLink = cString(data, 0, data.length);
      continue;
    }
    if (typeflag === "x") {
      pax = parsePax(data);
      continue;
    }
    if (typeflag === "g") {
      for (const [k, v] of parsePax(data)) globalPax.set(k, v);
      continue;
    }

    const magic = cString(bytes, header + 257, 6);
    let name = cString(bytes, header, 100);
    if (magic.startsWith("ustar")) {
      const prefix = cString(bytes, header + 345, 155);
      if (prefix !== "") name = prefix + "/" + name;
    }
    name = pax.get("path") ?? longName ?? globalPax.get("path") ?? name;
    const linkName = pax.get("linkpath") ?? longLink ?? cString(bytes, header + 157, 100);
    const mode = numberField(bytes, header + 100, 8);
    const paxMtime = pax.get("mtime") ?? globalPax.get("mtime");
    const mtime =
      paxMtime !== undefined ? Math.floor(Number(paxMtime)) : numberField(bytes, header + 136, 12);
    pax = new Map();
    longName = null;
    longLink = null;

    if (mtime > lastModified) lastModified = mtime;
    const parts = components(name);
    if (parts.length === 0) continue; // the archive's "./" itself
    const base = parts[parts.length - 1]!;
    const parent = dirAt(root, parts.slice(0, -1), name);
    switch (typeflag) {
      case "0":
      case "\0":
      case "7":
        parent.entries.set(base, {
          type: "regular",
          executable: (mode & 0o100) !== 0,
          contents: data.slice(),
        });
        break;
      case "1": {
        const target = lookup(root, components(linkName));
        if (target === undefined || target.type !== "regular")
          formatError(`tar archive member '${name}' is a hard link to a missing file '${linkName}'`);
        parent.entries.set(base, { ...target });
        break;
      }
      case "2":
        parent.entries.set(base, { type: "symlink", target: linkName });
        break;
      case "5":
        dirAt(parent, [base], name);
        break;
      default:
        break; // character/block devices, FIFOs, unknown kinds: not representable in a NAR
    }
  }
  return { root: root as NarDirectory, lastModified };
}

/**
 * The tree Nix stores for a tarball: its single top-level directory when it has exactly one entry
 * and that is a directory, else the whole archive. Empty directories are dropped, as current Nix
 * (which goes through its Git tarball cache, where trees cannot be empty) does.
 */
export function tarballRoot(t: TarTree): NarNode {
  const pruned = pruneEmpty(t.root) ?? { type: "directory", entries: new Map() };
  if (pruned.type === "directory" && pruned.entries.size === 1) {
    const only = pruned.entries.values().next().value as NarNode;
    if (only.type === "directory") return only;
  }
  return pruned;
}

function pruneEmpty(n: NarNode): NarNode | null {
  if (n.type !== "directory") return n;
  const entries = new Map<string, NarNode>();
  for (const [k, v] of n.entries) {
    const p = pruneEmpty(v);
    if (p !== null) entries.set(k, p);
  }
  return entries.size === 0 ? null : { type: "directory", entries };
}
