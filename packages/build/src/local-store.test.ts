// Integration with @tsnix/store's LocalStore (SQLite metadata, per-path locks): the BuildStore
// interface is a structural subset of it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derivationPath, printDerivation, printStorePath, type Derivation } from "@tsnix/nix-compat";
import { LocalStore } from "@tsnix/store";
import type { BuildStore } from "./build-store.js";
import { makeWritable } from "./canonicalise.js";
import { LocalBuilder } from "./local-builder.js";
import { Scheduler } from "./scheduler.js";
import { DirStore, makeDerivation } from "./testing.js";

let root: string;
let store: LocalStore;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tsnix-build-localstore-"));
  store = new LocalStore({ root: join(root, "root") });
});

afterAll(async () => {
  store.close();
  await makeWritable(root);
  rmSync(root, { recursive: true, force: true });
});

/** Write a derivation made with the test helper (in a scratch DirStore) into the LocalStore. */
function writeInto(drv: Derivation): string {
  const drvPath = store.writeDerivation({
    name: drv.name,
    aterm: printDerivation(drv),
    references: [...drv.inputSrcs, ...drv.inputDrvs.keys()].map((b) => `/nix/store/${b}`),
  });
  expect(drvPath).toBe(printStorePath(derivationPath(drv)));
  return drvPath;
}

describe("with LocalStore", () => {
  it("realises a chain: .drv files read from the store, outputs registered in SQLite", async () => {
    const scratch = new DirStore("/nix/store", join(root, "scratch"));
    const a = await makeDerivation(scratch, { name: "ls-a", args: ["-c", "echo a > $out"] });
    const aOut = `/nix/store/${(a.drv.outputs.get("out") as { path: string }).path}`;
    const b = await makeDerivation(scratch, {
      name: "ls-b",
      args: ["-c", 'echo "$a" > $out'],
      env: { a: aOut },
      inputDrvs: { [a.drvPath]: ["out"] },
    });
    writeInto(a.drv);
    const bDrv = writeInto(b.drv);

    const buildStore: BuildStore = store;
    const builder = new LocalBuilder({ store: buildStore, buildDir: join(root, "tmp") });
    const scheduler = new Scheduler({ store: buildStore, builder, logDir: join(root, "log") });
    const out = await scheduler.realise(bDrv);
    const info = store.queryPathInfo(out["out"]!)!;
    expect(info.references).toEqual([aOut]);
    expect(info.deriver).toBe(bDrv);
    // The NAR hash we computed while scanning equals the store's own serialisation of the path.
    expect(scheduler.builtOutputs.get(out["out"]!)!.narHash).toBe(info.narHash);
    expect(store.narFromPath(out["out"]!).length).toBe(info.narSize);
  });
});
