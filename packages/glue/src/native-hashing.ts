// Node's native hashing (node:crypto) installed into @tsnix/nix-compat, whose built-in hashes are
// pure JS (@noble/hashes) so that it stays browser-safe. sha256 over derivation ATerms is the hot
// spot of instantiating derivations; node:crypto does it about 4x faster.
import {
  HASH_ALGOS,
  hashBytes,
  hashSink,
  setHashImplementation,
  type HashAlgo,
  type HashImplementation,
} from "@tsnix/nix-compat";
import { nodeCrypto } from "./lazy-builtins.js";

const asUint8Array = (d: Buffer): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

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
  const crypto = nodeCrypto();
  /** crypto.hash (Node 20.12+): one-shot, without a Hash object per call. */
  const oneShot = (crypto as { hash?: (algo: string, data: Uint8Array, enc: "latin1") => string }).hash;
  const createHash = crypto.createHash;
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

/**
 * Stands in for `algo` until its first use, which loads node:crypto (so that evaluations that hash
 * nothing never load it) and installs node's implementation, or the built-in one again if this Node
 * lacks the algorithm (md5 under FIPS).
 */
function onFirstUse(algo: HashAlgo): HashImplementation {
  const resolve = () => {
    setHashImplementation(algo, nodeCrypto().getHashes().includes(algo) ? nodeHash(algo) : null);
  };
  return {
    create() {
      resolve();
      const sink = hashSink(algo);
      return {
        update(b: Uint8Array) {
          sink.update(b);
          return this;
        },
        digest: () => sink.finish().bytes,
      };
    },
    digest(data) {
      resolve();
      return hashBytes(algo, data).bytes;
    },
  };
}

/** Use node:crypto for every algorithm this Node offers (idempotent; process-wide). */
export function installNativeHashing(): void {
  for (const algo of HASH_ALGOS) setHashImplementation(algo, onFirstUse(algo));
}
