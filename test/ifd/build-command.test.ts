// `tsnix build` and `tsnix log` as nix-build users know them: output paths on stdout, result links,
// --no-out-link, failing builds, the kept log. Temporary store, isolated from the machine's nix.conf.
import { mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGlueAndCli, bwrapAvailable, tsnix as run } from "./helpers.js";

const usable = bwrapAvailable();

let dir: string;
let store: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsnix-build-"));
  store = join(dir, "store");
  buildGlueAndCli();
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tsnix = (args: string[], cwd = dir) => run(args, cwd, dir);

const DRVS = `
  let mk = name: script: derivation {
    inherit name; system = builtins.currentSystem; builder = "/bin/sh";
    outputs = [ "out" "dev" ]; args = [ "-c" script ];
  };
  in {
    x = mk "x" "echo x-log-line; echo x > $out; echo xdev > $dev";
    y = mk "y" "echo y > $out; echo ydev > $dev";
    bad = mk "bad" "echo about to fail; echo really >&2; exit 2";
    notDrv = 1;
  }
`;

describe.runIf(usable)("tsnix build", () => {
  it("prints output paths and makes result, result-2 links (nix-build's naming)", () => {
    const r = tsnix(["build", "--store", store, "-E", DRVS, "-A", "x", "-A", "y"]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const [x, y] = r.stdout.trim().split("\n");
    expect(x).toMatch(/^\/nix\/store\/[0-9a-z]{32}-x$/);
    expect(y).toMatch(/^\/nix\/store\/[0-9a-z]{32}-y$/);
    expect(readlinkSync(join(dir, "result"))).toBe(join(store, x!));
    expect(readlinkSync(join(dir, "result-2"))).toBe(join(store, y!));
    expect(readFileSync(join(dir, "result"), "utf8")).toBe("x\n");
    expect(r.stderr).toContain("x-log-line"); // build output is shown
  });

  it("a non-default output gets result-<output>; --out-link renames; --no-out-link makes none", () => {
    const r = tsnix(["build", "--store", store, "-E", DRVS, "-A", "x.dev", "-o", "lnk"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/-x-dev$/);
    expect(readFileSync(join(dir, "lnk-dev"), "utf8")).toBe("xdev\n");
    const sub = mkdtempSync(join(dir, "nolink-"));
    const n = tsnix(["build", "--store", store, "-E", DRVS, "-A", "y", "--no-out-link"], sub);
    expect(n.status).toBe(0);
    expect(n.stdout.trim()).toMatch(/-y$/);
    expect(readdirSync(sub)).toEqual([]);
    // Already valid: nothing is built again.
    expect(n.stderr).not.toContain("building");
  });

  it("a failing build: Nix's error with the log tail, exit 1; the log is kept for tsnix log", () => {
    const r = tsnix(["build", "--store", store, "-E", DRVS, "-A", "bad", "--no-out-link"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: builder for '\/nix\/store\/[0-9a-z]{32}-bad\.drv' failed with exit code 2/,
    );
    expect(r.stderr).toContain("> really");
    const drv = /'(\/nix\/store\/[^']*-bad\.drv)'/.exec(r.stderr)![1]!;
    const log = tsnix(["log", "--store", store, drv]);
    expect(log.status).toBe(0);
    expect(log.stdout).toBe("about to fail\nreally\n");
  });

  it("tsnix log finds an output's deriver; unknown paths are an error", () => {
    const x = tsnix(["build", "--store", store, "-E", DRVS, "-A", "x", "--no-out-link"]).stdout.trim();
    const log = tsnix(["log", "--store", store, x]);
    expect(log.stdout).toBe("x-log-line\n");
    const none = tsnix(["log", "--store", store, `/nix/store/${"0".repeat(32)}-nothing`]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/error: build log of '\/nix\/store\/0+-nothing' is not available/);
  });

  it("--cores reaches the builder; --timeout kills a build that runs too long", () => {
    const expr = (script: string) =>
      `derivation { name = "t"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "${script}" ]; }`;
    const cores = tsnix([
      "build",
      "--store",
      store,
      "--no-out-link",
      "--cores",
      "3",
      "-E",
      expr("echo $NIX_BUILD_CORES > $out"),
    ]);
    expect(cores.status).toBe(0);
    expect(readFileSync(join(store, cores.stdout.trim()), "utf8")).toBe("3\n");
    const t0 = Date.now();
    const slow = tsnix([
      "build",
      "--store",
      store,
      "--no-out-link",
      "--timeout",
      "1",
      "--option",
      "extra-sandbox-paths",
      "/usr/bin/sleep",
      "-E",
      expr("/usr/bin/sleep 30; echo > $out"),
    ]);
    expect(slow.status).toBe(1);
    expect(slow.stderr).toMatch(
      /error: building of '\/nix\/store\/[0-9a-z]{32}-t\.drv' timed out after 1 seconds/,
    );
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("bad input is a Nix-style error, not a stack trace", () => {
    const notDrv = tsnix(["build", "--store", store, "-E", DRVS, "-A", "notDrv"]);
    expect(notDrv.status).toBe(1);
    expect(notDrv.stderr).toContain("expression does not evaluate to a derivation");
    const parse = tsnix(["build", "--store", store, "-E", "{ x = ; }"]);
    expect(parse.status).toBe(1);
    expect(parse.stderr).toMatch(/^error: syntax error/m);
    expect(parse.stderr).toContain("at «string»:1:7:");
    expect(parse.stderr).not.toMatch(/\.js:\d+/); // no JS stack frames
    const flag = tsnix(["build", "-o"]);
    expect(flag.status).toBe(1);
    expect(flag.stderr).toContain("flag '-o' requires 1 argument");
  });
});
