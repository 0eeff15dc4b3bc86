// Putting the pieces together for a program that evaluates with builds (the CLI, embedders):
// the worker side (`createEvalSession`: EvalIO = node fs + store hooks + IO-driven builds over the
// bridge) and the host side (`createBuildHost`: LocalStore + LocalBuilder + Scheduler + bridge).
import * as nodePath from "node:path";
import type { EvalIO } from "@tsnix/eval";
import type { Derivation } from "@tsnix/nix-compat";
import { LocalStore, type Store } from "@tsnix/store";
import { LocalBuilder, Scheduler, buildLogPath, type BuildEvent } from "@tsnix/build";
import { BridgeClient, createBridgeHost, type BridgeEndpoint, type BridgeHost } from "./bridge.js";
import { bridgeRealiser, buildBridgeHandlers } from "./build-bridge.js";
import { createBuildingIO, type StoreReader, type SyncRealiser } from "./build-io.js";
import { KnownPaths } from "./known-paths.js";
import { installNativeHashing } from "./native-hashing.js";
import { createNodeIO } from "./nodeIO.js";
import { createStoreIO } from "./store-io.js";

/**
 * Open the local store named by Nix's `--store` / `store` setting: a directory (any spec with a `/`
 * that is not a URL, relative ones from the working directory) or `local?root=DIR` (physical root,
 * logical /nix/store); `auto`, `local` or nothing: the default root.
 */
export function openLocalStore(spec?: string, opts: { storeDir?: string | undefined } = {}): LocalStore {
  let root: string | undefined;
  if (spec !== undefined && spec !== "" && spec !== "auto" && spec !== "local") {
    const m = /^local\?(.*)$/.exec(spec);
    if (m) {
      const params = new URLSearchParams(m[1]);
      root = params.get("root") ?? undefined;
    } else if (!spec.includes("://") && spec.includes("/")) {
      // Nix's isNonUriPath: anything with a slash that is not a URL is a directory (made absolute).
      root = nodePath.resolve(spec);
    } else {
      throw new Error(`don't know how to open the Nix store '${spec}' (tsnix has local stores only)`);
    }
  }
  return new LocalStore({
    ...(root !== undefined ? { root } : {}),
    ...(opts.storeDir ? { storeDir: opts.storeDir } : {}),
  });
}

/** Nix's log directory beside a local store's state (`<root>/nix/var/log/tsnix`). */
export function logDirOf(store: LocalStore): string {
  return nodePath.join(nodePath.dirname(store.stateDir), "log", "tsnix");
}

/** The kept log file of a derivation's build in a local store. */
export function logFileOf(store: LocalStore, drvPath: string): string {
  return buildLogPath(logDirOf(store), drvPath);
}

function emptyStore(storeDir: string): StoreReader {
  const none = (path: string): never => {
    throw new Error(`path '${path}' is not valid`);
  };
  return {
    storeDir,
    isValidPath: () => false,
    lstat: () => undefined,
    readFile: none,
    readDirectory: none,
    readLink: none,
    resolvePath: (path) => path,
  };
}

export interface EvalSessionOptions {
  readonly env?: Record<string, string | undefined>;
  /** Where sources and .drv files go and store paths are read from. Absent: host file system only. */
  readonly store?: Store;
  /** Compute store paths but write nothing (--readonly-mode). */
  readonly readOnly?: boolean;
  /** The host's build bridge. Absent: a read that needs a build is a clear error. */
  readonly bridge?: BridgeEndpoint;
  /** Or a realiser given directly (tests, embedders). */
  readonly realise?: SyncRealiser;
  readonly allowImportFromDerivation?: boolean;
}

export interface EvalSession {
  readonly io: EvalIO;
  readonly knownPaths: KnownPaths;
  /** Let KnownPaths follow an evaluator's record of instantiated derivations. */
  follow(evaluator: { readonly knownDerivations: ReadonlyMap<string, Derivation> }): void;
  /** Store paths evaluation had to build (instantiation-time dependencies), in order. */
  readonly realised: string[];
  /** Realise derivations (blocking), or undefined without a build service. */
  readonly realise: SyncRealiser | undefined;
  close(): void;
}

export function createEvalSession(opts: EvalSessionOptions = {}): EvalSession {
  installNativeHashing();
  const nodeIO = createNodeIO(opts.env ? { env: opts.env } : {});
  const store = opts.store;
  const knownPaths = new KnownPaths(store?.storeDir ?? "/nix/store");
  const client = opts.bridge ? new BridgeClient(opts.bridge) : undefined;
  const realise = opts.realise ?? (client ? bridgeRealiser(client) : undefined);
  const realised: string[] = [];
  // Without a store nothing is valid: a read of a known output says that a build was needed.
  const reader: StoreReader = store ?? emptyStore(knownPaths.storeDir);
  const io = createBuildingIO(
    store !== undefined ? createStoreIO(store, nodeIO, { readOnly: opts.readOnly ?? false }) : nodeIO,
    {
      store: reader,
      knownPaths,
      ...(store !== undefined && realise ? { realise } : {}),
      allowImportFromDerivation: opts.allowImportFromDerivation ?? true,
      onRealised: (_known, outputs) => realised.push(...Object.values(outputs)),
    },
  );
  return {
    io,
    knownPaths,
    realised,
    realise,
    follow(evaluator) {
      knownPaths.follow(() => evaluator.knownDerivations);
    },
    close() {
      client?.close();
    },
  };
}

export interface BuildHostOptions {
  readonly store: LocalStore;
  readonly maxJobs?: number | undefined;
  readonly cores?: number | undefined;
  /** Seconds; 0 none. */
  readonly timeout?: number | undefined;
  readonly sandbox?: boolean | undefined;
  /** Replaces the default sandbox paths (Nix's `sandbox-paths`). */
  readonly sandboxPaths?: readonly string[] | undefined;
  readonly extraSandboxPaths?: readonly string[] | undefined;
  readonly keepFailed?: boolean | undefined;
  readonly logLines?: number | undefined;
  readonly onEvent?: ((e: BuildEvent) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface BuildHost {
  readonly scheduler: Scheduler;
  readonly bridge: BridgeHost;
  readonly logDir: string;
}

/** Host side: a scheduler over a local builder, served over a bridge (open a channel per worker). */
export function createBuildHost(opts: BuildHostOptions): BuildHost {
  const { store } = opts;
  const builder = new LocalBuilder({
    store,
    ...(opts.cores !== undefined && opts.cores > 0 ? { cores: opts.cores } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
    ...(opts.sandboxPaths ? { sandboxPaths: opts.sandboxPaths } : {}),
    ...(opts.extraSandboxPaths ? { extraSandboxPaths: opts.extraSandboxPaths } : {}),
    ...(opts.keepFailed !== undefined ? { keepFailed: opts.keepFailed } : {}),
    ...(opts.logLines !== undefined ? { logLines: opts.logLines } : {}),
  });
  const logDir = logDirOf(store);
  const scheduler = new Scheduler({
    store,
    builder,
    ...(opts.maxJobs !== undefined ? { maxJobs: opts.maxJobs } : {}),
    logDir,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  const bridge = createBridgeHost(buildBridgeHandlers(scheduler, opts.signal ? { signal: opts.signal } : {}));
  return { scheduler, bridge, logDir };
}
