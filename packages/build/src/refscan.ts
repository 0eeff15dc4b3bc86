/**
 * Nix's reference scanner (references.cc `RefScanSink`): finds which of a set of candidate
 * store-path hash parts (32 nix32 characters) occur anywhere in a byte stream, such as an
 * output's NAR serialisation. Streaming: a match may straddle chunk boundaries.
 */
import { NIX32_ALPHABET } from "@tsnix/nix-compat";

const HASH_LEN = 32;
const IS_NIX32 = new Uint8Array(256);
for (const c of NIX32_ALPHABET) IS_NIX32[c.charCodeAt(0)] = 1;

export class ReferenceScanner {
  private readonly pending: Set<string>;
  readonly found = new Set<string>();
  private tail: Buffer = Buffer.alloc(0);

  constructor(candidateHashParts: Iterable<string>) {
    this.pending = new Set(candidateHashParts);
  }

  update(chunk: Uint8Array): void {
    if (this.pending.size === 0) return;
    const buf = this.tail.length
      ? Buffer.concat([this.tail, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.search(buf);
    const keep = Math.min(HASH_LEN - 1, buf.length);
    this.tail = Buffer.from(buf.subarray(buf.length - keep));
  }

  private search(s: Buffer): void {
    let i = 0;
    const end = s.length - HASH_LEN;
    outer: while (i <= end) {
      for (let j = HASH_LEN - 1; j >= 0; j--) {
        if (!IS_NIX32[s[i + j]!]) {
          i += j + 1;
          continue outer;
        }
      }
      const ref = s.toString("latin1", i, i + HASH_LEN);
      if (this.pending.delete(ref)) this.found.add(ref);
      i++;
    }
  }
}
