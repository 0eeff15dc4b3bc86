// The small protocol between the main thread and the evaluation worker.
// Evaluation runs in a worker thread because only there can the JS stack be
// made large (resourceLimits.stackSizeMb), so deep non-tail recursion in Nix
// code works. The worker writes stdout/stderr itself (synchronously, to the
// process's descriptors) and reports its exit code with one message. When evaluation
// needs a build (import-from-derivation), the worker asks for a build bridge through
// bridge-setup.ts; the host opens the store and builder only then.
import { existsSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { Worker, parentPort, workerData } from "node:worker_threads";
import { openBridgeSetup, type BridgeSetup } from "./bridge-setup.js";
import { buildSettings, openCliBuildHost, type CliBuildHost } from "./build-host.js";
import { applySetting, loadNixConfig } from "./nixconf.js";
import { parseEvalArgs, parseInstantiateArgs } from "./options.js";

/**
 * Stack of the evaluation thread, in MiB (also settable with TSNIX_STACK_MB):
 * 1e6-deep non-tail Nix recursion needs ~600 MiB, a 1e6-element foldr more
 * (packages/eval/README.md). It is address space, committed only when used.
 */
export const DEFAULT_STACK_MB = 2048;
/**
 * Young generation of the worker. With a deep stack each scavenge scans all of it, so deep runs get
 * fewer, larger ones; ordinary runs a small one, which halves peak RSS on allocation-heavy code
 * (module-system workload: 483 -> 258 MB) at no cost in time (bench/README.md).
 */
const YOUNG_GENERATION_MB = { deep: 1024, ordinary: 16 };
const MIN_SEMI_SPACE_MB = 64;
/** Nix's default max-call-depth: the JS stack stays shallow enough for the default young generation. */
const DEFAULT_MAX_CALL_DEPTH = 10000;

/**
 * Whether this run may recurse deeply (`max-call-depth` raised above Nix's default), so that a
 * large minimum semi-space pays off (1e6-deep recursion: 2.1 s -> 1.3 s of CPU). Setting any heap
 * flag costs every worker ~50 ms of start-up, so it is only done then.
 */
export function mayRecurseDeeply(
  task: WorkerTask,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const parsed = task.command === "eval" ? parseEvalArgs(task.argv) : parseInstantiateArgs(task.argv);
  if (!parsed.ok) return false;
  const settings = loadNixConfig(env);
  for (const [name, value] of Object.entries(parsed.options.settings)) applySetting(settings, name, value);
  const depth = Number(settings["max-call-depth"] ?? DEFAULT_MAX_CALL_DEPTH);
  return !(depth <= DEFAULT_MAX_CALL_DEPTH);
}

export interface WorkerTask {
  readonly command: "instantiate" | "eval";
  readonly argv: readonly string[];
  /** How the worker asks for builds (absent: evaluation that needs a build fails saying so). */
  readonly bridgeSetup?: BridgeSetup;
}

export type WorkerMessage = { readonly type: "exit"; readonly code: number };

/**
 * A worker's code: normally the one-file bundle the build writes (scripts/bundle.mjs) — for the
 * evaluation worker `worker.bundle.cjs`, started by worker-boot.js with V8's code cache, for the
 * others (`bridge-worker`, `repl/worker`) `NAME.bundle.js`. In a tree built with `tsc -b` alone
 * (or with TSNIX_NO_BUNDLE=1): tsc's output module by module (correct, much slower to start).
 */
export function workerEntry(name = "worker"): URL {
  const useBundle = process.env.TSNIX_NO_BUNDLE !== "1";
  if (name === "worker") {
    if (useBundle && existsSync(new URL("./worker.bundle.cjs", import.meta.url)))
      return new URL("./worker-boot.js", import.meta.url);
  } else {
    const bundle = new URL(`./${name}.bundle.js`, import.meta.url);
    if (useBundle && existsSync(bundle)) return bundle;
  }
  return new URL(`./${name}.js`, import.meta.url);
}

function stackMb(): number {
  const fromEnv = Number(process.env.TSNIX_STACK_MB);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_STACK_MB;
}

/**
 * The store and builder for a worker's import-from-derivation, opened on its first build (the
 * settings are those of the command line and nix.conf, as for `tsnix build`).
 */
function lazyBuildHost(task: WorkerTask): { connect: () => Promise<CliBuildHost>; close(): Promise<void> } {
  let host: Promise<CliBuildHost> | null = null;
  return {
    connect: () =>
      (host ??= (async () => {
        const parsed = task.command === "eval" ? parseEvalArgs(task.argv) : parseInstantiateArgs(task.argv);
        if (!parsed.ok) throw new Error(parsed.message);
        const { settings, extraSandboxPaths } = buildSettings(parsed.options, process.env);
        const display = { quiet: false, printLogs: false };
        return openCliBuildHost(settings, extraSandboxPaths, display, process.stderr, process.env);
      })()),
    async close() {
      if (host !== null) (await host.catch(() => null))?.close();
    },
  };
}

/** Host side: runs `task` in a fresh worker; resolves with the exit code it reports. */
export async function runInWorker(task: WorkerTask): Promise<number> {
  const builds = lazyBuildHost(task);
  const setup = openBridgeSetup(async () => (await builds.connect()).openChannel());
  try {
    return await runWorkerThread({ ...task, bridgeSetup: setup.setup }, setup.transferList);
  } finally {
    setup.close();
    await builds.close();
  }
}

function runWorkerThread(task: WorkerTask, transferList: readonly unknown[]): Promise<number> {
  // Process-wide V8 flag, read when the worker's heap is created.
  const deep = mayRecurseDeeply(task);
  if (deep) setFlagsFromString(`--min-semi-space-size=${MIN_SEMI_SPACE_MB}`);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number) => {
      if (!settled) {
        settled = true;
        resolve(code);
      }
    };
    const worker = new Worker(workerEntry(), {
      workerData: task,
      transferList: transferList as never[],
      resourceLimits: {
        stackSizeMb: stackMb(),
        maxYoungGenerationSizeMb: deep ? YOUNG_GENERATION_MB.deep : YOUNG_GENERATION_MB.ordinary,
      },
      stdout: false,
      stderr: false,
    });
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "exit") settle(m.code);
    });
    worker.on("error", (e: Error) => {
      process.stderr.write(`error: internal error in the evaluation thread: ${e.stack ?? e.message}\n`);
      settle(1);
    });
    worker.on("exit", (code) => settle(code === 0 ? 0 : 1));
  });
}

/** Worker side: the task this worker was started with. */
export function currentTask(): WorkerTask {
  return workerData as WorkerTask;
}

/** Worker side: report the exit code to the host. */
export function reportExit(code: number): void {
  parentPort?.postMessage({ type: "exit", code } satisfies WorkerMessage);
}
