// The worker bundle (fast start-up): the build writes the evaluation worker's code as one
// self-contained, minified file (plus V8's code cache for it); it must behave exactly like tsc's
// output loaded module by module, and must not load the native SQLite addon until a store is opened.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MAIN_THREAD_FLAGS } from "../../packages/cli/src/worker-start.js";
import { buildCli, parserBuilt, ROOT, tsnix } from "./helpers.js";

beforeAll(buildCli);

const BUNDLE = `${ROOT}packages/cli/dist/worker.bundle.cjs`;

describe("build", () => {
  it("`npm run build` is tsc -b, then the bundle script", () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toBe("tsc -b tsconfig.json && node packages/cli/scripts/bundle.mjs");
    expect(pkg.scripts.prepare).toBe("npm run build");
  });
});

describe.runIf(parserBuilt())("worker bundle", () => {
  it("is one minified module needing only Node built-ins, with a code cache made for it", () => {
    const text = readFileSync(BUNDLE, "utf8");
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    // SQLite (a native addon) is loaded only when a store is opened; everything else is inside.
    expect([...new Set(required.filter((s) => !isBuiltin(s)))]).toEqual(["better-sqlite3"]);
    expect(text).not.toMatch(/\bimport\s*\(\s*"@tsnix\//);
    expect(text).toContain("performSelfAnalysis");
    expect(text.length / text.split("\n").length).toBeGreaterThan(500); // minified
    const hash = /tsnixBundleHash=([0-9a-f]{16})\n$/.exec(text)?.[1];
    expect(hash).toBeDefined();
    const caches = readdirSync(dirname(BUNDLE)).filter(
      (f) => f.startsWith("worker.bundle.cjs.") && f.endsWith(".cache"),
    );
    // One for a plain node, one for bin/tsnix's flags (V8 accepts a cache only under its own flags).
    expect(caches.sort()).toEqual([
      `worker.bundle.cjs.${hash}.cache`,
      `worker.bundle.cjs.${hash}.main.cache`,
    ]);
  });

  it("has CommonJS entries for the main thread and the worker, which bin/tsnix runs", () => {
    const dist = `${ROOT}packages/cli/dist/`;
    for (const entry of ["main.cjs", "worker-boot.cjs"]) {
      const text = readFileSync(dist + entry, "utf8");
      expect(text).not.toMatch(/^\s*import\s/m);
      expect(text.length).toBeLessThan(20_000); // the entry only: the rest loads from dist/
    }
    // sh -x shows the command the launcher runs: with MAIN_THREAD_FLAGS where the stack limit can be raised.
    const r = spawnSync(
      "sh",
      ["-x", `${ROOT}packages/cli/bin/tsnix`, "instantiate", "--eval", "-E", "6 * 7"],
      {
        encoding: "utf8",
        env: { ...process.env, TSNIX_NO_SNAPSHOT: "1" },
      },
    );
    expect(r).toMatchObject({ status: 0, stdout: "42\n" });
    const flags = MAIN_THREAD_FLAGS.join(" ");
    expect(r.stderr).toContain(
      `exec node ${flags} ${ROOT}packages/cli/bin/../dist/main.cjs instantiate --eval -E 6 * 7`,
    );
    // Where it cannot, plain node (and then a worker thread).
    const low = spawnSync(
      "sh",
      ["-c", `ulimit -Hs 16384 && ulimit -s 16384 && exec sh -x ${ROOT}packages/cli/bin/tsnix --version`],
      {
        encoding: "utf8",
      },
    );
    expect(low.stderr).toContain(`exec node ${ROOT}packages/cli/bin/../dist/main.cjs --version`);
  });

  it("evaluates on the main thread under bin/tsnix, in a worker under a plain node", () => {
    // NODE_DEBUG=worker makes Node log each worker thread it creates.
    const workerLog = (command: string[]) => {
      const r = spawnSync(command[0]!, [...command.slice(1), "instantiate", "--eval", "-E", "1 + 1"], {
        encoding: "utf8",
        env: { ...process.env, NODE_DEBUG: "worker" },
      });
      expect(r).toMatchObject({ status: 0, stdout: "2\n" });
      return r.stderr;
    };
    expect(workerLog([`${ROOT}packages/cli/bin/tsnix`])).not.toContain("create new worker");
    expect(workerLog([process.execPath, `${ROOT}packages/cli/bin/tsnix.js`])).toContain("create new worker");
  });

  it("parses and evaluates the same with and without the bundle", () => {
    const plain = { ...process.env, TSNIX_NO_BUNDLE: "1" };
    const text = "let f = { a ? 1, ... }@args: a; in f { }";
    const bundled = tsnix(["instantiate", "--parse", "-"], { input: text });
    expect(bundled.status).toBe(0);
    expect(bundled).toEqual(tsnix(["instantiate", "--parse", "-"], { input: text, env: plain }));
    const expr = ["instantiate", "--eval", "--strict", "-E", "builtins.map (x: x * 2) [ 1 2 3 ]"];
    expect(tsnix(expr)).toEqual({ status: 0, stdout: "[ 2 4 6 ]\n", stderr: "" });
    expect(tsnix(expr, { env: plain })).toEqual(tsnix(expr));
    const bad = ["instantiate", "--eval", "-E", "1 +"];
    expect(tsnix(bad).status).toBe(1);
    expect(tsnix(bad)).toEqual(tsnix(bad, { env: plain }));
  });
});
