// EvalIO.gitFetch over the `git` command line (spawnSync; no git library): the tree of a commit
// (git archive semantics: no .git, executable bits and symlinks kept, export-ignore honoured on
// request) or of a local working tree (the files Git tracks, as they are on disk), with the
// commit facts fetchGit reports. Policy (which attributes, warnings) lives in @tsnix/eval.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IOError, type EvalIO } from "@tsnix/eval";
import type { NarNode } from "@tsnix/nix-compat";
import { nodeChildProcess } from "./lazy-builtins.js";

type GitFetch = NonNullable<EvalIO["gitFetch"]>;
type GitFetchRequest = Parameters<GitFetch>[0];
type GitFetchResult = ReturnType<GitFetch>;

const NULL_REV = "0".repeat(40);

interface MutableDir {
  type: "directory";
  entries: Map<string, NarNode>;
}

function git(repo: string, args: readonly string[], input?: string | Buffer): Buffer {
  const r = nodeChildProcess().spawnSync("git", ["-C", repo, ...args], {
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
  });
  if (r.error !== undefined) throw new IOError(`cannot run git: ${r.error.message}`);
  if (r.status !== 0) {
    const msg = r.stderr
      .toString("utf8")
      .trim()
      .replace(/^fatal: /, "");
    throw new IOError(`git ${args[0] ?? ""} failed in '${repo}': ${msg}`);
  }
  return r.stdout;
}

/** Like `git`, but a non-zero exit is an answer (null), not an error. */
function gitMaybe(repo: string, args: readonly string[]): string | null {
  const r = nodeChildProcess().spawnSync("git", ["-C", repo, ...args], {
    env: { ...process.env, LC_ALL: "C" },
  });
  if (r.error !== undefined) throw new IOError(`cannot run git: ${r.error.message}`);
  return r.status === 0 ? r.stdout.toString("utf8").trim() : null;
}

function splitZ(b: Buffer): string[] {
  const s = b.toString("utf8");
  return s === "" ? [] : s.replace(/\0$/, "").split("\0");
}

function insert(root: MutableDir, path: string, node: NarNode): void {
  const parts = path.split("/");
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    let next = dir.entries.get(part);
    if (next === undefined || next.type !== "directory") {
      next = { type: "directory", entries: new Map() };
      dir.entries.set(part, next);
    }
    dir = next as MutableDir;
  }
  dir.entries.set(parts[parts.length - 1]!, node);
}

/** Paths (and their ancestors) with the `export-ignore` attribute, as `git archive` drops them. */
function exportIgnored(repo: string, paths: readonly string[], cachedIndex: string | null): Set<string> {
  const all = new Set<string>();
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join("/"));
  }
  const args = [
    "check-attr",
    "-z",
    "--stdin",
    ...(cachedIndex === null ? [] : ["--cached"]),
    "export-ignore",
  ];
  const r = nodeChildProcess().spawnSync("git", ["-C", repo, ...args], {
    input: [...all].join("\0") + "\0",
    maxBuffer: 1 << 30,
    env: {
      ...process.env,
      LC_ALL: "C",
      ...(cachedIndex === null ? {} : { GIT_INDEX_FILE: cachedIndex }),
    },
  });
  if (r.status !== 0) throw new IOError(`git check-attr failed in '${repo}': ${r.stderr.toString("utf8")}`);
  const fields = splitZ(r.stdout);
  const ignored = new Set<string>();
  for (let i = 0; i + 2 < fields.length; i += 3) if (fields[i + 2] === "set") ignored.add(fields[i]!);
  return ignored;
}

function isIgnored(path: string, ignored: ReadonlySet<string>): boolean {
  if (ignored.size === 0) return false;
  const parts = path.split("/");
  for (let i = 1; i <= parts.length; i++) if (ignored.has(parts.slice(0, i).join("/"))) return true;
  return false;
}

