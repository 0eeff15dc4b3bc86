/**
 * One pass over a finished output: its NAR hash and size, the references found in it, and for a
 * fixed output the content hash checked against the declared one (Nix's
 * `registerOutputs`/`newInfoFromCA`).
 */
import { lstat, readFile } from "node:fs/promises";
import { printContentAddress, type HashAlgo } from "@tsnix/nix-compat";
import { nix32Encode, printHash } from "./compat.js";
import { BuildError } from "./errors.js";
import { dumpPath } from "./nar-dump.js";
import { ReferenceScanner } from "./refscan.js";
import type { ResolvedOutput } from "./types.js";
import { createRequire } from "node:module";

/** node:crypto, loaded on first use: evaluations that never build should not pay for it at start-up. */
const nodeCrypto = (): typeof import("node:crypto") => createRequire("/")("node:crypto");

export interface OutputDigest {
  readonly narHash: string;
  readonly narSize: number;
  readonly references: string[];
  readonly ca?: string;
}

/**
 * @param candidates hash part → store path, of everything the output may refer to (the input
 * closure and the derivation's own outputs).
 */
export async function hashOutput(
  drvPath: string,
  output: ResolvedOutput,
  location: string,
  candidates: ReadonlyMap<string, string>,
): Promise<OutputDigest> {
  const narHasher = nodeCrypto().createHash("sha256");
  const fixed = output.fixed;
  const caNarHasher =
    fixed?.method === "nar" && fixed.hash.algo !== "sha256"
      ? nodeCrypto().createHash(fixed.hash.algo)
      : undefined;
  const scanner = new ReferenceScanner(candidates.keys());
  let narSize = 0;
  await dumpPath(location, (chunk) => {
    narHasher.update(chunk);
    caNarHasher?.update(chunk);
    scanner.update(chunk);
    narSize += chunk.length;
  });
  const narDigest = narHasher.digest();
  const references = [...scanner.found].map((h) => candidates.get(h)!).sort();
  const result: OutputDigest = { narHash: "sha256:" + nix32Encode(narDigest), narSize, references };
  if (!fixed) return result;

  let got: Uint8Array;
  if (fixed.method === "nar") {
    got = caNarHasher ? caNarHasher.digest() : narDigest;
  } else if (fixed.method === "flat" || fixed.method === "text") {
    const st = await lstat(location);
    if (fixed.method === "flat" && (!st.isFile() || st.mode & 0o100)) {
      throw new BuildError(
        `output path '${output.path}' should be a non-executable regular file since recursive hashing is not enabled (outputHashMode=flat)`,
        "hash-mismatch",
        drvPath,
      );
    }
    got = nodeCrypto()
      .createHash(fixed.hash.algo)
      .update(await readFile(location))
      .digest();
  } else {
    throw new BuildError(
      `cannot build '${drvPath}': content-address method '${fixed.method}' is not supported`,
      "unsupported",
      drvPath,
    );
  }
  const gotHash = { algo: fixed.hash.algo as HashAlgo, bytes: new Uint8Array(got) };
  if (!Buffer.from(got).equals(Buffer.from(fixed.hash.bytes))) {
    throw new BuildError(
      `hash mismatch in fixed-output derivation '${drvPath}':\n  specified: ${printHash(fixed.hash, "sri")}\n  got:       ${printHash(gotHash, "sri")}`,
      "hash-mismatch",
      drvPath,
    );
  }
  if (references.length > 0) {
    throw new BuildError(
      `illegal path references in fixed-output derivation '${drvPath}'`,
      "illegal-reference",
      drvPath,
    );
  }
  return { ...result, ca: printContentAddress({ method: fixed.method, hash: gotHash }) };
}
