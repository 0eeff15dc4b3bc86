// Library entry of @tsnix/cli: the pieces other packages and tests may reuse.
export { parseInstantiateArgs, defaultOptions, FLAGS, SETTINGS, type InstantiateOptions } from "./options.js";
export { runInstantiate, type RunContext } from "./instantiate.js";
export { runInWorker, type WorkerTask } from "./worker-protocol.js";
export { createProgress, type Progress } from "./progress.js";
export { memoryOutput, processOutput, type Output } from "./output.js";
