import { parseContentAddress, printContentAddress } from "./content-address.js";
import { sortedUnique } from "./encoding.js";
import { formatError } from "./errors.js";
import { parseHashPrefixed, printHash } from "./hash.js";
import type { PathInfo } from "./path-info.js";
import { parseSignature, printSignature } from "./path-info.js";
import { DEFAULT_STORE_DIR, parseStorePath, parseStorePathBaseName, printStorePath } from "./store-path.js";

/** A `.narinfo` file of a binary cache: the path it describes plus its path info. */
export interface NarInfo extends PathInfo {
  storePath: string;
}

/** Parse the text of a `.narinfo` file (Nix's `NarInfo(store, s, whence)`), with Nix's errors. */
export function parseNarInfo(text: string, whence: string, storeDir: string = DEFAULT_STORE_DIR): NarInfo {
  let line = 1;
  const corrupt = (reason: string, withLine = true): never =>
    formatError(`NAR info file '${whence}' is corrupt: ${reason}${withLine ? ` at line ${line}` : ""}`);
  const hashField = (v: string) => {
    try {
      return parseHashPrefixed(v);
    } catch {
      return corrupt("bad hash");
    }
  };
  const int = (v: string, what: string): number => (/^\d+$/.test(v) ? Number(v) : corrupt(`invalid ${what}`));

  let storePath: string | undefined;
  let narHash: PathInfo["narHash"] | undefined;
  let narSize = 0;
  let references: string[] | undefined;
  const info: Partial<NarInfo> = {};
  const sigs: ReturnType<typeof parseSignature>[] = [];
  let pos = 0;
  while (pos < text.length) {
    const colon = text.indexOf(":", pos);
    if (colon < 0) corrupt("expecting ':'");
    const name = text.slice(pos, colon);
    const eol = text.indexOf("\n", colon + 2);
    if (eol < 0) corrupt("expecting '\\n'");
    const value = text.slice(colon + 2, eol);
    switch (name) {
      case "StorePath":
        storePath = parseStorePath(value, storeDir).baseName;
        break;
      case "URL":
        info.url = value;
        break;
      case "Compression":
        info.compression = value;
        break;
      case "FileHash":
        info.downloadHash = hashField(value);
        break;
      case "FileSize":
        info.downloadSize = int(value, "FileSize");
        break;
      case "NarHash":
        narHash = hashField(value);
        break;
      case "NarSize":
        narSize = int(value, "NarSize");
        break;
      case "References":
        if (references) corrupt("extra References");
        references = value
          .split(" ")
          .filter((r) => r !== "")
          .map((r) => parseStorePathBaseName(r).baseName);
        break;
      case "Deriver":
        if (value !== "unknown-deriver") info.deriver = parseStorePathBaseName(value).baseName;
        break;
      case "Sig":
        sigs.push(parseSignature(value));
        break;
      case "CA":
        if (info.ca) corrupt("extra CA");
        if (value !== "") info.ca = parseContentAddress(value);
        break;
    }
    pos = eol + 1;
    line++;
  }
  if (info.compression === undefined || info.compression === "") info.compression = "bzip2";
  if (storePath === undefined) return corrupt("StorePath missing", false);
  if (narHash === undefined) return corrupt("NarHash missing", false);
  if (!info.url) return corrupt("URL missing", false);
  if (narSize === 0) return corrupt("NarSize missing or zero", false);
  return { ...info, storePath, narHash, narSize, references: references ?? [], signatures: sigs };
}

/** Print a `.narinfo` file as Nix does (`NarInfo::to_string`); NAR and file hashes must be sha256. */
export function printNarInfo(info: NarInfo, storeDir: string = DEFAULT_STORE_DIR): string {
  if (info.url === undefined || info.downloadHash === undefined || info.downloadSize === undefined)
    formatError("a .narinfo needs url, downloadHash and downloadSize");
  if (info.narHash.algo !== "sha256" || info.downloadHash.algo !== "sha256")
    formatError(".narinfo hashes must be sha256");
  let s = `StorePath: ${printStorePath(info.storePath, storeDir)}\n`;
  s += `URL: ${info.url}\n`;
  s += `Compression: ${info.compression ?? "bzip2"}\n`;
  s += `FileHash: ${printHash(info.downloadHash, "nix32", true)}\n`;
  s += `FileSize: ${info.downloadSize}\n`;
  s += `NarHash: ${printHash(info.narHash, "nix32", true)}\n`;
  s += `NarSize: ${info.narSize}\n`;
  s += `References: ${sortedUnique(info.references).join(" ")}\n`;
  if (info.deriver !== undefined) s += `Deriver: ${info.deriver}\n`;
  for (const sig of sortedUnique((info.signatures ?? []).map(printSignature))) s += `Sig: ${sig}\n`;
  if (info.ca) s += `CA: ${printContentAddress(info.ca)}\n`;
  return s;
}

/**
 * What a store path's signatures sign (Nix's `ValidPathInfo::fingerprint`):
 * `1;<path>;<narHash as sha256:nix32>;<narSize>;<comma-separated reference paths>`.
 */
export function pathInfoFingerprint(
  storePath: string,
  info: PathInfo,
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  const refs = sortedUnique(info.references).map((r) => printStorePath(r, storeDir));
  return `1;${printStorePath(storePath, storeDir)};${printHash(info.narHash, "nix32", true)};${info.narSize};${refs.join(",")}`;
}
