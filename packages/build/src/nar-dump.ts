/**
 * Streams the NAR serialisation of a file-system path into a sink (Nix's `dumpPath`), so the
 * NAR hash, size and reference scan of a build output come from one pass without holding the NAR
 * in memory. nix-compat owns the format (NarEncoder); this is the file-system walk a browser-safe
 * package cannot do. Names and symlink targets go in as the file system's bytes.
 */
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { NarEncoder } from "@tsnix/nix-compat";

export type NarSink = (chunk: Uint8Array) => void;

const CHUNK = 1 << 16;

export async function dumpPath(path: string, sink: NarSink): Promise<void> {
  sink(NarEncoder.header());
  await dumpNode(path, sink);
}

async function dumpNode(path: string, sink: NarSink): Promise<void> {
  const st = await lstat(path);
  if (st.isFile()) {
    sink(NarEncoder.regularStart((st.mode & 0o100) !== 0, st.size));
    await dumpContents(path, st.size, sink);
    sink(NarEncoder.regularEnd(st.size));
  } else if (st.isSymbolicLink()) {
    sink(NarEncoder.symlink(await readlink(path, { encoding: "buffer" })));
  } else if (st.isDirectory()) {
    sink(NarEncoder.directoryStart());
    const names = await readdir(path, { encoding: "buffer" });
    names.sort(Buffer.compare);
    for (const name of names) {
      sink(NarEncoder.entryStart(name));
      await dumpNode(join(path, name.toString("utf8")), sink);
      sink(NarEncoder.entryEnd());
    }
    sink(NarEncoder.directoryEnd());
  } else {
    throw new Error(`file '${path}' has an unsupported type`);
  }
}

async function dumpContents(path: string, size: number, sink: NarSink): Promise<void> {
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
}
