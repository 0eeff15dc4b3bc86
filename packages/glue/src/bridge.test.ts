import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBridgeHost, type BridgeHandlers, type BridgeHost } from "./bridge.js";

// Workers cannot load TypeScript: bundle the worker entry once.
let dir: string;
let entry: string;
beforeAll(async () => {
  const esbuild = await import("esbuild");
  dir = mkdtempSync(join(tmpdir(), "tsnix-bridge-"));
  entry = join(dir, "bridge-worker.mjs");
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./test-support/bridge-worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: entry,
    logLevel: "warning",
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CallResult {
  ok: boolean;
  value?: unknown;
  isRemote?: boolean;
  name?: string;
  remoteName?: string;
  message?: string;
  props?: Record<string, unknown>;
  start: number;
  end: number;
}

function runWorker(
  host: BridgeHost,
  calls: Array<{ method: string; params?: unknown }>,
): Promise<CallResult[]> {
  const { endpoint, transferList } = host.openChannel();
  const w = new Worker(entry, { workerData: { endpoint, calls }, transferList });
  return new Promise((resolve, reject) => {
    w.once("message", (m: CallResult[]) => resolve(m));
    w.once("error", reject);
    w.once("exit", (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

class FakeBuildError extends Error {
  override readonly name = "BuildError";
  constructor(
    message: string,
    readonly kind: string,
    readonly drvPath: string,
    readonly logTail: readonly string[],
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("sync↔async bridge", () => {
  it("a blocking call gets the async handler's result", async () => {
    const host = createBridgeHost({
      add: async (p) => {
        await sleep(50);
        const { a, b } = p as { a: number; b: number };
        return { sum: a + b, list: [a, b] };
      },
    });
    const [r1, r2] = await runWorker(host, [
      { method: "add", params: { a: 1, b: 2 } },
      { method: "add", params: { a: 40, b: 2 } },
    ]);
    expect(r1).toMatchObject({ ok: true, value: { sum: 3, list: [1, 2] } });
    expect(r2).toMatchObject({ ok: true, value: { sum: 42, list: [40, 2] } });
    expect(r1!.end - r1!.start).toBeGreaterThanOrEqual(45); // it really waited for the host
    expect(host.pending).toBe(0);
    host.close();
  });

  it("an error crosses with its name, message and data", async () => {
    const handlers: BridgeHandlers = {
      build: async (p) => {
        await sleep(10);
        throw new FakeBuildError(
          `builder for '${String(p)}' failed with exit code 1;\nlast 1 log lines:\n> boom`,
          "exit",
          String(p),
          ["boom"],
        );
      },
      syncThrow: () => {
        throw new Error("thrown at once");
      },
      notAnError: () => Promise.reject("just a string"),
    };
    const host = createBridgeHost(handlers);
    const [built, sync, str, unknown, after] = await runWorker(host, [
      { method: "build", params: "/nix/store/x-a.drv" },
      { method: "syncThrow" },
      { method: "notAnError" },
      { method: "nope" },
      { method: "syncThrow" },
    ]);
    expect(built).toMatchObject({
      ok: false,
      isRemote: true,
      name: "BridgeRemoteError",
      remoteName: "BuildError",
      message: "builder for '/nix/store/x-a.drv' failed with exit code 1;\nlast 1 log lines:\n> boom",
      props: { kind: "exit", drvPath: "/nix/store/x-a.drv", logTail: ["boom"] },
    });
    expect(sync).toMatchObject({ ok: false, remoteName: "Error", message: "thrown at once" });
    expect(str).toMatchObject({ ok: false, message: "just a string" });
    expect(unknown).toMatchObject({ ok: false, message: "unknown bridge method 'nope'" });
    expect(after).toMatchObject({ ok: false, message: "thrown at once" }); // still usable after errors
    host.close();
  });

  it("requests from two blocked workers run on the host at the same time", async () => {
    const intervals: Array<{ name: string; start: number; end: number }> = [];
    let maxPending = 0;
    const host: BridgeHost = createBridgeHost({
      work: async (p) => {
        maxPending = Math.max(maxPending, host.pending);
        const start = Date.now();
        await sleep(400);
        intervals.push({ name: String(p), start, end: Date.now() });
        return `done ${String(p)}`;
      },
    });
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      runWorker(host, [{ method: "work", params: "a" }]),
      runWorker(host, [{ method: "work", params: "b" }]),
    ]);
    const elapsed = Date.now() - t0;
    expect(a![0]).toMatchObject({ ok: true, value: "done a" });
    expect(b![0]).toMatchObject({ ok: true, value: "done b" });
    expect(maxPending).toBe(2);
    const [x, y] = intervals;
    expect(x!.start < y!.end && y!.start < x!.end).toBe(true); // overlap
    expect(elapsed).toBeLessThan(400 * 2 + 2000); // not serialised (worker start-up included)
    host.close();
  });
});
