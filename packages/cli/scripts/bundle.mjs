// Writes the worker bundles: each evaluation worker's code (tsc's dist/ output with parser,
// evaluator, glue, store and their npm dependencies) as ONE minified ESM file, so a worker starts
// by loading a single module instead of hundreds. Run by the root `npm run build` after `tsc -b`.
// better-sqlite3 (a native addon) stays external and is only `require`d when a store is opened.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

/** Worker entries (tsc output) and their bundles; the main thread starts the bundle. */
export const BUNDLES = [
  // CommonJS, so that worker-boot can compile it as a vm.Script with a code cache.
  { entry: "worker.js", out: "worker.bundle.cjs", format: "cjs", codeCache: true },
  // The evaluation worker's entry, CommonJS so that the worker does not start Node's ESM loader.
  { entry: "worker-boot.js", out: "worker-boot.cjs", format: "cjs" },
  // The main thread's entry for bin/tsnix, likewise; it imports the subcommands from dist/.
  {
    entry: "main.js",
    out: "main.cjs",
    format: "cjs",
    external: ["./build-command.js", "./worker-protocol.js", "./repl/host.js", "./test-lang/cli.js"],
  },
  { entry: "bridge-worker.js", out: "bridge-worker.bundle.js" },
  { entry: "build-host-worker.js", out: "build-host-worker.bundle.js" },
  { entry: "repl/worker.js", out: "repl/worker.bundle.js" },
];

/** `import Database from "better-sqlite3"` becomes a constructor that loads the addon on first use. */
const lazySqlite = {
  name: "lazy-better-sqlite3",
  setup(build) {
    build.onResolve({ filter: /^better-sqlite3$/ }, (args) =>
      args.namespace === "lazy-sqlite"
        ? { path: "better-sqlite3", external: true }
        : { path: "better-sqlite3", namespace: "lazy-sqlite" },
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-sqlite" }, () => ({
      contents: `let Real = null;
export default function Database(...args) { return new (Real ??= require("better-sqlite3"))(...args); }`,
      loader: "js",
    }));
  },
};

const banner =
  'import { createRequire as __tsnixCreateRequire } from "node:module"; const require = __tsnixCreateRequire(import.meta.url);';

const WARM_UP =
  'let f = { a ? 1, ... }@args: map (x: x * a + 1) [ 1 2 ]; in { x = f { }; y = "${toString 1.5}"; z = builtins.attrNames { b = 1; }; }';

const built = [];
for (const { entry, out, format = "esm", codeCache = false, external = [] } of BUNDLES) {
  if (!existsSync(DIST + entry)) continue;
  const result = await esbuild.build({
    entryPoints: [DIST + entry],
    outfile: DIST + out,
    write: false,
    bundle: true,
    minify: true,
    platform: "node",
    format,
    // CommonJS has no import.meta: worker-boot passes the bundle its URL, and finds its own.
    ...(format === "cjs" ? { define: { "import.meta.url": "__tsnixBundleUrl" } } : {}),
    ...(format === "cjs" && !codeCache
      ? { banner: { js: 'var __tsnixBundleUrl = require("node:url").pathToFileURL(__filename).href;' } }
      : {}),
    target: "node20",
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    plugins: [lazySqlite],
    external,
    ...(format === "esm" ? { banner: { js: banner } } : {}),
  });
  // Written whole then renamed: a worker starting meanwhile sees the old bundle or the new one.
  const target = DIST + out;
  const tmp = `${target}.${process.pid}.tmp`;
  mkdirSync(dirname(target), { recursive: true });
  let contents = result.outputFiles[0].contents;
  if (codeCache) {
    // V8 checks a code cache against the source's length only: name the cache after a hash of
    // the bundle, so that worker-boot.js never pairs a bundle with another build's cache.
    const hash = createHash("sha256").update(contents).digest("hex").slice(0, 16);
    contents = Buffer.concat([contents, Buffer.from(`//# tsnixBundleHash=${hash}\n`)]);
    for (const f of readdirSync(dirname(target)))
      if (f.startsWith(`${basename(target)}.`) && f.endsWith(".cache"))
        rmSync(join(dirname(target), f), { force: true });
  }
  writeFileSync(tmp, contents);
  renameSync(tmp, target);
  built.push(out);
}
// V8's code cache for the evaluator's bundle, made after a small warm-up evaluation so it holds the
// functions start-up compiles (parser, evaluator, printer); bundle-loader.ts reads it. Two caches, because V8 accepts one only under the flags it was made with: for a plain `node`
// (the evaluation worker) and for bin/tsnix's MAIN_THREAD_FLAGS (evaluation on the main thread).
if (built.includes("worker.bundle.cjs")) {
  const { MAIN_THREAD_FLAGS } = await import(new URL("../dist/worker-start.js", import.meta.url).href);
  const runs = [
    [fileURLToPath(new URL("../bin/tsnix.js", import.meta.url))],
    [...MAIN_THREAD_FLAGS, fileURLToPath(new URL("../dist/main.cjs", import.meta.url))],
  ];
  for (const run of runs) {
    const warm = spawnSync(process.execPath, [...run, "instantiate", "--eval", "--strict", "-E", WARM_UP], {
      env: { ...process.env, TSNIX_WRITE_CODE_CACHE: "1", TSNIX_NO_BUNDLE: "" },
      encoding: "utf8",
    });
    if (warm.status !== 0) throw new Error(`warm-up run failed: ${warm.stderr}`);
  }
  const { buildSnapshot } = await import("./snapshot.mjs");
  built.push(buildSnapshot({ mainThreadFlags: MAIN_THREAD_FLAGS, warmUp: WARM_UP }));
}
if (!process.argv.includes("--quiet")) process.stderr.write(`tsnix: bundled ${built.join(", ")}\n`);
