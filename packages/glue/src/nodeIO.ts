// An EvalIO over node:fs (the evaluator itself never imports node: modules).
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { IOError, type EvalIO, type FileType } from "@tsnix/eval";
import { createFetchHooks, type FetchOptions } from "./fetch.js";
import { gitFetch } from "./git.js";

function kind(st: fs.Stats): FileType {
  if (st.isFile()) return "regular";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  return "unknown";
}

function ioError(e: unknown, what: string, path: string): IOError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new IOError(`${what} '${path}': No such file or directory`, "ENOENT");
  if (code === "ENOTDIR") return new IOError(`${what} '${path}': Not a directory`, "ENOTDIR");
  if (code === "EISDIR") return new IOError(`${what} '${path}': Is a directory`, "EISDIR");
  if (code === "EACCES") return new IOError(`${what} '${path}': Permission denied`, "EACCES");
  return new IOError(`${what} '${path}': ${(e as Error).message}`);
}

export interface NodeIOOptions {
  /** Environment for getEnv (default: process.env). */
  env?: Record<string, string | undefined>;
  /** fetchurl / fetchTarball / fetchTree downloads (see fetch.ts). */
  fetch?: FetchOptions;
}

export function createNodeIO(opts: NodeIOOptions = {}): EvalIO {
  const env = opts.env ?? process.env;
  return {
    ...createFetchHooks(opts.fetch),
    gitFetch,
    readFile(path) {
      try {
        return fs.readFileSync(path, "utf8");
      } catch (e) {
        throw ioError(e, "reading file", path);
      }
    },
    readFileBytes(path) {
      try {
        return new Uint8Array(fs.readFileSync(path));
      } catch (e) {
        throw ioError(e, "reading file", path);
      }
    },
    pathExists(path) {
      try {
        fs.lstatSync(path);
        return true;
      } catch {
        return false;
      }
    },
    readFileType(path) {
      try {
        return kind(fs.lstatSync(path));
      } catch (e) {
        throw ioError(e, "getting status of", path);
      }
    },
    readDir(path) {
      try {
        const out = new Map<string, FileType>();
        for (const d of fs.readdirSync(path, { withFileTypes: true })) {
          out.set(
            d.name,
            d.isFile()
              ? "regular"
              : d.isDirectory()
                ? "directory"
                : d.isSymbolicLink()
                  ? "symlink"
                  : "unknown",
          );
        }
        return out;
      } catch (e) {
        throw ioError(e, "opening directory", path);
      }
    },
    getEnv(name) {
      return env[name];
    },
    realPath(path) {
      try {
        return fs.realpathSync(nodePath.resolve(path));
      } catch (e) {
        throw ioError(e, "resolving", path);
      }
    },
  };
}
