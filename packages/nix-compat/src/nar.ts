import { compareUtf8, utf8Decode, utf8Encode } from "./encoding.js";
import { formatError } from "./errors.js";
import { type Hash, type HashAlgo, hashSink } from "./hash.js";

/** A file system tree as NAR sees it. Directory entries are sorted on output; insertion order does not matter. */
export type NarNode = NarRegular | NarSymlink | NarDirectory;

export interface NarRegular {
  readonly type: "regular";
  readonly executable: boolean;
  readonly contents: Uint8Array;
}
export interface NarSymlink {
  readonly type: "symlink";
  readonly target: string;
}
export interface NarDirectory {
  readonly type: "directory";
  readonly entries: ReadonlyMap<string, NarNode>;
}

export const NAR_MAGIC = "nix-archive-1";

export const narRegular = (contents: Uint8Array | string, executable = false): NarRegular => ({
  type: "regular",
  executable,
  contents: typeof contents === "string" ? utf8Encode(contents) : contents,
});
export const narSymlink = (target: string): NarSymlink => ({ type: "symlink", target });
export const narDirectory = (
  entries: Iterable<[string, NarNode]> | Record<string, NarNode> = [],
): NarDirectory => ({
  type: "directory",
  entries: new Map(
    Symbol.iterator in entries ? (entries as Iterable<[string, NarNode]>) : Object.entries(entries),
  ),
});

const ZERO_PAD = new Uint8Array(8);

function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function padLength(n: number): number {
  return (8 - (n % 8)) % 8;
}

/** A NAR string: 8-byte little-endian length, the bytes, zero padding to a multiple of 8. */
function narString(s: string | Uint8Array): Uint8Array {
  const bytes = typeof s === "string" ? utf8Encode(s) : s;
  const out = new Uint8Array(8 + bytes.length + padLength(bytes.length));
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const tok = (...ss: string[]): Uint8Array => concat(ss.map(narString));

// Pre-encoded token sequences.
const T_HEADER = tok(NAR_MAGIC);
const T_REGULAR = tok("(", "type", "regular");
const T_EXECUTABLE = tok("executable", "");
const T_CONTENTS = tok("contents");
const T_CLOSE = tok(")");
const T_SYMLINK = tok("(", "type", "symlink", "target");
const T_DIRECTORY = tok("(", "type", "directory");
const T_ENTRY = tok("entry", "(", "name");
const T_NODE = tok("node");

/**
 * Low-level NAR event encoder, for writers that stream file contents themselves (e.g. from disk):
 * call `regularStart`, emit `size` bytes of contents raw, then `regularEnd(size)`.
 * Every method returns the bytes to append.
 */
export const NarEncoder = {
  header: (): Uint8Array => T_HEADER,
  regularStart(executable: boolean, size: number): Uint8Array {
    return concat(
      executable ? [T_REGULAR, T_EXECUTABLE, T_CONTENTS, u64le(size)] : [T_REGULAR, T_CONTENTS, u64le(size)],
    );
  },
  regularEnd(size: number): Uint8Array {
    const pad = padLength(size);
    return pad === 0 ? T_CLOSE : concat([ZERO_PAD.subarray(0, pad), T_CLOSE]);
  },
  /** A target as a string (UTF-8) or as the file system's bytes. */
  symlink: (target: string | Uint8Array): Uint8Array => concat([T_SYMLINK, narString(target), T_CLOSE]),
  directoryStart: (): Uint8Array => T_DIRECTORY,
  /** A name as a string (UTF-8) or as the file system's bytes. */
  entryStart: (name: string | Uint8Array): Uint8Array => concat([T_ENTRY, narString(name), T_NODE]),
  entryEnd: (): Uint8Array => T_CLOSE,
  directoryEnd: (): Uint8Array => T_CLOSE,
};

/** Directory entry names in NAR order (byte order of the UTF-8 names). */
export function sortedEntryNames(entries: ReadonlyMap<string, unknown>): string[] {
  return [...entries.keys()].sort(compareUtf8);
}

function* nodeChunks(node: NarNode): Generator<Uint8Array> {
  switch (node.type) {
    case "regular":
      yield NarEncoder.regularStart(node.executable, node.contents.length);
      if (node.contents.length > 0) yield node.contents;
      yield NarEncoder.regularEnd(node.contents.length);
      return;
    case "symlink":
      yield NarEncoder.symlink(node.target);
      return;
    case "directory":
      yield T_DIRECTORY;
      for (const name of sortedEntryNames(node.entries)) {
        checkNarEntryName(name);
        yield NarEncoder.entryStart(name);
        yield* nodeChunks(node.entries.get(name)!);
        yield T_CLOSE;
      }
      yield T_CLOSE;
      return;
  }
}

/** The NAR serialisation of `node`, as a lazy sequence of chunks (file contents are passed through, not copied). */
export function* narChunks(node: NarNode): Generator<Uint8Array> {
  yield T_HEADER;
  yield* nodeChunks(node);
}

/** The whole NAR as one buffer. */
export function narBytes(node: NarNode): Uint8Array {
  return concat([...narChunks(node)]);
}

/** Hash and size of the NAR of `node` (Nix's `narHash` / `narSize`), without building the whole NAR. */
export function narHash(node: NarNode, algo: HashAlgo = "sha256"): { hash: Hash; size: number } {
  const sink = hashSink(algo);
  let size = 0;
  for (const chunk of narChunks(node)) {
    sink.update(chunk);
    size += chunk.length;
  }
  return { hash: sink.finish(), size };
}

/** Nix refuses empty names, `.`, `..`, and names containing `/` or NUL in NARs. */
export function checkNarEntryName(name: string): void {
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0"))
    formatError(`NAR contains invalid file name '${name}'`);
}

class NarReader {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.pos === this.bytes.length;
  }

  readBytes(): Uint8Array {
    if (this.pos + 8 > this.bytes.length) formatError("unexpected end of NAR");
    const big = this.view.getBigUint64(this.pos, true);
    if (big > BigInt(this.bytes.length)) formatError("unexpected end of NAR");
    const len = Number(big);
    const start = this.pos + 8;
    const end = start + len;
    const padded = end + padLength(len);
    if (padded > this.bytes.length) formatError("unexpected end of NAR");
    for (let i = end; i < padded; i++) if (this.bytes[i] !== 0) formatError("non-zero padding in NAR");
    this.pos = padded;
    return this.bytes.subarray(start, end);
  }

  readString(): string {
    return utf8Decode(this.readBytes());
  }

  expect(token: string): void {
    const got = this.readString();
    if (got !== token) formatError(`expected '${token}' in NAR, got '${got}'`);
  }
}

