// Entry of the build host's thread (build-host-thread.ts): opens the store and builder on the first
// request, as the CLI's main thread does for its evaluation workers. Writes progress and build logs
// to fd 2 synchronously, because the main thread, blocked in evaluation, cannot forward a worker's
// process.stderr meanwhile.
import { isatty } from "node:tty";
import { parentPort, workerData } from "node:worker_threads";
import { serveBridgeSetup } from "./bridge-setup.js";
import type { HostThreadData } from "./build-host-thread.js";
import { writeAll } from "./output.js";
import { lazyBuildHost } from "./worker-protocol.js";

const { task, port, signal } = workerData as HostThreadData;
const stderr = { isTTY: isatty(2), write: (s: string) => writeAll(2, s) };
const builds = lazyBuildHost(task, stderr);
const served = serveBridgeSetup(port, signal, async () => (await builds.connect()).openChannel());
parentPort!.on("message", (m: unknown) => {
  if (m !== "close") return;
  served.close();
  void builds.close().finally(() => parentPort!.close());
});
