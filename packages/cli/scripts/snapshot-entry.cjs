// The script `node --build-snapshot` runs to make dist/tsnix.snapshot.blob (scripts/snapshot.mjs):
// it loads the evaluator's bundle, runs one small evaluation so the parser is built and the hot
// functions compiled, and names the function a Node started from the snapshot runs instead of a
// script. bin/tsnix starts `instantiate` and `eval` that way: ~25 ms less than loading the bundle,
// running its module initialisers and building the parser in every process.
//
// Only Node's own modules can be required while the snapshot is built. Nothing read here may depend
// on the process that builds it (environment, working directory, arguments): the bundle reads those
// when it runs a command, and the deserialised process has its own.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { isBuiltin } = require("node:module");
const { pathToFileURL } = require("node:url");
const v8 = require("node:v8");

const DIST = join(__dirname, "..", "dist");
const BUNDLE = join(DIST, "worker.bundle.cjs");
const MAIN = join(DIST, "main.cjs");
const WARM_UP = process.env.TSNIX_SNAPSHOT_WARM_UP;

const source = readFileSync(BUNDLE, "utf8");
// Indirect eval: the bundle runs in the global scope, as bundle-loader.ts runs it with vm.Script.
const wrapper = (0, eval)(
  `(function (exports, require, module, __filename, __dirname, __tsnixBundleUrl) {${source}\n})`,
);
/**
 * Modules whose state must not be made while the snapshot is built: node:worker_threads sets up the
 * shared working-directory counter its workers read, and a snapshot can not hold shared memory (a
 * worker started from it failed in `process.cwd()`). The bundle reads their members where it uses
 * them (esbuild keeps `mod.member` accesses), so it gets a stand-in that loads the module then.
 */
const LOADED_WHEN_USED = new Set(["node:worker_threads"]);
/** This script's `require` knows only Node's modules; the bundle may also want better-sqlite3. */
let requireFromDist = null;
function requireForBundle(id) {
  if (LOADED_WHEN_USED.has(id)) return new Proxy({}, { get: (_, member) => require(id)[member] });
  if (isBuiltin(id)) return require(id);
  requireFromDist ??= require("node:module").createRequire(BUNDLE);
  return requireFromDist(id);
}

const bundle = { exports: {} };
globalThis.__tsnixBundle = true;
wrapper(bundle.exports, requireForBundle, bundle, BUNDLE, DIST, pathToFileURL(BUNDLE).href);

/** Runs `tsnix COMMAND ARGS...` from the snapshot; anything the bundle does not take goes to main.cjs. */
function main() {
  const [command, ...argv] = process.argv.slice(1);
  const onThisThread =
    command === "instantiate" || command === "eval"
      ? bundle.exports.runOnThisThread({ command, argv })
      : Promise.resolve(null);
  void onThisThread.then((code) => {
    if (code !== null) return process.exit(code);
    // A raised max-call-depth, another command: the CLI as bin/tsnix runs it otherwise.
    process.argv.splice(1, 0, MAIN);
    globalThis.__tsnixDeclined = true; // main.cjs then goes straight to the worker
    require("node:module").createRequire(MAIN)(MAIN);
  });
}

void bundle.exports
  .runOnThisThread({ command: "instantiate", argv: ["--eval", "--strict", "-E", WARM_UP] })
  .then((code) => {
    if (code !== 0) throw new Error(`the warm-up evaluation failed (exit ${code})`);
    const workerModules = ["NativeModule worker_threads", "NativeModule internal/worker"];
    if (process.moduleLoadList.some((m) => workerModules.includes(m)))
      throw new Error("node:worker_threads was loaded while building the snapshot");
    v8.startupSnapshot.setDeserializeMainFunction(main);
  });