function hasGitattributes(paths: readonly string[]): boolean {
  return paths.some((p) => p === ".gitattributes" || p.endsWith("/.gitattributes"));
}

/** The tree of commit `rev` (ls-tree + cat-file --batch). Submodules become empty directories. */
function commitTree(repo: string, rev: string, exportIgnore: boolean): NarNode {
  const entries = splitZ(git(repo, ["ls-tree", "-r", "-z", "--full-tree", rev])).map((line) => {
    const tab = line.indexOf("\t");
    const [mode, type, oid] = line.slice(0, tab).split(" ") as [string, string, string];
    return { mode, type, oid, path: line.slice(tab + 1) };
  });
  let ignored = new Set<string>();
  if (exportIgnore && hasGitattributes(entries.map((e) => e.path))) {
    const index = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-git-")) + "/index";
    try {
      const r = nodeChildProcess().spawnSync("git", ["-C", repo, "read-tree", rev], {
        env: { ...process.env, GIT_INDEX_FILE: index },
      });
      if (r.status !== 0)
        throw new IOError(`git read-tree failed in '${repo}': ${r.stderr.toString("utf8")}`);
      ignored = exportIgnored(
        repo,
        entries.map((e) => e.path),
        index,
      );
    } finally {
      fs.rmSync(index.slice(0, -"/index".length), { recursive: true, force: true });
    }
  }
  const kept = entries.filter((e) => !isIgnored(e.path, ignored));
  const blobs = kept.filter((e) => e.type === "blob");
  const contents = new Map<string, Uint8Array>();
  if (blobs.length > 0) {
    const out = git(repo, ["cat-file", "--batch"], blobs.map((b) => b.oid).join("\n") + "\n");
    let off = 0;
    while (off < out.length) {
      const nl = out.indexOf(10, off);
      const [oid, , size] = out.subarray(off, nl).toString("latin1").split(" ") as [string, string, string];
      const start = nl + 1;
      const end = start + Number(size);
      contents.set(oid, new Uint8Array(out.subarray(start, end)));
      off = end + 1;
    }
  }
  const root: MutableDir = { type: "directory", entries: new Map() };
  for (const e of kept) {
    if (e.type === "commit") insert(root, e.path, { type: "directory", entries: new Map() });
    else if (e.mode === "120000")
      insert(root, e.path, { type: "symlink", target: Buffer.from(contents.get(e.oid)!).toString("utf8") });
    else
      insert(root, e.path, {
        type: "regular",
        executable: e.mode === "100755",
        contents: contents.get(e.oid)!,
      });
  }
  return root;
}

