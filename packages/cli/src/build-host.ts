// The main-thread side of builds, shared by `tsnix build` / `instantiate --store` (build-command.ts)
// and `tsnix repl` (repl/host.ts): the local store, a LocalBuilder + Scheduler behind @tsnix/glue's
// bridge, and the progress display on stderr ("building '…'...", the build's log lines, a status
// line on a terminal). Evaluation workers get a bridge channel each.
import type { BridgeEndpoint, BuildEvent } from "@tsnix/glue";
import type { LocalStore } from "@tsnix/store";
import { applySetting, boolSetting, loadNixConfig, type Settings } from "./nixconf.js";
import { createProgress, type ProgressStream } from "./progress.js";

/** @tsnix/glue is loaded only when a command needs the store (it costs ~250 ms of start-up). */
type Glue = typeof import("@tsnix/glue");
export const loadGlue = (): Promise<Glue> => import("@tsnix/glue");

/**
 * nix.conf, then the command line. `sandbox-paths` and `extra-sandbox-paths` both ADD to our default
 * (/bin/sh with its libraries): nix.conf parsing merges `extra-X` into `X`, so they cannot be told
 * apart, and a sandbox without /bin/sh would be of little use (a choice; Nix replaces the default).
 */
export function buildSettings(
  o: { readonly settings: Readonly<Record<string, string>> },
  env: Record<string, string | undefined>,
): { settings: Settings; extraSandboxPaths: string[] } {
  const settings = loadNixConfig(env);
  for (const [name, value] of Object.entries(o.settings)) applySetting(settings, name, value);
  const extraSandboxPaths = (settings["sandbox-paths"] ?? "").split(/\s+/).filter(Boolean);
  return { settings, extraSandboxPaths };
}

function intSetting(settings: Settings, name: string): number | undefined {
  const v = settings[name];
  if (v === undefined) return undefined;
  if (v === "auto") return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value '${v}' for setting '${name}'`);
  return n;
}

function sandboxSetting(settings: Settings): boolean | undefined {
  const v = settings.sandbox;
  if (v === undefined || v === "relaxed") return undefined;
  return boolSetting(settings, "sandbox", true);
}

export interface BuildDisplay {
  /** Do not show build logs (-Q). */
  readonly quiet: boolean;
  /** Prefix log lines with the derivation's name (-L). */
  readonly printLogs: boolean;
}

export interface WorkerChannel {
  readonly endpoint: BridgeEndpoint;
  /** Transfer these with the endpoint (workerData or postMessage). */
  readonly transferList: readonly unknown[];
  /** Cancel this worker's builds (a build another worker also waits for goes on) and close the channel. */
  close(): void;
}

export interface CliBuildHost {
  readonly store: LocalStore;
  readonly logDir: string;
  /** A bridge channel for one evaluation worker. */
  openChannel(): WorkerChannel;
  /** Cancel every build (builders are killed) and erase the status line. */
  abort(): void;
  /** Close channels and the store. Only once the workers are gone (a waiting worker would hang). */
  close(): void;
}

/** Store, builder and scheduler as `settings` say; progress and logs on `stderr`. */
export async function openCliBuildHost(
  settings: Settings,
  extraSandboxPaths: readonly string[],
  display: BuildDisplay,
  stderr: ProgressStream,
  env: Record<string, string | undefined>,
): Promise<CliBuildHost> {
  const glue = await loadGlue();
  const store = glue.openLocalStore(settings.store, { storeDir: env.NIX_STORE_DIR });
  const progress = createProgress(stderr);
  const running = new Set<string>();
  let done = 0;
  const name = (drvPath: string) => drvPath.slice(drvPath.indexOf("-") + 1).replace(/\.drv$/, "");
  // The status line is shown only while something builds, so stdout never lands behind it.
  const status = () => {
    if (running.size === 0) progress.done();
    else progress.update(`[${done} built, ${running.size} building] ${[...running].map(name).join(", ")}`);
  };
  const onEvent = (e: BuildEvent) => {
    switch (e.type) {
      case "started":
        running.add(e.drvPath);
        progress.log(`building '${e.drvPath}'...`);
        status();
        break;
      case "log":
        if (!display.quiet) progress.log(display.printLogs ? `${name(e.drvPath)}> ${e.line}` : e.line);
        break;
      case "finished":
        running.delete(e.drvPath);
        if (e.success) done++;
        status();
        break;
    }
  };
  const abort = new AbortController();
  let buildHost: ReturnType<Glue["createBuildHost"]>;
  try {
    buildHost = glue.createBuildHost({
      store,
      maxJobs: intSetting(settings, "max-jobs") || undefined,
      cores: intSetting(settings, "cores"),
      timeout: intSetting(settings, "timeout"),
      sandbox: sandboxSetting(settings),
      extraSandboxPaths,
      keepFailed: boolSetting(settings, "keep-failed", false),
      logLines: intSetting(settings, "log-lines"),
      onEvent,
      signal: abort.signal,
    });
  } catch (e) {
    store.close();
    throw e;
  }
  const { scheduler } = buildHost;
  const channels = new Set<{ close(): void }>();
  return {
    store,
    logDir: buildHost.logDir,
    openChannel() {
      // A bridge per worker, so that one worker's builds can be cancelled on their own.
      const own = new AbortController();
      const bridge = glue.createBridgeHost(
        glue.buildBridgeHandlers(scheduler, { signal: AbortSignal.any([abort.signal, own.signal]) }),
      );
      const channel = bridge.openChannel();
      const entry = {
        close() {
          own.abort();
          bridge.close();
          channels.delete(entry);
        },
      };
      channels.add(entry);
      return { endpoint: channel.endpoint, transferList: channel.transferList, close: entry.close };
    },
    abort() {
      abort.abort();
      progress.done();
    },
    close() {
      progress.done();
      for (const c of [...channels]) c.close();
      buildHost.bridge.close();
      store.close();
    },
  };
}
