// Worker side of bridge-setup.ts: a realiser that asks the host for a build bridge the first time
// evaluation needs a build, and blocks until the host has answered. In its own module so that the
// main thread, which imports bridge-setup.ts, does not load @tsnix/glue.
import { receiveMessageOnPort } from "node:worker_threads";
import { BridgeClient, bridgeRealiser, type SyncRealiser } from "@tsnix/glue";
import type { BridgeSetup, SetupReply } from "./bridge-setup.js";

/** A SyncRealiser that connects to the host's build bridge on its first call. */
export function connectingRealiser(setup: BridgeSetup): SyncRealiser {
  let realise: SyncRealiser | null = null;
  return (drvPaths) => (realise ??= connect(setup))(drvPaths);
}

function connect(setup: BridgeSetup): SyncRealiser {
  const flag = new Int32Array(setup.signal);
  Atomics.store(flag, 0, 0);
  setup.port.postMessage({ type: "need-bridge" });
  for (;;) {
    const m = receiveMessageOnPort(setup.port);
    if (m !== undefined) {
      const r = m.message as SetupReply;
      if ("error" in r) throw new Error(r.error);
      return bridgeRealiser(new BridgeClient(r.endpoint));
    }
    Atomics.wait(flag, 0, 0, 1000);
  }
}