/** The tracked files of a working tree as they are on disk (deleted ones left out). */
function workdirTree(repo: string, exportIgnore: boolean): NarNode {
  const staged = splitZ(git(repo, ["ls-files", "-z", "--stage"])).map((line) => {
    const tab = line.indexOf("\t");
    return { mode: line.slice(0, 6), path: line.slice(tab + 1) };
  });
  const seen = new Set<string>();
  const files = staged.filter((f) => !seen.has(f.path) && seen.add(f.path) !== undefined);
  const ignored =
    exportIgnore && hasGitattributes(files.map((f) => f.path))
      ? exportIgnored(
          repo,
          files.map((f) => f.path),
          null,
        )
      : new Set<string>();
  const root: MutableDir = { type: "directory", entries: new Map() };
  for (const f of files) {
    if (isIgnored(f.path, ignored)) continue;
    const abs = `${repo}/${f.path}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      continue;
    }
    if (f.mode === "160000") insert(root, f.path, { type: "directory", entries: new Map() });
    else if (st.isSymbolicLink()) insert(root, f.path, { type: "symlink", target: fs.readlinkSync(abs) });
    else if (st.isFile())
      insert(root, f.path, {
        type: "regular",
        executable: (st.mode & 0o100) !== 0,
        contents: new Uint8Array(fs.readFileSync(abs)),
      });
  }
  return root;
}

function commitFacts(
  repo: string,
  rev: string,
  shallow: boolean,
): { revCount?: number; lastModified: number } {
  const lastModified = Number(git(repo, ["log", "-1", "--format=%ct", rev]).toString("utf8").trim());
  if (shallow) return { lastModified };
  const revCount = Number(git(repo, ["rev-list", "--count", rev]).toString("utf8").trim());
  return { revCount, lastModified };
}

/** EvalIO.gitFetch over the git command line. */
export function gitFetch(req: GitFetchRequest): GitFetchResult {
  const repo = req.repo;
  if (!fs.existsSync(repo)) throw new IOError(`path '${repo}' does not exist`);
  if (gitMaybe(repo, ["rev-parse", "--git-dir"]) === null)
    throw new IOError(`'${repo}' is not a Git repository`);
  if (req.submodules && gitMaybe(repo, ["config", "-f", ".gitmodules", "--list"]))
    throw new IOError(`fetching Git submodules is not supported by tsnix yet ('${repo}')`);
  const headRev = gitMaybe(repo, ["rev-parse", "--verify", "-q", "HEAD^{commit}"]) ?? undefined;
  const headRef = gitMaybe(repo, ["symbolic-ref", "-q", "HEAD"]) ?? undefined;
  const bare = gitMaybe(repo, ["rev-parse", "--is-bare-repository"]) === "true";

  if (req.rev === undefined && req.ref === undefined && !bare) {
    const status = git(repo, [
      "status",
      "--porcelain",
      "-z",
      "--untracked-files=no",
      "--ignore-submodules=all",
    ]);
    const dirty = status.length > 0;
    if (dirty || headRev === undefined) {
      const facts = headRev === undefined ? { lastModified: 0 } : commitFacts(repo, headRev, true);
      return {
        tree: workdirTree(repo, req.exportIgnore),
        dirty,
        ...(headRev === undefined ? {} : { headRev }),
        ...(dirty ? {} : { rev: NULL_REV, revCount: 0 }),
        ...(headRef === undefined ? {} : { ref: headRef }),
        lastModified: facts.lastModified,
      };
    }
    // A clean working tree is its HEAD commit; Nix counts its revisions even when `shallow`.
    return fromCommit(repo, headRev, headRef, { ...req, shallow: false }, false);
  }

  let ref = req.ref;
  if (ref === undefined) {
    if (headRef === undefined) req.warn?.(`could not read HEAD ref from repo at '${repo}', using 'master'`);
    ref = headRef ?? "master";
  }
  let rev = req.rev;
  if (rev === undefined) {
    const resolved = gitMaybe(repo, ["rev-parse", "--verify", "-q", `${ref}^{commit}`]);
    if (resolved === null)
      throw new IOError(`resolving Git reference '${ref}': reference '${ref}' not found in '${repo}'`);
    rev = resolved;
  } else if (gitMaybe(repo, ["cat-file", "-e", `${rev}^{commit}`]) === null)
    throw new IOError(
      `Cannot find Git revision '${rev}' in ref '${ref}' of repository '${repo}'! ` +
        "Please make sure that the rev exists on the ref you've specified or add allRefs = true; to fetchGit.",
    );
  return fromCommit(repo, rev, ref, req, true);
}

function fromCommit(
  repo: string,
  rev: string,
  ref: string | undefined,
  req: GitFetchRequest,
  checkShallow: boolean,
): GitFetchResult {
  if (checkShallow && !req.shallow && gitMaybe(repo, ["rev-parse", "--is-shallow-repository"]) === "true")
    throw new IOError(
      `'${repo}' is a shallow Git repository, but shallow repositories are only allowed when \`shallow = true;\` is specified`,
    );
  return {
    tree: commitTree(repo, rev, req.exportIgnore),
    rev,
    ...(ref === undefined ? {} : { ref }),
    ...commitFacts(repo, rev, req.shallow),
    dirty: false,
  };
}
