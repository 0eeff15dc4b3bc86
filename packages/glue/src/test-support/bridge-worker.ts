// A worker for bridge.test.ts: makes the calls it is given, synchronously, one after another, and
// reports each result (or error) with the times it blocked.
import { parentPort, workerData } from "node:worker_threads";
import { BridgeClient, BridgeRemoteError, type BridgeEndpoint } from "../bridge.js";

interface Data {
  endpoint: BridgeEndpoint;
  calls: Array<{ method: string; params?: unknown }>;
}

const { endpoint, calls } = workerData as Data;
const client = new BridgeClient(endpoint);
const results: unknown[] = [];
for (const c of calls) {
  const start = Date.now();
  try {
    const value = client.call(c.method, c.params);
    results.push({ ok: true, value, start, end: Date.now() });
  } catch (e) {
    const r = e as BridgeRemoteError;
    results.push({
      ok: false,
      isRemote: e instanceof BridgeRemoteError,
      name: r.name,
      remoteName: r.remoteName,
      message: r.message,
      props: r.props,
      start,
      end: Date.now(),
    });
  }
}
client.close();
parentPort!.postMessage(results);
