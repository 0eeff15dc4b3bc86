// The only door between evaluation and the world.
import type { HashAlgo, NarNode } from "@tsnix/nix-compat";
import { canonPath } from "./paths.js";

export type FileType = "regular" | "directory" | "symlink" | "unknown";

export interface EvalIO {
  /** UTF-8 text of a file. */
  readFile(path: string): string;
  readFileBytes(path: string): Uint8Array;
  pathExists(path: string): boolean;
  /** lstat semantics. */
  readFileType(path: string): FileType;
  readDir(path: string): Map<string, FileType>;
  getEnv(name: string): string | undefined;
  realPath?(path: string): string;
  /**
   * Copy a path to the store and return its store path (used by `"${./p}"`).
   * Optional: without it the evaluator copies the path itself (builtins/store-paths.ts):
   * it reads the tree through this EvalIO, computes the path, and hands it to `store`.
   */
  copyToStore?(path: string): string;
  /** lstat with the executable bit (NAR serialisation). Without it files count as non-executable. */
  lstat?(path: string): { type: FileType; executable: boolean };
  /** Target of a symlink. Without it, copying a tree that holds a symlink fails. */
  readLink?(path: string): string;
  /** Where store objects go. Absent (or `readOnly`): paths are computed, nothing is written. */
  store?: EvalStore;
  /**
   * The bytes at a URL (fetchurl, fetchTarball, fetchTree): `file://` and, where the host can,
   * `http(s)://`. Throw IOError with Nix's wording ("unable to download 'URL': …").
   * Absent: `file://` URLs are read with readFileBytes; any other URL fails with
   * "fetching 'URL' needs network access, which this evaluation does not have".
   */
  fetchUrl?(url: string): Uint8Array;
  /** Decompress a tarball's bytes. Absent: only uncompressed tar archives can be unpacked. */
  decompress?(bytes: Uint8Array, format: CompressionFormat): Uint8Array;
  /** Modification time (lstat, seconds) of a path: fetchTree's `lastModified` of "path" inputs. Absent: 0. */
  mtime?(path: string): number;
  /**
   * builtins.fetchGit / fetchTree `type = "git"` of a local repository (glue: the `git` command
   * line). Throw IOError with a readable message (missing repo, unknown ref or rev). Absent:
   * fetching Git inputs fails with a clear error.
   */
  gitFetch?(req: GitFetchRequest): GitFetchResult;
}

/** What fetchGit asks of a local repository (a path; absolute, canonical). */
export interface GitFetchRequest {
  readonly repo: string;
  /** Absent with `rev` absent too: the working tree (dirty or not), else the commit of HEAD. */
  readonly ref?: string;
  /** 40 hex digits; must be a commit of the repository. */
  readonly rev?: string;
  /** No revCount (and a shallow repository is allowed). */
  readonly shallow: boolean;
  readonly submodules: boolean;
  /** Drop paths with the `export-ignore` Git attribute (as `git archive`). */
  readonly exportIgnore: boolean;
  readonly warn?: (message: string) => void;
}

export interface GitFetchResult {
  /** The commit's tree (or the tracked files of a dirty working tree); no `.git`. */
  readonly tree: NarNode;
  /** The commit fetched; absent for a dirty working tree. 40 zeros for a clean tree without commits. */
  readonly rev?: string;
  /** The ref used (e.g. "refs/heads/master"), when known. */
  readonly ref?: string;
  /** Commits reachable from `rev` (absent when shallow or dirty). */
  readonly revCount?: number;
  /** Commit time of `rev` (dirty: of HEAD; no commits: 0), seconds. */
  readonly lastModified: number;
  /** The working tree has uncommitted changes to tracked files. */
  readonly dirty: boolean;
  /** HEAD's commit (dirty working trees with at least one commit). */
  readonly headRev?: string;
}

