/**
 * The one place where packages/build reaches into @tsnix/nix-compat for hashing helpers, plus the
 * node:crypto fast path for hashing large streams.
 */
import { nix32Encode } from "@tsnix/nix-compat";
import { createRequire } from "node:module";

/** node:crypto, loaded on first use: evaluations that never build should not pay for it at start-up. */
const nodeCrypto = (): typeof import("node:crypto") => createRequire("/")("node:crypto");

export { hashPlaceholder, nix32Encode, printHash, type Hash, type HashAlgo } from "@tsnix/nix-compat";

export function sha256(data: string | Uint8Array): Uint8Array {
  return nodeCrypto().createHash("sha256").update(data).digest();
}

/** The 32-character hash part of an absolute store path ("/nix/store/<hash>-name"). */
export function storePathHashPart(storeDir: string, path: string): string {
  return path.slice(storeDir.length + 1, storeDir.length + 33);
}

export function storePathBaseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function nix32Sha256(data: string | Uint8Array): string {
  return nix32Encode(sha256(data));
}
