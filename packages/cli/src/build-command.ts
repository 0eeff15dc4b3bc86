// `tsnix build` (nix-build) and `tsnix log`, host side. The main thread owns the store's build
// side (LocalBuilder + Scheduler, behind the sync↔async bridge of @tsnix/glue); evaluation runs in
// a worker with a big stack (bridge-worker.ts), which instantiates, asks the host to realise what
// it needs (import-from-derivation included) and prints the result.
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { parseEvalArgs, parseInstantiateArgs, type InstantiateOptions } from "./options.js";
import type { BridgeEndpoint } from "@tsnix/glue";
import { buildSettings, loadGlue, openCliBuildHost } from "./build-host.js";
import { DEFAULT_STACK_MB, workerEntry } from "./worker-protocol.js";

export { buildSettings } from "./build-host.js";

export const BUILD_USAGE = `Usage: tsnix build [OPTION]... [FILE | -E EXPR]...

Build the derivations the expressions evaluate to (as nix-build), print their output paths and
create 'result' symlinks to them. Evaluation may build (import-from-derivation) on the way.

Options (besides nix-instantiate's -A, --arg, --argstr, -I, --option, --show-trace, ...):
  -o, --out-link PATH     name of the result symlink (default 'result')
      --no-out-link       do not create result symlinks
  -j, --max-jobs N        builds to run at once
      --cores N           NIX_BUILD_CORES of each build
      --timeout SECONDS   kill builds running longer
      --store ROOT        a local store rooted at ROOT (also local?root=ROOT)
  -K, --keep-failed       keep the build directory of failed builds
  -Q, --no-build-output   do not show build logs
`;

const TRY_HELP = "Try 'tsnix build --help' for more information.";

export interface BuildOptions {
  readonly eval: InstantiateOptions;
  readonly outLink: string | null;
  readonly quiet: boolean;
  readonly printLogs: boolean;
}

export type BuildParse = { ok: true; options: BuildOptions } | { ok: false; message: string };

/** nix-build's flags on top of nix-instantiate's (which already know --max-jobs, --cores, --store ...). */
export function parseBuildArgs(argv: readonly string[]): BuildParse {
  const rest: string[] = [];
  let outLink: string | null = "result";
  let quiet = false;
  let printLogs = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out-link" || a === "-o") {
      const v = argv[++i];
      if (v === undefined) return { ok: false, message: `flag '${a}' requires 1 argument` };
      outLink = v;
    } else if (a === "--no-out-link") outLink = null;
    else if (a === "-Q" || a === "--no-build-output") quiet = true;
    else if (a === "-L" || a === "--print-build-logs") printLogs = true;
    else if (a === "--dry-run")
      return { ok: false, message: "'--dry-run' is not supported by tsnix build yet" };
    else rest.push(a);
  }
  const parsed = parseInstantiateArgs(rest);
  if (!parsed.ok) return parsed;
  return { ok: true, options: { eval: parsed.options, outLink, quiet, printLogs } };
}

export interface HostEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  stderr: { isTTY?: boolean; columns?: number; write(s: string): unknown };
}

const defaultHostEnv = (): HostEnv => ({ env: process.env, cwd: process.cwd(), stderr: process.stderr });

/** Worker task of bridge-worker.ts. */
export interface BridgeWorkerTask {
  readonly command: "build" | "instantiate" | "eval";
  readonly argv: readonly string[];
  readonly endpoint: BridgeEndpoint;
  readonly cwd: string;
}

/** The host side of a worker that may build: scheduler + progress, then run the worker. */
export async function runWithBuildHost(
  command: BridgeWorkerTask["command"],
  argv: readonly string[],
  opts: { quiet: boolean; printLogs: boolean; evalOptions: InstantiateOptions },
  host: HostEnv = defaultHostEnv(),
): Promise<number> {
  const { settings, extraSandboxPaths } = buildSettings(opts.evalOptions, host.env);
  const buildHost = await openCliBuildHost(settings, extraSandboxPaths, opts, host.stderr, host.env);
  const channel = buildHost.openChannel();
  const onSignal = () => {
    buildHost.abort();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await runBridgeWorker(
      { command, argv, endpoint: channel.endpoint, cwd: host.cwd },
      channel.transferList,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    channel.close();
    buildHost.close();
  }
}

function stackMb(): number {
  const fromEnv = Number(process.env.TSNIX_STACK_MB);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_STACK_MB;
}

function runBridgeWorker(task: BridgeWorkerTask, transferList: readonly unknown[]): Promise<number> {
  setFlagsFromString("--min-semi-space-size=64");
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number) => {
      if (!settled) {
        settled = true;
        resolve(code);
      }
    };
    const worker = new Worker(workerEntry("bridge-worker"), {
      workerData: task,
      transferList: transferList as never[],
      resourceLimits: { stackSizeMb: stackMb(), maxYoungGenerationSizeMb: 1024 },
      stdout: false,
      stderr: false,
    });
    worker.on("message", (m: { type: string; code: number }) => {
      if (m.type === "exit") settle(m.code);
    });
    worker.on("error", (e: Error) => {
      process.stderr.write(`error: internal error in the evaluation thread: ${e.stack ?? e.message}\n`);
      settle(1);
    });
    worker.on("exit", (code) => settle(code === 0 ? 0 : 1));
  });
}

