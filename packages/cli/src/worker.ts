// Entry point of the evaluation worker (see worker-protocol.ts). Started as it is (tsc's output)
// or, normally, from the one-file bundle through worker-boot.ts, which calls `runWorker` itself.
import { getParser } from "@tsnix/parser";
import { connectingRealiser } from "./bridge-connect.js";
import { currentTask, reportExit } from "./worker-protocol.js";
import { runInstantiate } from "./instantiate.js";
import { processOutput } from "./output.js";

export { reportExit };

/** Runs the task this worker was started with; resolves with its exit code (not yet reported). */
export async function runWorker(): Promise<number> {
  // Build the parser (~10 ms) now: a worker started early does it while the host reads the command line.
  getParser();
  const task = await currentTask();
  let code: number;
  try {
    code = await runInstantiate(
      task.argv,
      {
        env: process.env,
        cwd: process.cwd(),
        out: processOutput,
        ...(task.bridgeSetup ? { realise: connectingRealiser(task.bridgeSetup) } : {}),
      },
      task.command,
    );
  } catch (e) {
    processOutput.stderr(
      `error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    code = 1;
  }
  return code;
}

if (!(globalThis as { __tsnixBundle?: boolean }).__tsnixBundle) void runWorker().then(reportExit);
