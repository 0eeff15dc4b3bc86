import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWritable } from "./canonicalise.js";
import { BuildError } from "./errors.js";
import { LocalBuilder } from "./local-builder.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";
import { DirStore, makeDerivation } from "./testing.js";
import type { BuildEvent, BuildRequest, BuildResult, BuildService } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const TOOLS = ["/usr/bin/date", "/usr/bin/sleep", "/usr/bin/cat"];

let root: string;
let store: DirStore;
let builder: LocalBuilder;

function scheduler(extra: Partial<SchedulerOptions> = {}): { s: Scheduler; events: BuildEvent[] } {
  const events: BuildEvent[] = [];
  const s = new Scheduler({
    store,
    builder,
    maxJobs: 4,
    logDir: join(root, "log"),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { s, events };
}

const started = (events: BuildEvent[]) => events.filter((e) => e.type === "started").map((e) => e.drvPath);

let bundled: Promise<string> | undefined;

/** The child-process scheduler (test-fixtures/realise-child.ts), bundled once with esbuild. */
function bundleChild(): Promise<string> {
  bundled ??= (async () => {
    const bundle = join(root, "child.mjs");
    const alias: Record<string, string> = {};
    for (const p of ["nix-compat", "store"])
      alias[`@tsnix/${p}`] = join(here, "..", "..", p, "src", "index.ts");
    await esbuild({
      entryPoints: [join(here, "test-fixtures", "realise-child.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bundle,
      alias,
      logLevel: "silent",
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
    return bundle;
  })();
  return bundled;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tsnix-sched-test-"));
  store = new DirStore("/nix/store", join(root, "store"));
  builder = new LocalBuilder({ store, cores: 1, extraSandboxPaths: TOOLS, buildDir: join(root, "tmp") });
});

afterAll(async () => {
  await makeWritable(root);
  rmSync(root, { recursive: true, force: true });
});

describe("Scheduler", () => {
  it("builds missing inputs first, reading them from the store, and keeps logs", async () => {
    const a = await makeDerivation(store, { name: "a", args: ["-c", "echo building a; echo a > $out"] });
    const b = await makeDerivation(store, {
      name: "b",
      args: ["-c", 'echo building b; echo "$a" > $out'],
      env: { a: `/nix/store/${(a.drv.outputs.get("out") as { path: string }).path}` },
      inputDrvs: { [a.drvPath]: ["out"] },
    });
    const { s, events } = scheduler();
    const out = await s.realise(b.drvPath);
    const aOut = `/nix/store/${(a.drv.outputs.get("out") as { path: string }).path}`;
    expect(readFileSync(store.toRealPath(out["out"]!), "utf8")).toBe(aOut + "\n");
    expect(started(events)).toEqual([a.drvPath, b.drvPath]);
    expect(store.queryPathInfo(out["out"]!)!.references).toEqual([aOut]);
    expect(events).toContainEqual({ type: "log", drvPath: a.drvPath, line: "building a" });
    expect(await s.readLog(b.drvPath)).toBe("building b\n");
    expect(s.logPath(b.drvPath)).toBe(
      join(root, "log", "drvs", b.drvPath.slice(11, 13), b.drvPath.slice(13)),
    );

    // Realising again builds nothing.
    const again = scheduler();
    await again.s.realise(b.drvPath);
    expect(started(again.events)).toEqual([]);
    expect(again.events).toEqual([{ type: "already-valid", drvPath: b.drvPath }]);
  });

  const timed = (name: string) => ({
    name,
    args: ["-c", "/usr/bin/date +%s%N > $out; /usr/bin/sleep 0.7; /usr/bin/date +%s%N >> $out"],
  });
  const interval = (path: string) =>
    readFileSync(store.toRealPath(path), "utf8").trim().split("\n").map(BigInt) as [bigint, bigint];

  async function twoIndependent(tag: string) {
    const x = await makeDerivation(store, timed(`x-${tag}`));
    const y = await makeDerivation(store, timed(`y-${tag}`));
    const top = await makeDerivation(store, {
      name: `top-${tag}`,
      args: ["-c", "echo > $out"],
      inputDrvs: { [x.drvPath]: ["out"], [y.drvPath]: ["out"] },
    });
    return { x, y, top };
  }

  it("builds independent inputs in parallel", async () => {
    const { x, y, top } = await twoIndependent("par");
    await scheduler({ maxJobs: 2 }).s.realise(top.drvPath);
    const [xs, xe] = interval(`/nix/store/${(x.drv.outputs.get("out") as { path: string }).path}`);
    const [ys, ye] = interval(`/nix/store/${(y.drv.outputs.get("out") as { path: string }).path}`);
    expect(xs < ye && ys < xe).toBe(true); // the intervals overlap
  });

  it("respects maxJobs = 1", async () => {
    const { x, y, top } = await twoIndependent("seq");
    await scheduler({ maxJobs: 1 }).s.realise(top.drvPath);
    const [xs, xe] = interval(`/nix/store/${(x.drv.outputs.get("out") as { path: string }).path}`);
    const [ys, ye] = interval(`/nix/store/${(y.drv.outputs.get("out") as { path: string }).path}`);
    expect(xe <= ys || ye <= xs).toBe(true);
  });

  it("builds a derivation once when several requests want it at the same moment", async () => {
    const shared = await makeDerivation(store, {
      name: "shared",
      args: ["-c", "/usr/bin/sleep 0.2; echo > $out"],
    });
    const u1 = await makeDerivation(store, {
      name: "u1",
      args: ["-c", "echo > $out"],
      inputDrvs: { [shared.drvPath]: ["out"] },
    });
    const u2 = await makeDerivation(store, {
      name: "u2",
      args: ["-c", "echo > $out"],
      inputDrvs: { [shared.drvPath]: ["out"] },
    });
    const { s, events } = scheduler();
    await Promise.all([s.realise(u1.drvPath), s.realise(u2.drvPath), s.realise(shared.drvPath)]);
    expect(started(events).filter((d) => d === shared.drvPath)).toHaveLength(1);
  });

  it("two schedulers (as two processes would) share the work through the store's locks", async () => {
    const calls: string[] = [];
    const counting: BuildService = {
      build: (req: BuildRequest, o): Promise<BuildResult> => {
        calls.push(req.drvPath);
        return builder.build(req, o);
      },
    };
    const d = await makeDerivation(store, {
      name: "locked",
      args: ["-c", "/usr/bin/sleep 0.3; echo > $out"],
    });
    const one = new Scheduler({ store, builder: counting });
    const two = new Scheduler({ store, builder: counting });
    await Promise.all([one.realise(d.drvPath), two.realise(d.drvPath)]);
    expect(calls).toEqual([d.drvPath]);
  });

  it("a failing input fails the request with that input's error", async () => {
    const bad = await makeDerivation(store, { name: "bad", args: ["-c", "echo oops; exit 1"] });
    const top = await makeDerivation(store, {
      name: "needs-bad",
      args: ["-c", "echo > $out"],
      inputDrvs: { [bad.drvPath]: ["out"] },
    });
    const { s, events } = scheduler();
    const err = (await s.realise(top.drvPath).catch((e: unknown) => e)) as BuildError;
    expect(err).toBeInstanceOf(BuildError);
    expect(err.message).toBe(
      `builder for '${bad.drvPath}' failed with exit code 1;\nlast 1 log lines:\n> oops`,
    );
    expect(started(events)).toEqual([bad.drvPath]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "finished", drvPath: bad.drvPath, success: false }),
    );
    expect(await s.readLog(bad.drvPath)).toBe("oops\n");
  });

  it("cancellation: the build stops when every requester has given up", async () => {
    const slow = await makeDerivation(store, {
      name: "slow-cancel",
      args: ["-c", "/usr/bin/sleep 30; echo > $out"],
    });
    const { s, events } = scheduler();
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const p1 = s.realise(slow.drvPath, { signal: ac1.signal });
    const p2 = s.realise(slow.drvPath, { signal: ac2.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac1.abort();
    await expect(p1).rejects.toMatchObject({ kind: "cancelled" });
    await new Promise((r) => setTimeout(r, 200));
    expect(events.some((e) => e.type === "finished")).toBe(false); // still running for the second requester
    ac2.abort();
    await expect(p2).rejects.toMatchObject({ kind: "cancelled" });
    for (let i = 0; i < 50 && !events.some((e) => e.type === "finished"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(events).toContainEqual(
      expect.objectContaining({ type: "finished", drvPath: slow.drvPath, success: false }),
    );
    expect(store.isValidPath(`/nix/store/${(slow.drv.outputs.get("out") as { path: string }).path}`)).toBe(
      false,
    );
  });

  it("two processes wanting the same derivation at the same moment build it once", async () => {
    const d = await makeDerivation(store, {
      name: "two-procs",
      args: ["-c", "/usr/bin/sleep 0.5; echo > $out"],
    });
    const bundle = await bundleChild();
    const runChild = () =>
      new Promise<string>((resolve) => {
        const child = spawn(
          process.execPath,
          [bundle, "/nix/store", store.realDir, join(root, "tmp"), join(root, "log"), d.drvPath, ...TOOLS],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        child.stdout.on("data", (b: Buffer) => (out += b.toString()));
        child.on("close", () => resolve(out));
      });
    const [o1, o2] = await Promise.all([runChild(), runChild()]);
    const lines = (o1 + o2).split("\n");
    expect(lines.filter((l) => l.includes('"type":"started"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"type":"done"'))).toHaveLength(2);
  });

  it("after the scheduler process is killed, a rerun does not rebuild registered outputs", async () => {
    const marker = join(root, "slow-marker");
    writeFileSync(marker, "");
    const first = await makeDerivation(store, { name: "k-first", args: ["-c", "echo first > $out"] });
    const firstOut = `/nix/store/${(first.drv.outputs.get("out") as { path: string }).path}`;
    const second = await makeDerivation(store, {
      name: "k-second",
      args: ["-c", "if [ -e /slow ]; then echo waiting; /usr/bin/sleep 60; fi; echo second > $out"],
      inputDrvs: { [first.drvPath]: ["out"] },
    });
    const bundle = await bundleChild();
    const child = spawn(
      process.execPath,
      [
        bundle,
        "/nix/store",
        store.realDir,
        join(root, "tmp"),
        join(root, "log"),
        second.drvPath,
        ...TOOLS,
        `/slow=${marker}`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes(`"started","drvPath":"${second.drvPath}"`); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(`"started","drvPath":"${second.drvPath}"`);
    expect(store.isValidPath(firstOut)).toBe(true);
    const firstInfo = store.queryPathInfo(firstOut);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));

    const { s, events } = scheduler();
    const result = await s.realise(second.drvPath);
    expect(started(events)).toEqual([second.drvPath]);
    expect(events).toContainEqual({ type: "already-valid", drvPath: first.drvPath });
    expect(readFileSync(store.toRealPath(result["out"]!), "utf8")).toBe("second\n");
    expect(store.queryPathInfo(firstOut)).toEqual(firstInfo);
    expect(existsSync(store.toRealPath(result["out"]!) + ".lock")).toBe(false);
  });
});
