// The small protocol between the main thread and the evaluation worker.
// Evaluation runs in a worker thread because only there can the JS stack be
// made large (resourceLimits.stackSizeMb), so deep non-tail recursion in Nix
// code works. The worker writes stdout/stderr itself (synchronously, to the
// process's descriptors) and reports its exit code with one message. Later the
// host will also answer build requests here (over a SharedArrayBuffer).
import { setFlagsFromString } from "node:v8";
import { Worker, parentPort, workerData } from "node:worker_threads";

/**
 * Stack of the evaluation thread, in MiB (also settable with TSNIX_STACK_MB):
 * 1e6-deep non-tail Nix recursion needs ~600 MiB, a 1e6-element foldr more
 * (packages/eval/README.md). It is address space, committed only when used.
 */
export const DEFAULT_STACK_MB = 2048;
/** Young generation of the worker: with a deep stack each scavenge scans all of it, so fewer, larger ones. */
const YOUNG_GENERATION_MB = 1024;
const MIN_SEMI_SPACE_MB = 64;

export interface WorkerTask {
  readonly command: "instantiate" | "eval";
  readonly argv: readonly string[];
}

export type WorkerMessage = { readonly type: "exit"; readonly code: number };

const WORKER_ENTRY = new URL("./worker.js", import.meta.url);

function stackMb(): number {
  const fromEnv = Number(process.env.TSNIX_STACK_MB);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_STACK_MB;
}

/** Host side: runs `task` in a fresh worker; resolves with the exit code it reports. */
export function runInWorker(task: WorkerTask): Promise<number> {
  // Process-wide V8 flag, read when the worker's heap is created.
  setFlagsFromString(`--min-semi-space-size=${MIN_SEMI_SPACE_MB}`);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number) => {
      if (!settled) {
        settled = true;
        resolve(code);
      }
    };
    const worker = new Worker(WORKER_ENTRY, {
      workerData: task,
      resourceLimits: { stackSizeMb: stackMb(), maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
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
