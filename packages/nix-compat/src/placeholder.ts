import { hashString, compressHash } from "./hash.js";
import { nix32Encode } from "./nixbase32.js";
import { type StorePath, outputPathName, parseStorePathBaseName } from "./store-path.js";

/** Placeholders of the output names seen so far (a handful: out, dev, lib, …). */
const placeholders = new Map<string, string>();

/** `builtins.placeholder name`: `/` + nix32(sha256("nix-output:<name>")). */
export function hashPlaceholder(outputName: string): string {
  let p = placeholders.get(outputName);
  if (p === undefined) {
    p = "/" + nix32Encode(hashString("sha256", `nix-output:${outputName}`).bytes);
    if (placeholders.size < 1024) placeholders.set(outputName, p);
  }
  return p;
}

/**
 * Stand-in for a store path not known at evaluation time (outputs of floating CA derivations and of
 * dynamic derivations). Rendered as `/` + nix32 of the 32-byte hash; rewritten away at build time.
 */
export class DownstreamPlaceholder {
  constructor(readonly hash: Uint8Array) {}

  render(): string {
    return "/" + nix32Encode(this.hash);
  }

  /** Output `outputName` of the CA derivation at `drvPath` (base name or StorePath). */
  static unknownCaOutput(drvPath: StorePath | string, outputName: string): DownstreamPlaceholder {
    const sp = typeof drvPath === "string" ? parseStorePathBaseName(drvPath) : drvPath;
    const clearText = `nix-upstream-output:${sp.hashPart}:${outputPathName(sp.derivationName, outputName)}`;
    return new DownstreamPlaceholder(hashString("sha256", clearText).bytes);
  }

  /** Output `outputName` of the derivation that is itself the output denoted by `placeholder` (dynamic derivations). */
  static unknownDerivation(placeholder: DownstreamPlaceholder, outputName: string): DownstreamPlaceholder {
    const compressed = nix32Encode(compressHash(placeholder.hash, 20));
    return new DownstreamPlaceholder(
      hashString("sha256", `nix-computed-output:${compressed}:${outputName}`).bytes,
    );
  }
}
