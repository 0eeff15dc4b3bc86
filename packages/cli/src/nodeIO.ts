// A minimal EvalIO over node:fs, used until @tsnix/glue provides its own
// (packages/glue/src/nodeIO.ts); then the CLI switches to that one.
import { lstatSync, readFileSync, readdirSync, realpathSync, existsSync } from "node:fs";
import type { EvalIO } from "./contracts.js";

type FileType = "regular" | "directory" | "symlink" | "unknown";

function typeOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileType {
  if (d.isFile()) return "regular";
  if (d.isDirectory()) return "directory";
  if (d.isSymbolicLink()) return "symlink";
  return "unknown";
}

export function createNodeIO(env: Record<string, string | undefined> = process.env): EvalIO {
  return {
    readFile: (path) => readFileSync(path, "utf8"),
    readFileBytes: (path) => readFileSync(path),
    pathExists: (path) => existsSync(path),
    readFileType: (path) => typeOf(lstatSync(path)),
    readDir: (path) => new Map(readdirSync(path, { withFileTypes: true }).map((d) => [d.name, typeOf(d)])),
    getEnv: (name) => env[name],
    realPath: (path) => realpathSync(path),
  };
}
