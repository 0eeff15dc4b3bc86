/**
 * Conversions between the store's records (full logical paths, printed hashes) and nix-compat's
 * (base names, Hash objects), so that its JSON printers (`pathInfoToJson`, `realisationToJson`) and
 * NAR streamers (`narChunksFromSource`) work on store data.
 */
import {
  type NarSourceSync,
  type PathInfo,
  parseContentAddress,
  parseHashPrefixed,
  parseSignature,
  parseStorePath,
  type Realisation as CompatRealisation,
} from "@tsnix/nix-compat";
import { rethrowFormat } from "./add.js";
import type { Realisation, SourceAccessor, ValidPathInfo } from "./store.js";
import { storeError } from "./store.js";

const base = (path: string, storeDir: string): string => parseStorePath(path, storeDir).baseName;

export function toCompatPathInfo(info: ValidPathInfo, storeDir: string): PathInfo {
  return rethrowFormat(() => ({
    narHash: parseHashPrefixed(info.narHash),
    narSize: info.narSize,
    references: info.references.map((r) => base(r, storeDir)),
    ca: info.contentAddress !== undefined ? parseContentAddress(info.contentAddress) : undefined,
    deriver: info.deriver !== undefined ? base(info.deriver, storeDir) : undefined,
    registrationTime: info.registrationTime,
  }));
}

/** `key.drvPath` must be a store path here (nix-compat's realisations are keyed by drv path). */
export function toCompatRealisation(r: Realisation, storeDir: string): CompatRealisation {
  return rethrowFormat(() => ({
    key: { drvPath: base(r.key.drvPath, storeDir), outputName: r.key.outputName },
    outPath: base(r.outPath, storeDir),
    signatures: (r.signatures ?? []).map(parseSignature),
  }));
}

/** A SourceAccessor (the host file system, a store, a tree) as nix-compat's NAR source. */
export function narSourceOf(accessor: SourceAccessor): NarSourceSync {
  return {
    stat(path) {
      const st = accessor.lstat(path);
      if (!st) return storeError(`getting status of '${path}': No such file or directory`);
      if (st.type === "unknown") return storeError(`file '${path}' has an unsupported type`);
      return st.type === "regular"
        ? { type: "regular", executable: st.executable, size: st.size }
        : { type: st.type };
    },
    readDirectory: (path) => accessor.readDirectory(path),
    readLink: (path) => accessor.readLink(path),
    readFile: (path) => accessor.readFile(path),
  };
}
