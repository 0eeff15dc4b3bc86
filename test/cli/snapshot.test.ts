// The start-up snapshot (packages/cli/scripts/snapshot.mjs): bin/tsnix starts `instantiate` and
// `eval` from it when the `node` it finds made it, and the result must be what a start without it
// gives — in particular nothing of the building process (environment, working directory) may be
// baked in; a store opened from it works, and what the bundle hands on (a raised max-call-depth)
// still works.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, LAUNCHER, parserBuilt, ROOT } from "./helpers.js";

beforeAll(buildCli);

const DIST = `${ROOT}packages/cli/dist/`;
const scratch = mkdtempSync(join(tmpdir(), "tsnix-snapshot-"));

function launch(args: string[], opts: SpawnSyncOptions & { trace?: boolean } = {}) {
  const { trace, ...rest } = opts;
  const r = spawnSync("sh", trace ? ["-x", LAUNCHER, ...args] : [LAUNCHER, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    ...rest,
  });
  return { status: r.status, stdout: r.stdout as string, stderr: r.stderr as string };
}

const withoutSnapshot = { ...process.env, TSNIX_NO_SNAPSHOT: "1" };
const usedSnapshot = (stderr: string) => /exec node .*--snapshot-blob /.test(stderr);

describe.runIf(parserBuilt())("start-up snapshot", () => {
  it("is built beside the bundle, stamped with the node that made it", () => {
    expect(existsSync(DIST + "tsnix.snapshot.blob")).toBe(true);
    const node = spawnSync("sh", ["-c", "command -v node"], { encoding: "utf8" }).stdout.trim();
    expect(readFileSync(DIST + "tsnix.snapshot.node", "utf8")).toBe(`${node}\n${realpathSync(DIST)}\n`);
  });

  it("starts instantiate and eval, and only them, and only with the node that made it", () => {
    const expr = ["instantiate", "--eval", "-E", "6 * 7"];
    const used = launch(expr, { trace: true });
    expect(used).toMatchObject({ status: 0, stdout: "42\n" });
    expect(usedSnapshot(used.stderr)).toBe(true);
    expect(usedSnapshot(launch(["eval", "--expr", "1"], { trace: true }).stderr)).toBe(true);
    expect(usedSnapshot(launch(["--version"], { trace: true }).stderr)).toBe(false);
    expect(usedSnapshot(launch(expr, { trace: true, env: withoutSnapshot }).stderr)).toBe(false);
    const withFlags = launch(expr, { trace: true, env: { ...process.env, NODE_OPTIONS: "--no-warnings" } });
    expect(withFlags).toMatchObject({ status: 0, stdout: "42\n" });
    expect(usedSnapshot(withFlags.stderr)).toBe(false);
    // Another `node` first on PATH (here a link to the same binary, under another name).
    const otherBin = mkdtempSync(join(scratch, "bin-"));
    symlinkSync(process.execPath, join(otherBin, "node"));
    const other = launch(expr, {
      trace: true,
      env: { ...process.env, PATH: `${otherBin}:${process.env.PATH}` },
    });
    expect(other).toMatchObject({ status: 0, stdout: "42\n" });
    expect(usedSnapshot(other.stderr)).toBe(false);
  });

  const dir = mkdtempSync(join(scratch, "files-"));
  writeFileSync(join(dir, "b.nix"), "{ x }: { y = x * 2; }\n");
  writeFileSync(join(dir, "a.nix"), "{ n ? 1 }: (import ./b.nix { x = n; }) // { here = ./.; }\n");
  const drv = 'derivation { name = "s"; builder = "/bin/sh"; system = "x86_64-linux"; }';
  const cases: [string, string[], SpawnSyncOptions][] = [
    [
      "the environment of the run",
      ["instantiate", "--eval", "-E", 'builtins.getEnv "TSNIX_T"'],
      {
        env: { ...process.env, TSNIX_T: "run-time value" },
      },
    ],
    ["the working directory of the run", ["instantiate", "--eval", "-E", "./."], { cwd: dir }],
    [
      "files, imports and arguments",
      ["instantiate", "--eval", "--strict", "a.nix", "--arg", "n", "4"],
      {
        cwd: dir,
      },
    ],
    ["standard input", ["instantiate", "--parse", "-"], { input: "{ a = x: x; }.a" }],
    ["an evaluation error", ["instantiate", "--eval", "-E", 'let f = x: throw "boom ${x}"; in f "1"'], {}],
    ["a parse error", ["instantiate", "--eval", "-E", "1 +"], {}],
    ["eval --json", ["eval", "--json", "--expr", "{ a = [ 1 2 ]; b = null; }"], {}],
    ["a derivation, read-only", ["instantiate", "--readonly-mode", "-E", drv], {}],
    [
      "a raised max-call-depth (evaluated in a worker)",
      [
        "instantiate",
        "--eval",
        "--option",
        "max-call-depth",
        "200000",
        "-E",
        "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100000",
      ],
      {},
    ],
  ];

  it.each(cases)("gives what a start without it gives: %s", (_, args, opts) => {
    const fromSnapshot = launch(args, opts);
    expect(fromSnapshot.status, fromSnapshot.stderr).not.toBeNull();
    const env = { ...((opts.env as NodeJS.ProcessEnv | undefined) ?? process.env), TSNIX_NO_SNAPSHOT: "1" };
    expect(fromSnapshot).toEqual(launch(args, { ...opts, env }));
  });

  it("evaluates a run with a store too: the same path, the .drv written", () => {
    const run = (env: NodeJS.ProcessEnv) => {
      const store = mkdtempSync(join(scratch, "store-"));
      const r = launch(["instantiate", "--store", store, "-E", drv], { env });
      return { ...r, stored: existsSync(join(store, r.stdout.trim())) };
    };
    const fromSnapshot = run(process.env);
    expect(fromSnapshot).toMatchObject({ status: 0, stored: true });
    expect(fromSnapshot.stdout).toMatch(/^\/nix\/store\/[0-9a-z]{32}-s\.drv\n$/);
    expect(fromSnapshot).toEqual(run(withoutSnapshot));
  });
});