/** Compressions of tarballs that fetchTarball recognises (by their magic bytes). */
export type CompressionFormat = "gzip" | "xz" | "bzip2" | "zstd";

/**
 * The store hooks of evaluation (implemented over @tsnix/store by @tsnix/glue's createStoreIO).
 * The evaluator computes every path itself; a hook must store the object under exactly `path`.
 */
export interface EvalStore {
  /** Compute paths but write nothing (like `nix-instantiate --readonly-mode`). */
  readonly readOnly?: boolean;
  /** A tree read through EvalIO (`"${./p}"`, builtins.path, filterSource). */
  addToStore?(req: {
    path: string;
    name: string;
    method: "nar" | "flat";
    hashAlgo: HashAlgo;
    tree: NarNode;
    references: readonly string[];
  }): void;
  /** builtins.toFile. */
  addTextToStore?(req: { path: string; name: string; text: string; references: readonly string[] }): void;
  /** A .drv file (its text is `aterm`); `outputs` are the statically known output paths. */
  writeDerivation?(req: {
    path: string;
    name: string;
    aterm: string;
    references: readonly string[];
    outputs: Readonly<Record<string, string>>;
  }): void;
  /** builtins.storePath: is this a valid store path? */
  isValidPath?(path: string): boolean;
  /** ATerm text of a `.drv` in the store that this evaluator did not instantiate. */
  readDerivation?(drvPath: string): string | undefined;
  /** References of a valid store path (closure of `=drv` contexts). */
  queryReferences?(path: string): readonly string[];
}

/** Thrown by EvalIO implementations for missing files etc.; turned into Nix errors by the evaluator. */
export class IOError extends Error {
  constructor(
    message: string,
    readonly code: "ENOENT" | "ENOTDIR" | "EISDIR" | "EACCES" | "OTHER" = "OTHER",
  ) {
    super(message);
    this.name = "IOError";
  }
}

/**
 * An in-memory file system: keys are absolute file paths, values their text.
 * Parent directories exist implicitly. `env` is the environment for getEnv.
 */
export function createMemoryIO(files: Record<string, string>, env: Record<string, string> = {}): EvalIO {
  const fileMap = new Map<string, string>();
  const dirs = new Map<string, Map<string, "regular" | "directory">>();
  const ensureDir = (d: string) => {
    let m = dirs.get(d);
    if (m === undefined) {
      m = new Map();
      dirs.set(d, m);
      if (d !== "/") {
        const i = d.lastIndexOf("/");
        const parent = i <= 0 ? "/" : d.slice(0, i);
        ensureDir(parent).set(d.slice(i + 1), "directory");
      }
    }
    return m;
  };
  ensureDir("/");
  for (const [p, text] of Object.entries(files)) {
    const path = canonPath(p);
    fileMap.set(path, text);
    const i = path.lastIndexOf("/");
    ensureDir(i <= 0 ? "/" : path.slice(0, i)).set(path.slice(i + 1), "regular");
  }
  const enoent = (p: string) => new IOError(`getting status of '${p}': No such file or directory`, "ENOENT");
  return {
    readFile(p) {
      const t = fileMap.get(canonPath(p));
      if (t === undefined) {
        if (dirs.has(canonPath(p))) throw new IOError(`reading file '${p}': Is a directory`, "EISDIR");
        throw enoent(p);
      }
      return t;
    },
    readFileBytes(p) {
      return new TextEncoder().encode(this.readFile(p));
    },
    pathExists(p) {
      const c = canonPath(p);
      return fileMap.has(c) || dirs.has(c);
    },
    readFileType(p) {
      const c = canonPath(p);
      if (fileMap.has(c)) return "regular";
      if (dirs.has(c)) return "directory";
      throw enoent(p);
    },
    readDir(p) {
      const d = dirs.get(canonPath(p));
      if (d === undefined) throw enoent(p);
      return new Map(d);
    },
    getEnv(name) {
      return env[name];
    },
  };
}
