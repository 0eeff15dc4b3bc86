// Issue 7's acceptance test for IO-driven builds, through the real `tsnix` binary: importing a .nix
// file written by a derivation that depends on two independent derivations, in ONE command. The
// builders stamp `date +%s.%N` at start and end, so the test can see the two ran at the same time,
// then the generator, and that evaluation went on afterwards. Each test uses its own temporary
// store (--store), never a real one, and a `tag` so that its derivations are new.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LAUNCHER,
  TSNIX,
  buildGlueAndCli,
  bwrapAvailable,
  tsnix as run,
  tsnixEnv,
  type Run,
} from "./helpers.js";

const IFD_NIX = fileURLToPath(new URL("./ifd.nix", import.meta.url));
const TOOLS = ["/usr/bin/date", "/usr/bin/sleep"];
const usable = bwrapAvailable() && TOOLS.every((t) => existsSync(t));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsnix-ifd-"));
  buildGlueAndCli();
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => tsnixEnv(dir);
const tsnix = (args: string[], cwd = dir): Run => run(args, cwd, dir);

/** As with Nix, `--eval` alone writes no .drv, so nothing could be built: read-write mode. */
const EVAL_RW = ["instantiate", "--eval", "--read-write-mode"];

function commonArgs(store: string, tag: string): string[] {
  return ["--store", store, "--option", "extra-sandbox-paths", TOOLS.join(" "), "--argstr", "tag", tag];
}

interface Interval {
  start: number;
  end: number;
}

function checkOrder(a: Interval, b: Interval, gen: number): void {
  expect(a.start).toBeLessThan(a.end);
  expect(b.start).toBeLessThan(b.end);
  // a and b were built at the same time: their intervals overlap.
  expect(a.start < b.end && b.start < a.end).toBe(true);
  // gen ran after both.
  expect(gen).toBeGreaterThanOrEqual(Math.max(a.end, b.end));
}

