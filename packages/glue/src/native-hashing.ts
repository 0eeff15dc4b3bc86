// Node's native hashing (node:crypto) installed into @tsnix/nix-compat, whose built-in hashes are
// pure JS (@noble/hashes) so that it stays browser-safe. sha256 over derivation ATerms is the hot
// spot of instantiating derivations; node:crypto does it about 4x faster.
import * as crypto from "node:crypto";
import { createHash, getHashes } from "node:crypto";
import { HASH_ALGOS, setHashImplementation, type HashImplementation } from "@tsnix/nix-compat";

const asUint8Array = (d: Buffer): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** crypto.hash (Node 20.12+): one-shot, without a Hash object per call. */
const oneShot = (crypto as { hash?: (algo: string, data: Uint8Array, enc: "latin1") => string }).hash;

/**
 * The digest comes back as a latin1 string (one char per byte) rather than a Buffer: a Buffer has its
 * own off-heap memory, which costs more to make and to collect than the string and a small on-heap copy.
 */
function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function nodeHash(algo: string): HashImplementation {
  return {
    ...(oneShot !== undefined
      ? { digest: (data: Uint8Array) => fromLatin1(oneShot(algo, data, "latin1")) }
      : {}),
    create() {
      const h = createHash(algo);
      return {
        update(b: Uint8Array) {
          h.update(b);
          return this;
        },
        // A plain Uint8Array view, so callers never see Buffer's different methods.
        digest: () => asUint8Array(h.digest()),
      };
    },
  };
}

/** Use node:crypto for every algorithm this Node offers (idempotent; process-wide). */
export function installNativeHashing(): void {
  const available = new Set(getHashes());
  for (const algo of HASH_ALGOS) if (available.has(algo)) setHashImplementation(algo, nodeHash(algo));
}
