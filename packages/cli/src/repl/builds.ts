// Worker side of the REPL's builds (`:b`, `:bl`, `:log`, import-from-derivation): a realiser that
// asks the host for a build bridge on first use (../bridge-connect.ts), and the store operations the
// commands need.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { logFileOf, type SyncRealiser } from "@tsnix/glue";
import { onDiskPath } from "../instantiate-store.js";
import type { LocalStore } from "@tsnix/store";

/** What the build commands need (commands.ts); absent when the session has no store. */
export interface ReplBuilds {
  isValidPath(path: string): boolean;
  /** Build (blocking) every output of `drvPath`: output name → store path. */
  realise(drvPath: string): Readonly<Record<string, string>>;
  /** Where a store path is on disk (its logical path when the store lives there). */
  realPath(path: string): string;
  /** The kept log of the derivation's last build. */
  readLog(drvPath: string): string | undefined;
  /** The store as Nix names it in messages ("local", "local?root=/dir"). */
  readonly storeName: string;
}

export function replBuilds(store: LocalStore, realise: SyncRealiser, storeName: string): ReplBuilds {
  return {
    storeName,
    isValidPath: (path) => store.isValidPath(path),
    realise: (drvPath) => realise([drvPath])[0]!,
    realPath: (path) => onDiskPath(store, path),
    readLog(drvPath) {
      try {
        return readFileSync(logFileOf(store, drvPath), "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/** Nix's human-readable name of a local store given as `--store` / `store` (the default: "local"). */
export function storeNameOf(spec: string | undefined): string {
  if (spec === undefined || spec === "" || spec === "auto" || spec === "local") return "local";
  if (spec.startsWith("local?")) return spec;
  return `local?root=${resolve(spec)}`;
}
