// builtins.fetchGit / fetchTree type "git" through createNodeIO's gitFetch, on repositories made
// here with fixed author and dates (so commit hashes are stable). Golden values are Nix 2.8's
// (`nix-instantiate --eval --strict -E 'builtins.fetchGit …'`) for the same repositories; when
// nix-instantiate is on PATH the results are also compared with it live.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Evaluator } from "@tsnix/eval";
import { MemoryStore } from "@tsnix/store";
import type { NarNode } from "@tsnix/nix-compat";
import { gitFetch } from "./git.js";
import { createNodeIO } from "./nodeIO.js";
import { createStoreIO } from "./store-io.js";
import { nixErrorOf } from "./test-support/errors.js";

const hasNix = spawnSync("nix-instantiate", ["--version"]).status === 0;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-git-"));
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@e",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@e",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  HOME: root,
};

function sh(cwd: string, cmd: string, date?: string): void {
  const env = date === undefined ? ENV : { ...ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  const r = spawnSync("sh", ["-c", cmd], { cwd, env });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`);
}

/** master: "one" (a.txt, executable sub/run.sh, symlink link), "two" (+ b.txt); feature: "three". */
function makeRepo(name: string): string {
  const repo = path.join(root, name);
  fs.mkdirSync(repo);
  sh(repo, "git init -q -b master .");
  fs.writeFileSync(path.join(repo, "a.txt"), "hello\n");
  fs.mkdirSync(path.join(repo, "sub"));
  fs.writeFileSync(path.join(repo, "sub/run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  fs.symlinkSync("a.txt", path.join(repo, "link"));
  sh(repo, "git add -A && git commit -qm one", "2020-01-01T00:00:00Z");
  fs.writeFileSync(path.join(repo, "b.txt"), "two\n");
  sh(repo, "git add b.txt && git commit -qm two", "2020-01-02T00:00:00Z");
  sh(repo, "git checkout -qb feature");
  fs.writeFileSync(path.join(repo, "f.txt"), "feat\n");
  sh(
    repo,
    "git add f.txt && GIT_AUTHOR_DATE=2020-01-02T00:00:00Z git commit -qm three",
    "2020-01-03T00:00:00Z",
  );
  sh(repo, "git checkout -q master");
  return repo;
}

const repo = makeRepo("r");
const dirty = makeRepo("dirty");
fs.writeFileSync(path.join(dirty, "a.txt"), "changed\n");
fs.writeFileSync(path.join(dirty, "untracked.txt"), "not in git\n");

const REV1 = "3059dee6e408588febd3b5916fbb049fdfd38eff";
const REV2 = "b94ca244977717f0e36a0fcfe47ee8001847c06b";
const REV3 = "431bfab315388fe8f89d45e7174fb7ff512a1cb7";

/** Nix 2.8's answers for these repositories. */
const GOLDEN = {
  head: {
    lastModified: 1577923200,
    lastModifiedDate: "20200102000000",
    narHash: "sha256-KnrPM3WL2/nS48Q+tVq6lONJ5VyfCLjklAFuNMlvQ70=",
    outPath: "/nix/store/h5br7kg41zac858p961h0bzhqz4n2c23-source",
    rev: REV2,
    revCount: 2,
    shortRev: "b94ca24",
    submodules: false,
  },
  feature: {
    lastModified: 1578009600,
    lastModifiedDate: "20200103000000",
    narHash: "sha256-1WV64KfFQLOG6qjD9PTMehcMn0AmwS+O4x9r6Jli1zI=",
    outPath: "/nix/store/5ajsqdy4jszinix3kwgwaqbmsy6hbz4p-source",
    rev: REV3,
    revCount: 3,
    shortRev: "431bfab",
    submodules: false,
  },
  first: {
    lastModified: 1577836800,
    lastModifiedDate: "20200101000000",
    narHash: "sha256-q55gDFo9T4Z4MHX5yhZGflHWmieAyLjbdqId5Ilg1Pw=",
    outPath: "/nix/store/9p5s0zsi6v8c10kkw2lbxyk0yfpqgr9x-source",
    rev: REV1,
    revCount: 1,
    shortRev: "3059dee",
    submodules: false,
  },
};

/** A tree as plain data: files by kind, symlinks with their target. */
function shape(n: NarNode): unknown {
  if (n.type === "symlink") return `symlink:${n.target}`;
  if (n.type === "regular") return n.executable ? "executable" : "regular";
  return Object.fromEntries(
    [...n.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, shape(v)]),
  );
}

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function evaluate(expr: string, store = new MemoryStore(), warnings: string[] = []): Record<string, unknown> {
  const ev = new Evaluator({
    io: createStoreIO(store, createNodeIO()),
    onWarning: (m: string) => warnings.push(m),
  } as ConstructorParameters<typeof Evaluator>[0]);
  return ev.toJS(ev.evalString(expr)) as Record<string, unknown>;
}

const errorOf = nixErrorOf;

describe("fetchGit of a local repository", () => {
  test("a path: HEAD of the clean working tree, as Nix 2.8", () => {
    const store = new MemoryStore();
    expect(evaluate(`builtins.fetchGit ${repo}`, store)).toEqual(GOLDEN.head);
    expect(store.isValidPath(GOLDEN.head.outPath)).toBe(true);
  });

  test("the tree keeps executable bits and symlinks, and has no .git", () => {
    const r = gitFetch({ repo, shallow: false, submodules: false, exportIgnore: true });
    expect(r).toMatchObject({ rev: REV2, revCount: 2, ref: "refs/heads/master", dirty: false });
    expect(shape(r.tree)).toEqual({
      "a.txt": "regular",
      "b.txt": "regular",
      link: "symlink:a.txt",
      sub: { "run.sh": "executable" },
    });
  });

  test("ref and rev (string URL forms too), as Nix 2.8", () => {
    expect(evaluate(`builtins.fetchGit { url = ${repo}; ref = "feature"; }`)).toEqual(GOLDEN.feature);
    expect(evaluate(`builtins.fetchGit { url = "file://${repo}"; ref = "refs/heads/feature"; }`)).toEqual(
      GOLDEN.feature,
    );
    expect(evaluate(`builtins.fetchGit { url = "file://${repo}"; rev = "${REV1}"; }`)).toEqual(GOLDEN.first);
    expect(evaluate(`builtins.fetchGit "git+file://${repo}"`)).toEqual(GOLDEN.head);
  });

  test("name sets the store path name; shallow gives revCount 0 (as Nix 2.8)", () => {
    const r = evaluate(`builtins.fetchGit { url = ${repo}; rev = "${REV1}"; name = "x"; shallow = true; }`);
    expect(r.outPath).toBe("/nix/store/2nmmcakf99bf7xd41x8i0bjkjxcwanzs-x");
    expect(r.narHash).toBe(GOLDEN.first.narHash);
    expect(r.revCount).toBe(0); // fetchGit's fallback for an absent revCount
  });

  test("fetchTree type git: shallow by default, no emptyRev fallback", () => {
    const r = evaluate(`builtins.fetchTree { type = "git"; url = "file://${repo}"; rev = "${REV1}"; }`);
    const { revCount: _revCount, ...rest } = GOLDEN.first;
    expect(r).toEqual(rest);
  });

  test("a dirty working tree: tracked files as on disk, Nix's warning and dirtyRev", () => {
    const warnings: string[] = [];
    const store = new MemoryStore();
    const r = evaluate(`builtins.fetchGit ${dirty}`, store, warnings);
    expect(warnings.some((w) => w.includes(`Git tree '${dirty}' is dirty`))).toBe(true);
    expect(r.rev).toBe("0".repeat(40));
    expect(r.shortRev).toBe("0000000");
    expect(r.revCount).toBe(0);
    expect(r.dirtyRev).toBe(`${REV2}-dirty`);
    expect(r.dirtyShortRev).toBe("b94ca24-dirty");
    expect(r.lastModified).toBe(1577923200);
    const out = r.outPath as string;
    expect(new TextDecoder().decode(store.readFile(`${out}/a.txt`))).toBe("changed\n");
    expect(() => store.readFile(`${out}/untracked.txt`)).toThrow();
  });

  test("export-ignore is honoured by fetchGit (exportIgnore defaults to true)", () => {
    const r2 = makeRepo("ignore");
    fs.writeFileSync(path.join(r2, ".gitattributes"), "b.txt export-ignore\nsub export-ignore\n");
    sh(r2, "git add .gitattributes && git commit -qm attrs", "2020-01-04T00:00:00Z");
    const kept = { ".gitattributes": "regular", "a.txt": "regular", link: "symlink:a.txt" };
    expect(shape(gitFetch({ repo: r2, shallow: false, submodules: false, exportIgnore: true }).tree)).toEqual(
      kept,
    );
    expect(
      Object.keys(
        shape(gitFetch({ repo: r2, shallow: false, submodules: false, exportIgnore: false }).tree) as object,
      ),
    ).toEqual([".gitattributes", "a.txt", "b.txt", "link", "sub"]);
    const viaFetchGit = evaluate(`builtins.fetchGit ${r2}`).narHash;
    const viaFetchTree = evaluate(`builtins.fetchTree { type = "git"; url = "file://${r2}"; }`).narHash;
    expect(viaFetchGit).not.toBe(viaFetchTree); // fetchTree does not default exportIgnore
  });

  test("errors: unknown ref, missing rev, not a repository, remote URLs", () => {
    expect(errorOf(`builtins.fetchGit { url = ${repo}; ref = "nope"; }`)).toContain(
      "resolving Git reference 'nope'",
    );
    expect(errorOf(`builtins.fetchGit { url = ${repo}; rev = "${"1".repeat(40)}"; }`)).toContain(
      `Cannot find Git revision '${"1".repeat(40)}'`,
    );
    expect(errorOf(`builtins.fetchGit ${root}/nowhere`)).toContain("does not exist");
    expect(errorOf(`builtins.fetchGit "https://example.org/x.git"`)).toContain(
      "fetching git repositories over the network is not supported by tsnix yet",
    );
    expect(errorOf(`builtins.fetchGit { url = ${repo}; type = "git"; }`)).toContain(
      "unexpected argument 'type'",
    );
  });

  test.skipIf(!hasNix)("live: the same answers as nix-instantiate", () => {
    // --json prints an attribute set with outPath as that path: rename it.
    const wrap = (expr: string) => `let r = ${expr}; in removeAttrs r ["outPath"] // { path = r.outPath; }`;
    const nix = (expr: string) => {
      const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", wrap(expr)], {
        env: ENV,
      });
      return JSON.parse(r.stdout.toString()) as Record<string, unknown>;
    };
    for (const expr of [
      `builtins.fetchGit ${repo}`,
      `builtins.fetchGit { url = ${repo}; ref = "feature"; }`,
      `builtins.fetchGit { url = "file://${repo}"; rev = "${REV1}"; }`,
    ])
      expect(evaluate(wrap(expr))).toEqual(nix(expr));
    const a = evaluate(wrap(`builtins.fetchGit ${dirty}`));
    const b = nix(`builtins.fetchGit ${dirty}`);
    for (const k of ["path", "narHash", "rev", "revCount", "lastModified"]) expect(a[k]).toEqual(b[k]);
  });
});
