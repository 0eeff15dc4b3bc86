// The store side of `tsnix instantiate`: an EvalIO whose store hooks write sources and .drv files
// to a LocalStore (@tsnix/glue's createStoreIO, inside createEvalSession), or only compute their
// paths (read-only mode). The store is opened on first use, so an evaluation that never touches
// it (`--eval -E 1`) never loads SQLite.
import { lstatSync, renameSync, symlinkSync, unlinkSync } from "node:fs";
import type { EvalIO } from "@tsnix/eval";
import { createEvalSession, openLocalStore, type SyncRealiser } from "@tsnix/glue";
import type { LocalStore } from "@tsnix/store";

export interface InstantiateStore {
  readonly io: EvalIO;
  readonly storeDir: string;
  /** Follow the evaluator's record of instantiated derivations (for import-from-derivation). */
  follow(evaluator: { readonly knownDerivations: ReadonlyMap<string, unknown> }): void;
  /** Where a store path lives on disk (its logical path when the store is not there). */
  realPath(path: string): string;
  close(): void;
}

export interface StoreChoice {
  /** `--store` / the `store` setting: a directory, `local?root=DIR`, `auto`; undefined: the default root. */
  readonly spec: string | undefined;
  /** The logical store directory (NIX_STORE_DIR, default /nix/store). */
  readonly storeDir: string;
  readonly readOnly: boolean;
  readonly env: Record<string, string | undefined>;
  /** Builds for import-from-derivation. Absent: a read that needs a build is Nix's error. */
  readonly realise?: SyncRealiser;
}

/** A LocalStore that is opened only when a method is first called (reading `storeDir` does not). */
export function lazyLocalStore(
  open: () => LocalStore,
  storeDir: string,
): { store: LocalStore; opened(): LocalStore | null } {
  let real: LocalStore | null = null;
  const store = new Proxy({} as LocalStore, {
    get(_target, prop) {
      if (prop === "storeDir") return storeDir;
      const s = (real ??= open());
      const v = Reflect.get(s, prop, s) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(s) : v;
    },
  });
  return { store, opened: () => real };
}

export function openInstantiateStore(choice: StoreChoice): InstantiateStore {
  const lazy = lazyLocalStore(
    () => openLocalStore(choice.spec, { storeDir: choice.storeDir }),
    choice.storeDir,
  );
  const session = createEvalSession({
    env: choice.env,
    store: lazy.store,
    readOnly: choice.readOnly,
    ...(choice.realise ? { realise: choice.realise } : {}),
  });
  return {
    io: session.io,
    storeDir: choice.storeDir,
    follow: (ev) => session.follow(ev as Parameters<typeof session.follow>[0]),
    realPath: (path) => onDiskPath(lazy.store, path),
    close: () => {
      session.close();
      lazy.opened()?.close();
    },
  };
}

/** Where a store path is on disk: its logical path when the store lives there, else under the store's root. */
export function onDiskPath(store: Pick<LocalStore, "toRealPath">, path: string): string {
  try {
    lstatSync(path);
    return path;
  } catch {
    return store.toRealPath(path);
  }
}

/** `--add-root`: an (atomically replaced) symlink `link` → `target`. */
export function makeRootLink(target: string, link: string): void {
  const tmp = `${link}.tmp-${process.pid}`;
  try {
    unlinkSync(tmp);
  } catch {
    // none left over
  }
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}