function parseNode(r: NarReader): NarNode {
  r.expect("(");
  r.expect("type");
  const type = r.readString();
  if (type === "regular") {
    let executable = false;
    let contents: Uint8Array = new Uint8Array(0);
    for (;;) {
      const tag = r.readString();
      if (tag === ")") break;
      if (tag === "executable") {
        if (r.readString() !== "") formatError("executable marker in NAR has non-empty value");
        executable = true;
      } else if (tag === "contents") {
        contents = r.readBytes().slice();
      } else formatError(`unknown field '${tag}' in NAR regular file`);
    }
    return { type: "regular", executable, contents };
  }
  if (type === "symlink") {
    r.expect("target");
    const target = r.readString();
    r.expect(")");
    return { type: "symlink", target };
  }
  if (type === "directory") {
    const entries = new Map<string, NarNode>();
    let prev: string | undefined;
    for (;;) {
      const tag = r.readString();
      if (tag === ")") break;
      if (tag !== "entry") formatError(`expected 'entry' or ')' in NAR directory, got '${tag}'`);
      r.expect("(");
      r.expect("name");
      const name = r.readString();
      checkNarEntryName(name);
      if (prev !== undefined && compareUtf8(name, prev) <= 0) formatError("NAR directory is not sorted");
      prev = name;
      r.expect("node");
      entries.set(name, parseNode(r));
      r.expect(")");
    }
    return { type: "directory", entries };
  }
  return formatError(`unknown file type '${type}' in NAR`);
}

/** Parse a complete NAR back into a tree; rejects bad magic, unsorted or invalid names, non-zero padding. */
export function parseNar(bytes: Uint8Array): NarNode {
  const r = new NarReader(bytes);
  let magic: string;
  try {
    magic = r.readString();
  } catch {
    return formatError("input doesn't look like a Nix archive");
  }
  if (magic !== NAR_MAGIC) formatError("input doesn't look like a Nix archive");
  const node = parseNode(r);
  if (!r.atEnd()) formatError("trailing data after NAR");
  return node;
}
