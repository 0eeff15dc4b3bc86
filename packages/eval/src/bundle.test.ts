// The evaluator must run without Node: an esbuild bundle of packages/eval has no
// `node:` imports and evaluates with createMemoryIO. The same bundle, run in a
// worker with a big stack, shows that 1,000,000-deep non-tail recursion works.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, test } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, "../..");
let bundleFile = "";
let bundleText = "";
const nodeImports: string[] = [];

beforeAll(async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(here, "index.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "tsnix-workspace",
        setup(build) {
          build.onResolve({ filter: /^@tsnix\// }, (args) => ({
            path: path.join(packages, args.path.slice("@tsnix/".length), "src/index.ts"),
          }));
          build.onResolve({ filter: /^node:/ }, (args) => {
            nodeImports.push(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  bundleText = result.outputFiles[0]!.text;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-eval-bundle-"));
  bundleFile = path.join(dir, "eval.mjs");
  fs.writeFileSync(bundleFile, bundleText);
}, 120_000);

describe("esbuild bundle of @tsnix/eval", () => {
  test("has no node: imports", () => {
    expect(nodeImports).toEqual([]);
    expect(bundleText).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
  });

  test("evaluates an expression with createMemoryIO", async () => {
    const mod = await import(pathToFileURL(bundleFile).href);
    const ev = new mod.Evaluator({ io: mod.createMemoryIO({ "/p/lib.nix": "{ x = 20; f = y: y * 2; }" }) });
    const v = ev.evalString("let lib = import /p/lib.nix; in lib.f lib.x + 2");
    expect(ev.print(v)).toBe("42");
  });

  test("1,000,000-deep non-tail recursion works in a worker with a big stack", async () => {
    // A hand-written foldr over a 1e6-element (lazy, linked) list: the list is
    // built by recursion too, and summing it is 1e6 nested `+` calls.
    const expr = `
      let
        mk = n: if n == 0 then null else { head = n; tail = mk (n - 1); };
        foldr = op: nul: l: if l == null then nul else op l.head (foldr op nul l.tail);
      in foldr (x: acc: x + acc) 0 (mk 1000000)`;
    const workerSrc = `
      import { parentPort, workerData } from "node:worker_threads";
      const mod = await import(workerData.bundle);
      const ev = new mod.Evaluator({ io: mod.createMemoryIO({}), maxCallDepth: 100000000 });
      try { parentPort.postMessage(ev.print(ev.evalString(workerData.expr))); }
      catch (e) { parentPort.postMessage("ERR " + (e.format ? e.format() : e.stack)); }`;
    // V8 flags are process-wide: a big initial young generation means (almost) no
    // scavenges, each of which would scan the whole (deep) stack.
    v8.setFlagsFromString("--min-semi-space-size=64");
    const result = await new Promise<string>((resolve, reject) => {
      const w = new Worker(workerSrc, {
        eval: true,
        workerData: { bundle: pathToFileURL(bundleFile).href, expr },
        // 2 GiB of stack; a large young generation keeps scavenges (which scan the
        // whole stack) rare. Measured: 512 MiB of stack is not enough for 1e6 levels.
        resourceLimits: { stackSizeMb: 2048, maxYoungGenerationSizeMb: 1024 },
      });
      w.once("message", (m) => {
        resolve(String(m));
        void w.terminate();
      });
      w.once("error", reject);
    });
    expect(result).toBe(String((1000000 * 1000001) / 2));
  }, 120_000);

  test("stack exhaustion is a Nix error, not a crash", async () => {
    const mod = await import(pathToFileURL(bundleFile).href);
    const ev = new mod.Evaluator({ io: mod.createMemoryIO({}), maxCallDepth: 100000000 });
    let err: { format(o?: object): string } | null = null;
    try {
      ev.print(ev.evalString("let f = n: 1 + f (n + 1); in f 0"));
    } catch (e) {
      err = e as typeof err;
    }
    expect(err).not.toBeNull();
    expect(err!.format()).toContain("error: stack overflow; max-call-depth exceeded");
  });
});