/** `tsnix build ARGS`. */
export async function buildMain(argv: readonly string[], host: HostEnv = defaultHostEnv()): Promise<number> {
  const parsed = parseBuildArgs(argv);
  if (!parsed.ok) {
    host.stderr.write(`error: ${parsed.message}\n${TRY_HELP}\n`);
    return 1;
  }
  const o = parsed.options;
  if (o.eval.help) {
    process.stdout.write(BUILD_USAGE);
    return 0;
  }
  try {
    return await runWithBuildHost(
      "build",
      argv,
      { quiet: o.quiet, printLogs: o.printLogs, evalOptions: o.eval },
      host,
    );
  } catch (e) {
    host.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

/** `tsnix log [--store ROOT] DRV-OR-OUTPUT...`: the kept build log. */
export async function logMain(argv: readonly string[], host: HostEnv = defaultHostEnv()): Promise<number> {
  const paths: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--store" || a === "--option") {
      rest.push(a, ...argv.slice(i + 1, i + (a === "--option" ? 3 : 2)));
      i += a === "--option" ? 2 : 1;
    } else if (a === "--help") {
      process.stdout.write("Usage: tsnix log [--store ROOT] DRV-PATH | OUTPUT-PATH...\n");
      return 0;
    } else paths.push(a);
  }
  const parsed = parseInstantiateArgs(rest);
  if (!parsed.ok) {
    host.stderr.write(`error: ${parsed.message}\n`);
    return 1;
  }
  if (paths.length === 0) {
    host.stderr.write("error: 'tsnix log' needs a store path\n");
    return 1;
  }
  try {
    const glue = await loadGlue();
    const { settings } = buildSettings(parsed.options, host.env);
    const store = glue.openLocalStore(settings.store, { storeDir: host.env.NIX_STORE_DIR });
    try {
      const { readFile } = await import("node:fs/promises");
      for (const p of paths) {
        const drvPath = p.endsWith(".drv")
          ? p
          : (store.queryPathInfo(p)?.deriver ?? store.queryValidDerivers(p)[0]);
        const text =
          drvPath === undefined
            ? undefined
            : await readFile(glue.logFileOf(store, drvPath), "utf8").catch(() => undefined);
        if (text === undefined) {
          host.stderr.write(`error: build log of '${p}' is not available\n`);
          return 1;
        }
        process.stdout.write(text);
      }
      return 0;
    } finally {
      store.close();
    }
  } catch (e) {
    host.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

/**
 * The parsed options of a run that evaluates with a store (see withStoreMain), or null: arguments
 * in error, --help, --version, --parse, or no store configured (then evaluation has none).
 */
export function withStoreOptions(
  program: "instantiate" | "eval",
  argv: readonly string[],
  env: Record<string, string | undefined>,
): InstantiateOptions | null {
  const parsed = program === "eval" ? parseEvalArgs(argv) : parseInstantiateArgs(argv);
  if (!parsed.ok || parsed.options.help || parsed.options.version || parsed.options.parseOnly) return null;
  return buildSettings(parsed.options, env).settings.store === undefined ? null : parsed.options;
}

/**
 * `tsnix instantiate` / `tsnix eval` with a store (`--store ROOT`, `--option store`, nix.conf):
 * evaluation may then write sources and .drv files and build (import-from-derivation) through the
 * build host. Returns null when no store is configured: the caller evaluates without one.
 */
export async function withStoreMain(
  program: "instantiate" | "eval",
  argv: readonly string[],
  host: HostEnv = defaultHostEnv(),
): Promise<number | null> {
  const parsed = withStoreOptions(program, argv, host.env);
  if (parsed === null) return null;
  try {
    return await runWithBuildHost(
      program,
      argv,
      { quiet: false, printLogs: false, evalOptions: parsed },
      host,
    );
  } catch (e) {
    host.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
