// Synchronous writes to the process's stdout/stderr file descriptors. They work
// the same from the main thread and from the evaluation worker (descriptors are
// per process), keep stdout and stderr interleaved in program order, and are
// complete before the process exits.
import { writeSync } from "node:fs";

/** Made on first use: a start-up snapshot (scripts/snapshot-entry.cjs) can not hold shared memory. */
let pause: Int32Array | null = null;

/** Messages from the evaluator come without a final newline; stderr lines need one. */
export function ensureNewline(s: string): string {
  return s.endsWith("\n") ? s : s + "\n";
}

export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      // A non-blocking pipe that is full: wait a little and retry.
      if ((e as NodeJS.ErrnoException).code === "EAGAIN")
        Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
      else if ((e as NodeJS.ErrnoException).code === "EPIPE") return;
      else throw e;
    }
  }
}

export interface Output {
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (text) => writeAll(1, text),
  stderr: (text) => writeAll(2, text),
};

/** Collects output in memory (tests, and running in-process). */
export function memoryOutput(): Output & { out: string; err: string } {
  const o = {
    out: "",
    err: "",
    stdout(text: string | Uint8Array) {
      o.out += typeof text === "string" ? text : Buffer.from(text).toString("utf8");
    },
    stderr(text: string) {
      o.err += text;
    },
  };
  return o;
}
