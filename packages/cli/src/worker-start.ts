// Starting the evaluation worker, in a module of its own so that main.ts can start one before it
// loads anything else: the worker's bootstrap (Node's ~25 ms, then the bundle and the parser) runs
// on another core while the main thread loads its modules and reads the command line. Such a
// worker waits for its task (`WorkerTask`, sent by worker-protocol.ts) as its first message.
import { existsSync } from "node:fs";
import { Worker, isMainThread } from "node:worker_threads";

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
export const YOUNG_GENERATION_MB = { deep: 1024, ordinary: 16 };

/**
 * The V8 flags bin/tsnix starts Node with when it could raise the stack limit to 64 MiB (as Nix does
 * for itself): a stack deep enough for Nix's default max-call-depth, and the worker's young
 * generation. Evaluation then runs on the main thread, without a worker's ~40 ms of start-up.
 * bin/tsnix spells them out too (test/cli/bundle.test.ts checks they agree).
 */
export const MAIN_THREAD_FLAGS = ["--stack-size=60000", "--max-semi-space-size=5"] as const;

/** Whether Node was started with MAIN_THREAD_FLAGS (workers inherit the answer). */
export function startedWithMainThreadFlags(): boolean {
  return MAIN_THREAD_FLAGS.every((f) => process.execArgv.includes(f));
}

/** Whether this thread may evaluate: the main thread of a Node started with MAIN_THREAD_FLAGS. */
export function onMainThreadStack(): boolean {
  return isMainThread && startedWithMainThreadFlags();
}

/** workerData of a worker started before its task is known. */
export const AWAIT_TASK = "await-task";

/**
 * A worker's code: normally the one-file bundle the build writes (scripts/bundle.mjs) — for the
 * evaluation worker `worker.bundle.cjs`, started by worker-boot.cjs with V8's code cache, for the
 * others (`bridge-worker`, `repl/worker`) `NAME.bundle.js`. In a tree built with `tsc -b` alone
 * (or with TSNIX_NO_BUNDLE=1): tsc's output module by module (correct, much slower to start).
 */
export function workerEntry(name = "worker"): URL {
  const useBundle = process.env.TSNIX_NO_BUNDLE !== "1";
  if (name === "worker") {
    const boot = new URL("./worker-boot.cjs", import.meta.url);
    if (useBundle && existsSync(new URL("./worker.bundle.cjs", import.meta.url)) && existsSync(boot))
      return boot;
  } else {
    const bundle = new URL(`./${name}.bundle.js`, import.meta.url);
    if (useBundle && existsSync(bundle)) return bundle;
  }
  return new URL(`./${name}.js`, import.meta.url);
}

export function stackMb(): number {
  const fromEnv = Number(process.env.TSNIX_STACK_MB);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_STACK_MB;
}

export interface EvalWorker {
  readonly worker: Worker;
  /**
   * Settles when the thread has ended, with its exit code and the error it died of. Listened for
   * from the start, so that an early worker that fails before its task is sent is not missed.
   */
  readonly ended: Promise<{ readonly code: number; readonly error: Error | null }>;
}

/** An evaluation worker; with `workerData` AWAIT_TASK it waits for its task as a message. */
export function newEvalWorker(
  workerData: unknown,
  deep: boolean,
  transferList: readonly unknown[] = [],
): EvalWorker {
  const worker = new Worker(workerEntry(), {
    workerData,
    transferList: transferList as never[],
    resourceLimits: {
      stackSizeMb: stackMb(),
      maxYoungGenerationSizeMb: deep ? YOUNG_GENERATION_MB.deep : YOUNG_GENERATION_MB.ordinary,
    },
    stdout: false,
    stderr: false,
  });
  const ended = new Promise<{ code: number; error: Error | null }>((resolve) => {
    let error: Error | null = null;
    worker.on("error", (e: Error) => (error = e));
    worker.on("exit", (code) => resolve({ code, error }));
  });
  return { worker, ended };
}

/** Start an ordinary evaluation worker now; worker-protocol.ts's runInWorker gives it its task. */
export function startEvalWorker(): EvalWorker {
  return newEvalWorker(AWAIT_TASK, false);
}
