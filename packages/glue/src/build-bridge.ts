// Builds over the bridge: the host serves `realise` with a Scheduler (which builds inputs first,
// independent ones in parallel, at most max-jobs at once); the worker's SyncRealiser calls it.
import { BridgeClient, BridgeRemoteError, type BridgeHandlers } from "./bridge.js";
import type { SyncRealiser } from "./build-io.js";

export const REALISE_METHOD = "realise";

/** What the host needs: @tsnix/build's Scheduler has it. */
export interface AsyncRealiser {
  realise(drvPath: string, options?: { signal?: AbortSignal }): Promise<Readonly<Record<string, string>>>;
}

export interface RealiseParams {
  readonly drvPaths: readonly string[];
}

/** Host side: `realise({ drvPaths })` → one output map per drv path, all realised at once. */
export function buildBridgeHandlers(
  scheduler: AsyncRealiser,
  opts: { signal?: AbortSignal } = {},
): BridgeHandlers {
  return {
    [REALISE_METHOD]: async (params) => {
      const { drvPaths } = params as RealiseParams;
      return Promise.all(drvPaths.map((d) => scheduler.realise(d, { signal: opts.signal })));
    },
  };
}

/** Worker side: a SyncRealiser that blocks on the host. Errors keep the host's message (BuildError's). */
export function bridgeRealiser(client: BridgeClient): SyncRealiser {
  return (drvPaths) => {
    try {
      return client.call<Array<Record<string, string>>>(REALISE_METHOD, { drvPaths } satisfies RealiseParams);
    } catch (e) {
      if (e instanceof BridgeRemoteError) throw e;
      throw new Error(`the build service is unreachable: ${(e as Error).message}`, { cause: e });
    }
  };
}
