// Builds for an evaluation that runs on the main thread (bin/tsnix's big-stack mode): the build host
// (store, builder, scheduler) gets a thread of its own, started on the first build, and the main
// thread then blocks on the bridge exactly as an evaluation worker does (bridge-connect.ts).
import { once } from "node:events";
import { MessageChannel, Worker } from "node:worker_threads";
import type { SyncRealiser } from "@tsnix/glue";
import { connectingRealiser } from "./bridge-connect.js";
import { workerEntry } from "./worker-start.js";

export interface HostThreadTask {
  readonly command: "instantiate" | "eval";
  readonly argv: readonly string[];
}

/** workerData of build-host-worker.ts. */
export interface HostThreadData {
  readonly task: HostThreadTask;
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
}

export function hostThreadRealiser(task: HostThreadTask): { realise: SyncRealiser; close(): Promise<void> } {
  let worker: Worker | null = null;
  let realise: SyncRealiser | null = null;
  return {
    realise(drvPaths) {
      if (realise === null) {
        const { port1, port2 } = new MessageChannel();
        const signal = new SharedArrayBuffer(4);
        const data = { task: { command: task.command, argv: [...task.argv] }, port: port2, signal };
        worker = new Worker(workerEntry("build-host-worker"), { workerData: data, transferList: [port2] });
        realise = connectingRealiser({ port: port1, signal });
      }
      return realise(drvPaths);
    },
    async close() {
      if (worker === null) return;
      const exited = once(worker, "exit");
      worker.postMessage("close");
      await exited;
    },
  };
}
