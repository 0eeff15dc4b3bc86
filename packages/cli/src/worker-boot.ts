// The worker's entry when the build has written the bundle (itself bundled to dist/worker-boot.cjs:
// a CommonJS entry spares the worker Node's ES module loader, ~7 ms): loads dist/worker.bundle.cjs (all of
// the worker's code in one file) through V8's code cache (worker.bundle.cjs.HASH.cache, written by
// the build after a warm-up run, so it holds the functions start-up really compiles), then runs it.
// A cache V8 rejects (another Node version) only costs time; `npm run build` writes a new one.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";

const BUNDLE = fileURLToPath(new URL("./worker.bundle.cjs", import.meta.url));
const source = readFileSync(BUNDLE, "utf8");
// The cache is named after the bundle's hash (scripts/bundle.mjs), which ends the bundle.
const hash = /tsnixBundleHash=([0-9a-f]+)\s*$/.exec(source.slice(-64))?.[1];
const CACHE = hash === undefined ? undefined : `${BUNDLE}.${hash}.cache`;

function readCache(): Buffer | undefined {
  try {
    return CACHE === undefined ? undefined : readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

const script = new Script(
  `(function (exports, require, module, __filename, __dirname, __tsnixBundleUrl) {${source}\n})`,
  { filename: BUNDLE, cachedData: readCache() },
);
const module = { exports: {} as { runWorker(): Promise<number>; reportExit(code: number): void } };
(globalThis as { __tsnixBundle?: boolean }).__tsnixBundle = true;
(script.runInThisContext() as (...args: unknown[]) => void)(
  module.exports,
  createRequire(BUNDLE),
  module,
  BUNDLE,
  dirname(BUNDLE),
  pathToFileURL(BUNDLE).href,
);
void module.exports.runWorker().then((code) => {
  // After the run, so that the cache also holds the functions compiled lazily on the way.
  if (process.env.TSNIX_WRITE_CODE_CACHE === "1" && CACHE !== undefined) {
    const tmp = `${CACHE}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, CACHE);
  }
  module.exports.reportExit(code);
});
