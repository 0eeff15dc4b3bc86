import { compareUtf8, utf8Decode } from "./encoding.js";
import { formatError } from "./errors.js";
import { NAR_MAGIC, checkNarEntryName } from "./nar.js";

/**
 * Events of a NAR read as a stream. Paths are relative to the root (`""` is the root itself, else
 * `a/b`). A `file` event is followed by `contents` events totalling `size` bytes (none when empty).
 */
export type NarEvent =
  | { readonly type: "directory"; readonly path: string }
  | { readonly type: "symlink"; readonly path: string; readonly target: string }
  | { readonly type: "file"; readonly path: string; readonly executable: boolean; readonly size: number }
  | { readonly type: "contents"; readonly path: string; readonly chunk: Uint8Array };

class StreamReader {
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  constructor(private readonly it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) return false;
      if (r.value.length > 0) {
        this.buf = r.value;
        this.off = 0;
        return true;
      }
    }
  }

  /** Up to `max` bytes (at least one), without copying when possible. */
  async some(max: number): Promise<Uint8Array> {
    if (this.off >= this.buf.length && !(await this.fill())) formatError("unexpected end of NAR");
    const n = Math.min(max, this.buf.length - this.off);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  async exact(n: number): Promise<Uint8Array> {
    const first = await (n === 0 ? Promise.resolve(new Uint8Array(0)) : this.some(n));
    if (first.length === n) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let o = first.length;
    while (o < n) {
      const part = await this.some(n - o);
      out.set(part, o);
      o += part.length;
    }
    return out;
  }

  async u64(): Promise<number> {
    const b = await this.exact(8);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) formatError("NAR length field is too large");
    return Number(v);
  }

  async padding(len: number): Promise<void> {
    const pad = (8 - (len % 8)) % 8;
    if (pad === 0) return;
    const b = await this.exact(pad);
    for (const x of b) if (x !== 0) formatError("non-zero padding in NAR");
  }

  async string(limit = 1 << 20): Promise<string> {
    const len = await this.u64();
    if (len > limit) formatError("NAR string is too long");
    const s = utf8Decode(await this.exact(len));
    await this.padding(len);
    return s;
  }

  async expect(token: string): Promise<void> {
    const got = await this.string();
    if (got !== token) formatError(`expected '${token}' in NAR, got '${got}'`);
  }

  async atEnd(): Promise<boolean> {
    return this.off >= this.buf.length && !(await this.fill());
  }
}

async function* node(r: StreamReader, path: string): AsyncGenerator<NarEvent> {
  await r.expect("(");
  await r.expect("type");
  const type = await r.string();
  if (type === "regular") {
    let executable = false;
    let tag = await r.string();
    if (tag === "executable") {
      if ((await r.string()) !== "") formatError("executable marker in NAR has non-empty value");
      executable = true;
      tag = await r.string();
    }
    if (tag === "contents") {
      const size = await r.u64();
      yield { type: "file", path, executable, size };
      let left = size;
      while (left > 0) {
        const chunk = await r.some(left);
        left -= chunk.length;
        yield { type: "contents", path, chunk };
      }
      await r.padding(size);
      tag = await r.string();
    } else {
      yield { type: "file", path, executable, size: 0 };
    }
    if (tag !== ")") formatError(`expected ')' in NAR, got '${tag}'`);
    return;
  }
  if (type === "symlink") {
    await r.expect("target");
    const target = await r.string();
    await r.expect(")");
    yield { type: "symlink", path, target };
    return;
  }
  if (type === "directory") {
    yield { type: "directory", path };
    let prev: string | undefined;
    for (;;) {
      const tag = await r.string();
      if (tag === ")") return;
      if (tag !== "entry") formatError(`expected 'entry' or ')' in NAR directory, got '${tag}'`);
      await r.expect("(");
      await r.expect("name");
      const name = await r.string();
      checkNarEntryName(name);
      if (prev !== undefined && compareUtf8(name, prev) <= 0) formatError("NAR directory is not sorted");
      prev = name;
      await r.expect("node");
      yield* node(r, path === "" ? name : `${path}/${name}`);
      await r.expect(")");
    }
  }
  formatError(`unknown file type '${type}' in NAR`);
}

/**
 * Parse a NAR from a stream of chunks into events, holding at most one chunk of file contents at a
 * time (for restoring large NARs to disk). Same checks as `parseNar`.
 */
export async function* parseNarStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<NarEvent> {
  const it = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  const r = new StreamReader(it);
  let magic: string;
  try {
    magic = await r.string(64);
  } catch {
    return formatError("input doesn't look like a Nix archive");
  }
  if (magic !== NAR_MAGIC) formatError("input doesn't look like a Nix archive");
  yield* node(r, "");
  if (!(await r.atEnd())) formatError("trailing data after NAR");
}
