// Shared by the CLI tests: build packages/cli once, run the built binary.
import { execFileSync, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TSNIX = `${ROOT}packages/cli/bin/tsnix.js`;
/** What npx runs: evaluates on the main thread where it can raise the stack limit (bin/tsnix). */
export const LAUNCHER = `${ROOT}packages/cli/bin/tsnix`;
export const BIN_DIR = `${ROOT}packages/cli/bin`;
export const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/nix-lang", import.meta.url));

const LOCK = `${tmpdir()}/tsnix-cli-build.lock`;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Builds packages/cli as `npm run build` does: `tsc -b` (incremental, with the packages it
 * references), then the worker bundles (scripts/bundle.mjs). Test files run in parallel: a lock
 * directory keeps their builds from writing dist/ at the same time.
 */
export function buildCli(): void {
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
    execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-b", "packages/cli"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    execFileSync(process.execPath, [`${ROOT}packages/cli/scripts/bundle.mjs`, "--quiet"], {
      cwd: ROOT,
      stdio: "pipe",
    });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Whether a package the CLI loads at run time is built and works at all (a
 * smoke test run in a child process). Tests of CLI features that need it run
 * only then, so the CLI's tests stay meaningful while the package is in progress.
 */
function probe(pkg: string, code: string): boolean {
  if (!existsSync(`${ROOT}packages/${pkg}/dist/index.js`)) return false;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT, stdio: "ignore" });
  return r.status === 0;
}

export const parserDistExists = () => existsSync(`${ROOT}packages/parser/dist/index.js`);

export const parserBuilt = () =>
  probe(
    "parser",
    `import { parse, showExpr } from "@tsnix/parser";
     showExpr(parse("1 + 2", { path: null, origin: "stdin", baseDir: "/", homeDir: "/" }));`,
  );

export const evalBuilt = () =>
  probe(
    "eval",
    `import { Evaluator, createMemoryIO } from "@tsnix/eval";
     const e = new Evaluator({ io: createMemoryIO({}) });
     const ok =
       e.print(e.evalString("1 + 2")) === "3" &&
       e.print(e.evalString("[ (1 + 1) ]"), { strict: true }) === "[ 2 ]" &&
       e.print(e.selectAttrPath(e.evalString("{ a.b = 5; }"), "a.b")) === "5" &&
       e.print(e.autoCall(e.evalString("{ x }: x"), new Map([["x", { kind: "string", value: "s" }]]))) === '"s"';
     if (!ok) process.exit(1);`,
  );

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function tsnix(args: string[], opts: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [TSNIX, ...args], { encoding: "utf8", timeout: 60_000, ...opts });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}
