// Bundles test-child.ts with esbuild so that child processes run plain JS under node (no TS loader needed).
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { buildSync } from "esbuild";

const here = import.meta.dirname;
const repoRoot = nodePath.resolve(here, "..", "..", "..");
let bundled: string | undefined;
let bundleDir: string | undefined;

/** Remove the bundle (call from afterAll). */
export function removeChildScript(): void {
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  bundled = bundleDir = undefined;
}

export function childScript(): string {
  if (bundled) return bundled;
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "tsnix-store-child-"));
  bundleDir = dir;
  const out = nodePath.join(dir, "child.cjs");
  buildSync({
    entryPoints: [nodePath.join(here, "test-child.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: out,
    external: ["better-sqlite3"],
    alias: { "@tsnix/nix-compat": nodePath.join(repoRoot, "packages", "nix-compat", "src", "index.ts") },
    logLevel: "silent",
  });
  bundled = out;
  return out;
}

export function spawnChild(args: string[]): ChildProcess {
  return spawn(process.execPath, [childScript(), ...args], {
    env: { ...process.env, NODE_PATH: nodePath.join(repoRoot, "node_modules") },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function waitChild(child: ChildProcess): Promise<ChildResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}
