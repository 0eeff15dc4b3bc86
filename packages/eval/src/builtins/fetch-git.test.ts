// fetchGit / fetchTree type "git" over a fake EvalIO.gitFetch: what the evaluator asks for
// (exportIgnore / shallow defaults, ref, rev) and what it reports (emitTreeAttrs, dirty trees).
// The git command line itself is tested in packages/glue/src/git.test.ts against Nix 2.8.
import { narDirectory, narRegular } from "@tsnix/nix-compat";
import { describe, expect, test } from "vitest";
import { Evaluator, IOError, NixError, createMemoryIO } from "../index.js";
import type { GitFetchRequest, GitFetchResult } from "../io.js";

const REV = "b94ca244977717f0e36a0fcfe47ee8001847c06b";
const TREE = narDirectory({ "a.txt": narRegular("hello\n") });

function harness(result: Partial<GitFetchResult>, opts: { pure?: boolean } = {}) {
  const requests: GitFetchRequest[] = [];
  const warnings: string[] = [];
  const io = {
    ...createMemoryIO({}),
    gitFetch(req: GitFetchRequest): GitFetchResult {
      requests.push(req);
      if (req.ref === "missing") throw new IOError("resolving Git reference 'missing': not found");
      return { tree: TREE, lastModified: 1577923200, dirty: false, ...result };
    },
  };
  const ev = new Evaluator({ io, pureEval: opts.pure ?? false, onWarning: (m) => warnings.push(m) });
  const run = (expr: string) => ev.toJS(ev.evalString(expr)) as Record<string, unknown>;
  const error = (expr: string) => {
    try {
      ev.forceDeep(ev.evalString(expr));
    } catch (e) {
      if (e instanceof NixError) return e.format();
      throw e;
    }
    throw new Error("no error");
  };
  return { run, error, requests, warnings };
}

describe("fetchGit", () => {
  test("a clean commit: rev, shortRev, revCount, lastModifiedDate, submodules; exportIgnore by default", () => {
    const h = harness({ rev: REV, revCount: 2 });
    const r = h.run("builtins.fetchGit /repo");
    expect(r).toMatchObject({
      rev: REV,
      shortRev: "b94ca24",
      revCount: 2,
      lastModified: 1577923200,
      lastModifiedDate: "20200102000000",
      submodules: false,
    });
    expect(r.outPath).toMatch(/^\/nix\/store\/[0-9a-z]{32}-source$/);
    expect(r.narHash).toMatch(/^sha256-/);
    expect(h.requests[0]).toMatchObject({
      repo: "/repo",
      shallow: false,
      submodules: false,
      exportIgnore: true,
    });
    expect(h.requests[0]!.ref).toBeUndefined();
  });

  test("attribute form passes ref, rev, shallow; name names the store path", () => {
    const h = harness({ rev: REV });
    const r = h.run(
      `builtins.fetchGit { url = "file:///repo"; ref = "main"; rev = "${REV}"; shallow = true; name = "n"; }`,
    );
    expect(h.requests[0]).toMatchObject({ repo: "/repo", ref: "main", rev: REV, shallow: true });
    expect(r.outPath).toMatch(/-n$/);
    expect(r.revCount).toBe(0); // absent revCount falls back to 0 for fetchGit
  });

  test("a dirty tree: warning, all-zero rev, dirtyRev", () => {
    const h = harness({ dirty: true, headRev: REV });
    const r = h.run("builtins.fetchGit /repo");
    expect(h.warnings.join("\n")).toContain("Git tree '/repo' is dirty");
    expect(r).toMatchObject({
      rev: "0".repeat(40),
      shortRev: "0000000",
      revCount: 0,
      dirtyRev: `${REV}-dirty`,
      dirtyShortRev: "b94ca24-dirty",
    });
  });

  test("fetchTree type git: shallow by default, no exportIgnore, no rev fallback", () => {
    const h = harness({ dirty: true, headRev: REV });
    const r = h.run(`builtins.fetchTree { type = "git"; url = "/repo"; }`);
    expect(h.requests[0]).toMatchObject({ shallow: true, exportIgnore: false });
    expect(r.rev).toBeUndefined();
    expect(r.dirtyRev).toBe(`${REV}-dirty`);
    expect(r.submodules).toBe(false);
  });

  test("errors", () => {
    const h = harness({ rev: REV });
    expect(h.error(`builtins.fetchGit { url = /repo; ref = "missing"; }`)).toContain(
      "resolving Git reference 'missing'",
    );
    expect(h.error(`builtins.fetchGit "https://example.org/r.git"`)).toContain(
      "fetching git repositories over the network is not supported by tsnix yet",
    );
    expect(h.error(`builtins.fetchGit { url = /repo; type = "git"; }`)).toContain(
      "unexpected argument 'type'",
    );
    expect(h.error(`builtins.fetchGit { url = /repo; foo = [ ]; }`)).toContain(
      "argument 'foo' to 'fetchGit' is a list while a string, Boolean or integer is expected",
    );
    expect(h.error(`builtins.fetchGit { url = /repo; submodules = true; exportIgnore = true; }`)).toContain(
      "exportIgnore and submodules are not supported together yet",
    );
  });

  test("pure evaluation: a rev is required", () => {
    const h = harness({ rev: REV, revCount: 1 }, { pure: true });
    expect(h.error("builtins.fetchGit /repo")).toContain(
      "in pure evaluation mode, 'fetchGit' doesn't fetch unlocked input",
    );
    expect(h.run(`builtins.fetchGit { url = /repo; rev = "${REV}"; }`).rev).toBe(REV);
  });

  test("without a gitFetch hook: a clear error", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    expect(() => ev.forceDeep(ev.evalString("builtins.fetchGit /repo"))).toThrow(/no Git access/);
  });
});
