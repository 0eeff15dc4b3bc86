// Entry point of the evaluation worker (see worker-protocol.ts).
import { currentTask, reportExit } from "./worker-protocol.js";
import { runInstantiate } from "./instantiate.js";
import { processOutput } from "./output.js";

const task = currentTask();
let code: number;
try {
  code = await runInstantiate(
    task.argv,
    { env: process.env, cwd: process.cwd(), out: processOutput },
    task.command,
  );
} catch (e) {
  processOutput.stderr(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  code = 1;
}
reportExit(code);
