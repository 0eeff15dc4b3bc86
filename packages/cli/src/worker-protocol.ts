// The small protocol between the main thread and the evaluation worker.
// Evaluation runs in a worker thread because only there can the JS stack be
// made large (resourceLimits.stackSizeMb), so deep non-tail recursion in Nix
// code works. The worker writes stdout/stderr itself (synchronously, to the
// process's descriptors) and reports its exit code with one message. When evaluation
// needs a build (import-from-derivation), the worker asks for a build bridge through
// bridge-setup.ts; the host opens the store and builder only then.
import { setFlagsFromString } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { openBridgeSetup, type BridgeSetup } from "./bridge-setup.js";
import { buildSettings, openCliBuildHost, type CliBuildHost } from "./build-host.js";
import { applySetting, loadNixConfig } from "./nixconf.js";
import type { ProgressStream } from "./progress.js";
import { parseEvalArgs, parseInstantiateArgs } from "./options.js";
import { AWAIT_TASK, newEvalWorker, type EvalWorker } from "./worker-start.js";

export { DEFAULT_STACK_MB, workerEntry } from "./worker-start.js";

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
/** To a worker started with AWAIT_TASK: what to run. */
export type HostMessage = { readonly type: "task"; readonly task: WorkerTask };

/**
 * The store and builder for a worker's import-from-derivation, opened on its first build (the
 * settings are those of the command line and nix.conf, as for `tsnix build`).
 */
export function lazyBuildHost(
  task: Pick<WorkerTask, "command" | "argv">,
  stderr: ProgressStream = process.stderr,
): { connect: () => Promise<CliBuildHost>; close(): Promise<void> } {
  let host: Promise<CliBuildHost> | null = null;
  return {
    connect: () =>
      (host ??= (async () => {
        const parsed = task.command === "eval" ? parseEvalArgs(task.argv) : parseInstantiateArgs(task.argv);
        if (!parsed.ok) throw new Error(parsed.message);
        const { settings, extraSandboxPaths } = buildSettings(parsed.options, process.env);
        const display = { quiet: false, printLogs: false };
        return openCliBuildHost(settings, extraSandboxPaths, display, stderr, process.env);
      })()),
    async close() {
      if (host !== null) (await host.catch(() => null))?.close();
    },
  };
}

/**
 * Host side: runs `task` in a worker — `early` (from startEvalWorker, waiting for a task) when given
 * and suitable, else a fresh one; resolves with the exit code it reports.
 */
export async function runInWorker(task: WorkerTask, early?: EvalWorker): Promise<number> {
  const builds = lazyBuildHost(task);
  const setup = openBridgeSetup(async () => (await builds.connect()).openChannel());
  try {
    return await runWorkerThread({ ...task, bridgeSetup: setup.setup }, setup.transferList, early);
  } finally {
    setup.close();
    await builds.close();
  }
}

function runWorkerThread(
  task: WorkerTask,
  transferList: readonly unknown[],
  early?: EvalWorker,
): Promise<number> {
  const deep = mayRecurseDeeply(task);
  let thread: EvalWorker;
  if (early !== undefined && !deep) {
    early.worker.postMessage({ type: "task", task } satisfies HostMessage, transferList as never[]);
    thread = early;
  } else {
    // An early worker has an ordinary heap; a deep run needs its own (rare: max-call-depth raised).
    void early?.worker.terminate();
    // Process-wide V8 flag, read when the worker's heap is created.
    if (deep) setFlagsFromString(`--min-semi-space-size=${MIN_SEMI_SPACE_MB}`);
    thread = newEvalWorker(task, deep, transferList);
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number) => {
      if (!settled) {
        settled = true;
        resolve(code);
      }
    };
    thread.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "exit") settle(m.code);
    });
    void thread.ended.then(({ code, error }) => {
      if (error !== null)
        process.stderr.write(
          `error: internal error in the evaluation thread: ${error.stack ?? error.message}\n`,
        );
      settle(error === null && code === 0 ? 0 : 1);
    });
  });
}

/** Worker side: the task this worker was started with, or sent once it had started. */
export function currentTask(): Promise<WorkerTask> {
  if (workerData !== AWAIT_TASK) return Promise.resolve(workerData as WorkerTask);
  return new Promise((resolve) => parentPort!.once("message", (m: HostMessage) => resolve(m.task)));
}

/** Worker side: report the exit code to the host. */
export function reportExit(code: number): void {
  parentPort?.postMessage({ type: "exit", code } satisfies WorkerMessage);
}
