// Shared by the test/ifd tests: compile glue and the CLI once at a time (test files run in
// parallel, and test/cli compiles the CLI too: the same lock directory keeps them from writing
// dist/ at the same moment), then run the built binary with an isolated configuration.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TSNIX = `${ROOT}packages/cli/bin/tsnix.js`;

const LOCK = `${tmpdir()}/tsnix-cli-build.lock`;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function buildGlueAndCli(): void {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    for (const pkg of ["packages/glue", "packages/cli"]) {
      try {
        execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-b", pkg], {
          cwd: ROOT,
          stdio: "pipe",
        });
      } catch {
        // Type errors elsewhere in a package still emit; the runs show whether it works.
      }
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export const bwrapAvailable = () =>
  spawnSync("sh", ["-c", "command -v bwrap"], { stdio: "ignore" }).status === 0;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary in `cwd` with an empty nix.conf directory (`confDir`): the machine's must not leak in. */
export function tsnix(args: string[], cwd: string, confDir: string): Run {
  const r = spawnSync(process.execPath, [TSNIX, ...args], {
    cwd,
    env: { ...process.env, NIX_CONF_DIR: confDir, NIX_USER_CONF_FILES: "", TSNIX_NO_BUNDLE: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tsnixEnv(confDir: string): NodeJS.ProcessEnv {
  return { ...process.env, NIX_CONF_DIR: confDir, NIX_USER_CONF_FILES: "", TSNIX_NO_BUNDLE: "1" };
}
