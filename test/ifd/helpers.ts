// Shared by the test/ifd tests: the CLI build comes from test/cli/helpers.ts (one lock keeps
// test files from writing dist/ at the same moment; `tsc -b packages/cli` builds glue too), then
// the built binary runs with an isolated configuration and without the worker bundles.
import { spawnSync } from "node:child_process";
import { TSNIX } from "../cli/helpers.js";

export { LAUNCHER, ROOT, TSNIX, buildCli as buildGlueAndCli } from "../cli/helpers.js";

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
