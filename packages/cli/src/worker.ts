// The evaluation's code, run in the evaluation worker (see worker-protocol.ts) — started as it is
// (tsc's output) or, normally, from the one-file bundle through worker-boot.ts, which calls
// `runWorker` itself — or on the main thread (`runOnThisThread`, when bin/tsnix gave it a big stack).
import { getParser } from "@tsnix/parser";
import type { SyncRealiser } from "@tsnix/glue";
import { connectingRealiser } from "./bridge-connect.js";
import { hostThreadRealiser, type HostThreadTask } from "./build-host-thread.js";
import { currentTask, mayRecurseDeeply, reportExit } from "./worker-protocol.js";
import { runInstantiate } from "./instantiate.js";
import { processOutput } from "./output.js";

export { reportExit };

async function run(task: HostThreadTask, realise: SyncRealiser | undefined): Promise<number> {
  try {
    return await runInstantiate(
      task.argv,
      { env: process.env, cwd: process.cwd(), out: processOutput, ...(realise ? { realise } : {}) },
      task.command,
    );
  } catch (e) {
    processOutput.stderr(
      `error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 1;
  }
}

/** Runs the task this worker was started with; resolves with its exit code (not yet reported). */
export async function runWorker(): Promise<number> {
  // Build the parser (~10 ms) now: a worker started early does it while the host reads the command line.
  getParser();
  const task = await currentTask();
  return run(task, task.bridgeSetup ? connectingRealiser(task.bridgeSetup) : undefined);
}

/**
 * Runs `task` on this thread, with builds in a thread of their own; a store (`--store`, the `store`
 * setting) is opened here as in any evaluation (instantiate-store.ts). Null when it needs a worker
 * after all: a run that may recurse deeply.
 */
export async function runOnThisThread(task: HostThreadTask): Promise<number | null> {
  if (mayRecurseDeeply({ command: task.command, argv: task.argv })) return null;
  const builds = hostThreadRealiser(task);
  try {
    return await run(task, builds.realise);
  } finally {
    await builds.close();
  }
}

if (!(globalThis as { __tsnixBundle?: boolean }).__tsnixBundle) void runWorker().then(reportExit);
