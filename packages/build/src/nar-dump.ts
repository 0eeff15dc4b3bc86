/**
 * Streams the NAR serialisation of a file-system path into a sink (Nix's `dumpPath`), so the
 * NAR hash, size and reference scan of a build output come from one pass without holding the NAR
 * in memory. nix-compat owns the format; this is the file-system walk a browser-safe package
 * cannot do.
 */
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

export type NarSink = (chunk: Uint8Array) => void;

const CHUNK = 1 << 16;
const ZERO_PAD = new Uint8Array(8);

function writeString(sink: NarSink, s: string | Uint8Array): void {
  const bytes = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  const header = Buffer.alloc(8);
  header.writeBigUInt64LE(BigInt(bytes.length));
  sink(header);
  sink(bytes);
  const pad = (8 - (bytes.length % 8)) % 8;
  if (pad) sink(ZERO_PAD.subarray(0, pad));
}

export async function dumpPath(path: string, sink: NarSink): Promise<void> {
  writeString(sink, "nix-archive-1");
  await dumpNode(path, sink);
}

async function dumpNode(path: string, sink: NarSink): Promise<void> {
  const st = await lstat(path);
  writeString(sink, "(");
  writeString(sink, "type");
  if (st.isFile()) {
    writeString(sink, "regular");
    if (st.mode & 0o100) {
      writeString(sink, "executable");
      writeString(sink, "");
    }
    writeString(sink, "contents");
    await dumpContents(path, st.size, sink);
  } else if (st.isSymbolicLink()) {
    writeString(sink, "symlink");
    writeString(sink, "target");
    writeString(sink, await readlink(path, { encoding: "buffer" }));
  } else if (st.isDirectory()) {
    writeString(sink, "directory");
    const names = await readdir(path, { encoding: "buffer" });
    names.sort(Buffer.compare);
    for (const name of names) {
      writeString(sink, "entry");
      writeString(sink, "(");
      writeString(sink, "name");
      writeString(sink, name);
      writeString(sink, "node");
      await dumpNode(join(path, name.toString("utf8")), sink);
      writeString(sink, ")");
    }
  } else {
    throw new Error(`file '${path}' has an unsupported type`);
  }
  writeString(sink, ")");
}

async function dumpContents(path: string, size: number, sink: NarSink): Promise<void> {
  const header = Buffer.alloc(8);
  header.writeBigUInt64LE(BigInt(size));
  sink(header);
  const fh = await open(path, "r");
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw new Error(`file '${path}' changed while it was being serialised`);
      sink(buf.subarray(0, bytesRead));
      left -= bytesRead;
    }
  } finally {
    await fh.close();
  }
  const pad = (8 - (size % 8)) % 8;
  if (pad) sink(ZERO_PAD.subarray(0, pad));
}
