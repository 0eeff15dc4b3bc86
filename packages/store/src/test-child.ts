/**
 * A child process for the multi-process tests (bundled by test-child-runner.ts, run with node).
 *   add-many <root> <count> <from>   add trees <from>..<count-1>, printing "added <i> <path>" after each
 *   build-once <root> <log>          wait for <root>/go, lock a fixed output path, "build" it unless valid
 *   build-tree <root> <name> <deriver>  lock and "build" the path an add of bigTree(0) named <name> gives
 *   add-same <root> <rounds>         wait for <root>/go, add the same trees as the other racer
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { LocalStore } from "./local.js";
import { hashPath, restoreTree } from "./node-fs.js";
import { computeStorePathForAdd } from "./add.js";
import { printNarHash } from "./base.js";
import { BUILT_PATH, bigTree } from "./test-fixtures.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForGo(root: string): Promise<void> {
  while (!fs.existsSync(nodePath.join(root, "go"))) await sleep(2);
}

async function main(): Promise<void> {
  const [mode, root, a, b] = process.argv.slice(2);
  const store = new LocalStore({ root: root! });
  if (mode === "add-many") {
    for (let i = Number(b ?? 0); i < Number(a); i++) {
      const info = store.addToStore({ tree: bigTree(i) }, { name: `tree-${i}` });
      process.stdout.write(`added ${i} ${info.path}\n`);
    }
  } else if (mode === "build-once") {
    await waitForGo(root!);
    const lock = await store.lockPath(BUILT_PATH);
    try {
      if (!store.isValidPath(BUILT_PATH)) {
        fs.appendFileSync(a!, `built by ${process.pid}\n`);
        if (!store.prepareOutputPath(BUILT_PATH)) throw new Error("valid after all");
        const real = store.toRealPath(BUILT_PATH);
        fs.mkdirSync(real);
        await sleep(150); // a slow builder: the other process must wait, not build too
        fs.writeFileSync(nodePath.join(real, "result"), `built by ${process.pid}\n`);
        const { hash, size } = hashPath(real);
        store.registerValidPaths([
          { path: BUILT_PATH, narHash: printNarHash(hash), narSize: size, references: [] },
        ]);
      } else {
        fs.appendFileSync(a!, `found valid by ${process.pid}\n`);
      }
    } finally {
      lock.release();
    }
  } else if (mode === "build-tree") {
    // A builder whose output happens to be the path an add of bigTree(0) gives.
    const out = computeStorePathForAdd({ tree: bigTree(0) }, { name: a! }, store.storeDir);
    const lock = await store.lockPath(out.path);
    try {
      if (!store.prepareOutputPath(out.path)) throw new Error("valid before the build");
      process.stdout.write("prepared\n");
      await sleep(400);
      restoreTree(bigTree(0), store.toRealPath(out.path));
      const { hash, size } = hashPath(store.toRealPath(out.path));
      store.registerValidPaths([
        { path: out.path, narHash: printNarHash(hash), narSize: size, references: [], deriver: b! },
      ]);
      process.stdout.write("registered\n");
    } finally {
      lock.release();
    }
  } else if (mode === "add-same") {
    await waitForGo(root!);
    for (let i = 0; i < Number(a); i++) {
      const info = store.addToStore({ tree: bigTree(i) }, { name: `same-${i}` });
      process.stdout.write(`added ${i} ${info.path}\n`);
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  store.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
