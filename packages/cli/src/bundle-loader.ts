// Loads dist/worker.bundle.cjs (the evaluator's whole code in one file) through V8's code cache, in
// whichever thread calls it: the evaluation worker (worker-boot.ts) or, when bin/tsnix gave the main
// thread a big stack, the main thread itself (main.ts). The cache (worker.bundle.cjs.HASH[.main].cache,
// written by the build after a warm-up run, so it holds the functions start-up really compiles) is
// only accepted under the V8 flags it was made with, so there is one for a plain `node` and one for
// bin/tsnix's MAIN_THREAD_FLAGS. A cache V8 rejects (another Node version) only costs time.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";
import { startedWithMainThreadFlags } from "./worker-start.js";

/** What worker.ts exports. */
export interface EvalBundle {
  runWorker(): Promise<number>;
  reportExit(code: number): void;
  runOnThisThread(task: { command: "instantiate" | "eval"; argv: readonly string[] }): Promise<number | null>;
}

const BUNDLE = fileURLToPath(new URL("./worker.bundle.cjs", import.meta.url));

export function evalBundleExists(): boolean {
  return existsSync(BUNDLE);
}

/** Compile and run the bundle; `writeCacheAfter` then says when to write the code cache (if asked to). */
export function loadEvalBundle(): { bundle: EvalBundle; writeCacheIfAsked(): void } {
  const source = readFileSync(BUNDLE, "utf8");
  // The cache is named after the bundle's hash (scripts/bundle.mjs), which ends the bundle.
  const hash = /tsnixBundleHash=([0-9a-f]+)\s*$/.exec(source.slice(-64))?.[1];
  const cache =
    hash === undefined ? undefined : `${BUNDLE}.${hash}${startedWithMainThreadFlags() ? ".main" : ""}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = cache === undefined ? undefined : readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __tsnixBundleUrl) {${source}\n})`,
    { filename: BUNDLE, cachedData },
  );
  const module = { exports: {} as EvalBundle };
  (globalThis as { __tsnixBundle?: boolean }).__tsnixBundle = true;
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(BUNDLE),
    module,
    BUNDLE,
    dirname(BUNDLE),
    pathToFileURL(BUNDLE).href,
  );
  return {
    bundle: module.exports,
    // After the run, so that the cache also holds the functions compiled lazily on the way.
    writeCacheIfAsked() {
      if (process.env.TSNIX_WRITE_CODE_CACHE !== "1" || cache === undefined) return;
      const tmp = `${cache}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cache);
    },
  };
}
