// How an evaluation worker (REPL, instantiate, eval) gets its build bridge without slowing start-up: loading
// @tsnix/glue and opening the store on the main thread costs ~250 ms, so the host starts each
// worker with only a setup port (a plain MessageChannel) and a wake-up flag. The first time the
// worker needs a build it asks on that port and blocks; the host then opens the store and the
// build host (once per process), opens a bridge channel for this worker and sends its endpoint back.
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { BridgeEndpoint } from "@tsnix/glue";
import type { WorkerChannel } from "./build-host.js";

export interface BridgeSetup {
  readonly port: MessagePort;
  /** Int32Array view, [0] = 1 once the host has replied. */
  readonly signal: SharedArrayBuffer;
}

export type SetupReply = { readonly endpoint: BridgeEndpoint } | { readonly error: string };

export interface HostBridgeSetup {
  /** For the worker: in workerData, with `transferList`. */
  readonly setup: BridgeSetup;
  readonly transferList: MessagePort[];
  /** Cancel the worker's builds and close its channels (when the worker is gone or going). */
  close(): void;
}

/** Host side: answer the worker's request for a bridge with a channel from `connect`. */
export function openBridgeSetup(connect: () => Promise<WorkerChannel>): HostBridgeSetup {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const served = serveBridgeSetup(port2, signal, connect);
  port2.unref();
  return { setup: { port: port1, signal }, transferList: [port1], close: served.close };
}

/**
 * Answer bridge requests arriving on `port` (the host's end of a setup channel; the other end's
 * thread waits on `signal`). Used by openBridgeSetup, and by the build host's own thread when the
 * evaluation runs on the main thread (build-host-thread.ts).
 */
export function serveBridgeSetup(
  port: MessagePort,
  signal: SharedArrayBuffer,
  connect: () => Promise<WorkerChannel>,
): { close(): void } {
  const flag = new Int32Array(signal);
  let channel: WorkerChannel | null = null;
  let closed = false;
  const reply = (r: SetupReply, transferList: readonly unknown[] = []) => {
    port.postMessage(r, transferList as MessagePort[]);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  port.on("message", () => {
    connect().then(
      (c) => {
        if (closed) return c.close();
        channel?.close();
        channel = c;
        reply({ endpoint: c.endpoint }, c.transferList);
      },
      (e: unknown) => reply({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
  return {
    close() {
      closed = true;
      channel?.close();
      channel = null;
      port.close();
    },
  };
}
