import {
  type ContentAddress,
  contentAddressFromJson,
  contentAddressToJson,
  parseContentAddress,
  printContentAddress,
} from "./content-address.js";
import { formatError } from "./errors.js";
import { type Hash, parseSriHash, printHash } from "./hash.js";
import { canonicalJson } from "./json.js";
import { DEFAULT_STORE_DIR, parseStorePath, parseStorePathBaseName, printStorePath } from "./store-path.js";
import { sortedUnique } from "./encoding.js";

/** A signature: `keyName:base64` on the wire; `{keyName, sig}` in JSON version 3. */
export interface Signature {
  keyName: string;
  sig: string;
}

export function parseSignature(s: string): Signature {
  const colon = s.indexOf(":");
  if (colon <= 0) formatError(`signature '${s}' is not of the form 'key-name:base64'`);
  return { keyName: s.slice(0, colon), sig: s.slice(colon + 1) };
}

export const printSignature = (s: Signature): string => `${s.keyName}:${s.sig}`;

/**
 * Metadata of a valid store path (Nix's `ValidPathInfo` / `NarInfo`). Paths are base names. The
 * "impure" fields (`deriver` … `ultimate`) and the binary-cache fields (`url` … `downloadSize`) are
 * optional.
 */
export interface PathInfo {
  narHash: Hash;
  narSize: number;
  references: string[];
  ca?: ContentAddress | undefined;
  deriver?: string | undefined;
  registrationTime?: number | undefined;
  signatures?: Signature[];
  ultimate?: boolean;
  url?: string;
  compression?: string;
  downloadHash?: Hash;
  downloadSize?: number;
}

export type PathInfoJsonVersion = 1 | 2 | 3;

export interface PathInfoJsonOptions {
  version?: PathInfoJsonVersion;
  /** Include deriver, registrationTime, signatures and ultimate (Nix's `includeImpureInfo`). */
  includeImpure?: boolean;
  storeDir?: string;
}

function obj(j: unknown, what: string): Record<string, unknown> {
  if (typeof j !== "object" || j === null || Array.isArray(j)) formatError(`${what} must be a JSON object`);
  return j as Record<string, unknown>;
}

/** Nix's path-info / nar-info JSON; keys not applicable are omitted. */
export function pathInfoToJson(info: PathInfo, options: PathInfoJsonOptions = {}): Record<string, unknown> {
  const version = options.version ?? 3;
  const storeDir = options.storeDir ?? DEFAULT_STORE_DIR;
  const path = (p: string): string => (version === 1 ? printStorePath(p, storeDir) : p);
  const out: Record<string, unknown> = {
    ca: info.ca ? (version === 1 ? printContentAddress(info.ca) : contentAddressToJson(info.ca)) : null,
    narHash: printHash(info.narHash, "sri"),
    narSize: info.narSize,
    references: sortedUnique(info.references).map(path),
    storeDir,
    version,
  };
  if (options.includeImpure) {
    out.deriver = info.deriver === undefined ? null : path(info.deriver);
    out.registrationTime = info.registrationTime ?? null;
    const sigs = info.signatures ?? [];
    out.signatures = version === 3 ? sigs.map((s) => ({ ...s })) : sigs.map(printSignature);
    out.ultimate = info.ultimate ?? false;
  }
  if (info.url !== undefined) out.url = info.url;
  if (info.compression !== undefined) out.compression = info.compression;
  if (info.downloadHash !== undefined) out.downloadHash = printHash(info.downloadHash, "sri");
  if (info.downloadSize !== undefined) out.downloadSize = info.downloadSize;
  return out;
}

/** Parse any version (a missing `version` means 1, as Nix). */
export function pathInfoFromJson(j: unknown, storeDir: string = DEFAULT_STORE_DIR): PathInfo {
  const o = obj(j, "path info");
  const version = o.version ?? 1;
  if (version !== 1 && version !== 2 && version !== 3)
    formatError(`unsupported path info JSON version ${String(version)}`);
  const path = (p: unknown): string => {
    if (typeof p !== "string") formatError("store path in path info must be a string");
    return version === 1 ? parseStorePath(p, storeDir).baseName : parseStorePathBaseName(p).baseName;
  };
  if (typeof o.narHash !== "string" || typeof o.narSize !== "number" || !Array.isArray(o.references))
    formatError("path info JSON needs narHash, narSize and references");
  const info: PathInfo = {
    narHash: parseSriHash(o.narHash),
    narSize: o.narSize,
    references: o.references.map(path),
  };
  if (o.ca !== undefined && o.ca !== null)
    info.ca = typeof o.ca === "string" ? parseContentAddress(o.ca) : contentAddressFromJson(o.ca);
  if (typeof o.deriver === "string") info.deriver = path(o.deriver);
  if (typeof o.registrationTime === "number") info.registrationTime = o.registrationTime;
  if (Array.isArray(o.signatures))
    info.signatures = o.signatures.map((s) =>
      typeof s === "string" ? parseSignature(s) : (obj(s, "signature") as unknown as Signature),
    );
  if (typeof o.ultimate === "boolean") info.ultimate = o.ultimate;
  if (typeof o.url === "string") info.url = o.url;
  if (typeof o.compression === "string") info.compression = o.compression;
  if (typeof o.downloadHash === "string") info.downloadHash = parseSriHash(o.downloadHash);
  if (typeof o.downloadSize === "number") info.downloadSize = o.downloadSize;
  return info;
}

/** A realisation of a CA derivation output: `drvPath^outputName` was built to `outPath`. */
export interface Realisation {
  key: { drvPath: string; outputName: string };
  outPath: string;
  signatures: Signature[];
}

export function realisationFromJson(j: unknown): Realisation {
  const o = obj(j, "realisation");
  const key = obj(o.key, "realisation key");
  const value = obj(o.value, "realisation value");
  if (
    typeof key.drvPath !== "string" ||
    typeof key.outputName !== "string" ||
    typeof value.outPath !== "string"
  )
    formatError("realisation JSON needs key.drvPath, key.outputName and value.outPath");
  const sigs = Array.isArray(value.signatures) ? value.signatures : [];
  return {
    key: { drvPath: parseStorePathBaseName(key.drvPath).baseName, outputName: key.outputName },
    outPath: parseStorePathBaseName(value.outPath).baseName,
    signatures: sigs.map((s) =>
      typeof s === "string" ? parseSignature(s) : (obj(s, "signature") as unknown as Signature),
    ),
  };
}

export function realisationToJson(r: Realisation): Record<string, unknown> {
  return {
    key: { drvPath: r.key.drvPath, outputName: r.key.outputName },
    value: { outPath: r.outPath, signatures: r.signatures.map((s) => ({ keyName: s.keyName, sig: s.sig })) },
  };
}

/** The text a realisation's signatures sign: its JSON without signatures, compact with sorted keys. */
export function realisationFingerprint(r: Realisation): string {
  return canonicalJson({ key: r.key, value: { outPath: r.outPath } });
}