const drvName = (line: string) => /building '[^']*?-([^'/]*)\.drv'/.exec(line)?.[1];
const built = (stderr: string) =>
  stderr
    .split("\n")
    .map(drvName)
    .filter((n) => n !== undefined);

describe.runIf(usable)("import from derivation, end to end", () => {
  it("tsnix instantiate --eval: builds a ‖ b, then gen, then goes on evaluating", () => {
    const store = join(dir, "store-eval");
    const t0 = Date.now() / 1000;
    const r = tsnix([
      ...EVAL_RW,
      "--strict",
      "--json",
      IFD_NIX,
      "-A",
      "a",
      "-A",
      "b",
      "-A",
      "gen",
      "-A",
      "answer",
      ...commonArgs(store, "eval"),
    ]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const [a, b, gen, answer] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    const num = (x: unknown) => ({ start: Number((x as Interval).start), end: Number((x as Interval).end) });
    checkOrder(num(a), num(b), Number(gen));
    expect(num(a).start).toBeGreaterThan(t0);
    expect(answer).toBe(42);
    expect(built(r.stderr).sort()).toEqual(["gen", "stamp-a", "stamp-b"]);
    expect(built(r.stderr)[2]).toBe("gen");
    // The store is the temporary one.
    expect(readdirSync(join(store, "nix/store")).some((n) => n.endsWith("-gen"))).toBe(true);
  });

  it("tsnix build: IFD during evaluation, then the result is built and linked", () => {
    const store = join(dir, "store-build");
    const r = tsnix(["build", IFD_NIX, "-A", "final", "-o", "res", ...commonArgs(store, "build")]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const out = r.stdout.trim();
    expect(out).toMatch(/^\/nix\/store\/[0-9a-z]{32}-final$/);
    const link = readlinkSync(join(dir, "res"));
    expect(link).toBe(join(store, out));
    const [as, ae, bs, be, gen, answer] = readFileSync(join(dir, "res"), "utf8")
      .trim()
      .split(" ")
      .map(Number);
    checkOrder({ start: as!, end: ae! }, { start: bs!, end: be! }, gen!);
    expect(answer).toBe(42);
    expect(built(r.stderr)).toContain("final");
    // The log is kept.
    const drv = /building '([^']*-gen\.drv)'/.exec(r.stderr)![1]!;
    const log = tsnix(["log", "--store", store, drv]);
    expect(log.status).toBe(0);
    expect(log.stdout).toMatch(/^generating from \/nix\/store\/\S+-stamp-a and/);
  });

  it("--max-jobs 1 builds a and b one after the other", () => {
    const store = join(dir, "store-j1");
    const r = tsnix([
      ...EVAL_RW,
      "--strict",
      "--json",
      IFD_NIX,
      "-A",
      "a",
      "-A",
      "b",
      "--arg",
      "sleep",
      '"1"',
      "--max-jobs",
      "1",
      ...commonArgs(store, "j1"),
    ]);
    expect(r.status).toBe(0);
    const [a, b] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Interval)
      .map((x) => ({ start: Number(x.start), end: Number(x.end) }));
    expect(a!.start < b!.end && b!.start < a!.end).toBe(false);
  });

  // bin/tsnix evaluates on the main thread (its builds then run in a thread of their own); a plain
  // `node tsnix.js` in a worker thread. Both ask for builds the same way.
  it.each([
    ["a worker thread (node tsnix.js)", [process.execPath, TSNIX]],
    ["the main thread (bin/tsnix)", [LAUNCHER]],
  ])(
    "without --store: the default store (under XDG_DATA_HOME), built on the first IFD, evaluating in %s; tsnix eval too",
    (_, command) => {
      const tag = command.length === 1 ? "default-store-main" : "default-store-worker";
      const data = join(dir, `xdg-data-${tag}`);
      const args = ["--option", "extra-sandbox-paths", TOOLS.join(" "), "--argstr", "tag", tag];
      const runIn = (cmd: string[]) => {
        const r = spawnSync(command[0]!, [...command.slice(1), ...cmd, ...args], {
          cwd: dir,
          // The main thread evaluates only with the bundle (the rest of these tests run without it).
          env: {
            ...env(),
            XDG_DATA_HOME: data,
            NODE_DEBUG: "worker", // Node logs each worker thread it creates
            ...(command.length === 1 ? { TSNIX_NO_BUNDLE: "" } : {}),
          },
          encoding: "utf8",
          timeout: 120_000,
        });
        return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
      };
      const r = runIn([...EVAL_RW, IFD_NIX, "-A", "answer"]);
      expect(r.stderr).not.toMatch(/^error/m);
      expect(r.stdout.trim()).toBe("42");
      expect(built(r.stderr).sort()).toEqual(["gen", "stamp-a", "stamp-b"]);
      expect(readdirSync(join(data, "tsnix/store/nix/store")).some((n) => n.endsWith("-gen"))).toBe(true);
      // The outputs are there now: `tsnix eval` reads them without building anything.
      const again = runIn(["eval", "--file", IFD_NIX, "answer"]);
      expect(again.stderr).not.toMatch(/^error/m);
      expect(again.stdout.trim()).toBe("42");
      expect(built(again.stderr)).toEqual([]);
    },
  );

  it("--eval without --read-write-mode writes no .drv: Nix's 'is not valid' error", () => {
    const store = join(dir, "store-ro");
    const r = tsnix(["instantiate", "--eval", IFD_NIX, "-A", "answer", ...commonArgs(store, "ro")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: path '\/nix\/store\/[0-9a-z]{32}-gen\.drv' is not valid/);
    expect(built(r.stderr)).toEqual([]);
  });

  it("allow-import-from-derivation = false: Nix's error, nothing built", () => {
    const store = join(dir, "store-noifd");
    const r = tsnix([
      ...EVAL_RW,
      IFD_NIX,
      "-A",
      "answer",
      ...commonArgs(store, "noifd"),
      "--option",
      "allow-import-from-derivation",
      "false",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: cannot build '\/nix\/store\/[0-9a-z]{32}-gen\.drv' during evaluation because the option 'allow-import-from-derivation' is disabled/,
    );
    expect(r.stderr).toContain("while calling the 'import' builtin");
    expect(built(r.stderr)).toEqual([]);
  });

  it("a failing IFD build is a Nix error naming the derivation, with the log tail", () => {
    const store = join(dir, "store-fail");
    const r = tsnix([
      ...EVAL_RW,
      IFD_NIX,
      "-A",
      "answer",
      "--arg",
      "sleep",
      '"0"',
      "--arg",
      "failGen",
      "true",
      ...commonArgs(store, "fail"),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: builder for '\/nix\/store\/[0-9a-z]{32}-gen\.drv' failed with exit code 3/,
    );
    expect(r.stderr).toContain("> gen: something went wrong");
    expect(r.stderr).toContain("while calling the 'import' builtin");
  });

  it("killed mid-build, a rerun finishes without rebuilding what was registered", async () => {
    const store = join(dir, "store-kill");
    const args = [
      "build",
      IFD_NIX,
      "-A",
      "final",
      "--no-out-link",
      "--arg",
      "sleepA",
      '"0"',
      "--arg",
      "sleepB",
      '"5"',
      ...commonArgs(store, "kill"),
    ];
    const child = spawn(process.execPath, [TSNIX, ...args], {
      cwd: dir,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const realStore = join(store, "nix/store");
    const aOutput = () =>
      existsSync(realStore) ? readdirSync(realStore).find((n) => n.endsWith("-stamp-a")) : undefined;
    const deadline = Date.now() + 60_000;
    // Wait until a is registered (in place under its final name) while b is still building.
    while (aOutput() === undefined || !stderr.includes("stamp-b started")) {
      if (Date.now() > deadline) throw new Error(`a was not built in time:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const aBefore = readFileSync(join(realStore, aOutput()!), "utf8");

    const rerun = tsnix(args);
    expect(rerun.stderr).not.toMatch(/^error/m);
    expect(rerun.status).toBe(0);
    // a was registered before the kill: not built again; b was not, so it is.
    expect(built(rerun.stderr)).not.toContain("stamp-a");
    expect(built(rerun.stderr)).toEqual(expect.arrayContaining(["stamp-b", "gen", "final"]));
    expect(readFileSync(join(realStore, aOutput()!), "utf8")).toBe(aBefore);
    expect(rerun.stdout.trim()).toMatch(/-final$/);
  }, 120_000);
});
