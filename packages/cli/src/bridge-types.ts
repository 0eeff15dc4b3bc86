// The parts of @tsnix/glue the build commands use, written down structurally (the CLI loads its
// engines dynamically, see contracts.ts and engines.ts).
import type { EvalIO } from "./contracts.js";

export type BuildEventLike =
  | { readonly type: "started"; readonly drvPath: string }
  | { readonly type: "log"; readonly drvPath: string; readonly line: string }
  | { readonly type: "finished"; readonly drvPath: string; readonly success: boolean }
  | { readonly type: "already-valid"; readonly drvPath: string };

export interface LocalStoreLike {
  readonly storeDir: string;
  readonly realStoreDir: string;
  toRealPath(path: string): string;
  queryPathInfo(path: string): { deriver?: string } | undefined;
  queryValidDerivers(path: string): string[];
  close(): void;
}

export interface BuildGlue {
  openLocalStore(spec?: string, opts?: { storeDir?: string }): LocalStoreLike;
  logDirOf(store: LocalStoreLike): string;
  createBuildHost(opts: {
    store: LocalStoreLike;
    maxJobs?: number | undefined;
    cores?: number | undefined;
    timeout?: number | undefined;
    sandbox?: boolean | undefined;
    sandboxPaths?: readonly string[];
    extraSandboxPaths?: readonly string[];
    keepFailed?: boolean;
    logLines?: number | undefined;
    onEvent?: (e: BuildEventLike) => void;
    signal?: AbortSignal;
  }): {
    bridge: {
      openChannel(): { endpoint: unknown; transferList: unknown[] };
      close(): void;
    };
  };
}

export type SyncRealiserLike = (drvPaths: readonly string[]) => ReadonlyArray<Readonly<Record<string, string>>>;

export interface EvalSessionLike {
  readonly io: EvalIO;
  follow(evaluator: unknown): void;
  readonly realise: SyncRealiserLike | undefined;
  close(): void;
}

export interface BridgeGlue {
  createEvalSession(opts: {
    env?: Record<string, string | undefined>;
    store?: LocalStoreLike;
    readOnly?: boolean;
    bridge?: unknown;
    allowImportFromDerivation?: boolean;
  }): EvalSessionLike;
}
