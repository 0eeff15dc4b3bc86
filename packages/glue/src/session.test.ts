import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Evaluator, NixError } from "@tsnix/eval";
import { createEvalSession, logDirOf, openLocalStore } from "./session.js";

const dir = mkdtempSync(join(tmpdir(), "tsnix-session-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GEN = `derivation { name = "gen"; system = "x"; builder = "/bin/sh"; }`;

describe("createEvalSession", () => {
  it("without a store, reading a derivation's output says a build was needed", () => {
    const session = createEvalSession({ env: {} });
    const ev = new Evaluator({ io: session.io });
    session.follow(ev);
    let err: unknown;
    try {
      ev.forceDeep(ev.evalString(`builtins.readFile (${GEN})`));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NixError);
    expect((err as Error).message).toMatch(
      /^cannot read '\/nix\/store\/[0-9a-z]{32}-gen': it must be built first/,
    );
    expect((err as Error).message).toContain("no build service");
    // Host files are read as before.
    expect(ev.toJS(ev.evalString(`builtins.pathExists ${JSON.stringify(dir)}`))).toBe(true);
  });

  it("with a store, sources and .drv files are written to it", () => {
    const store = openLocalStore(join(dir, "s1"));
    try {
      const session = createEvalSession({ env: {}, store });
      const ev = new Evaluator({ io: session.io, storeDir: store.storeDir });
      session.follow(ev);
      const drvPath = ev.toJS(ev.evalString(`(${GEN}).drvPath`)) as string;
      expect(store.isValidPath(drvPath)).toBe(true);
      expect(session.knownPaths.getDerivation(drvPath)?.name).toBe("gen");
      // Unbuilt, with no build service: the clear error.
      expect(() => ev.forceDeep(ev.evalString(`import (${GEN})`))).toThrow(/no build service/);
    } finally {
      store.close();
    }
  });
});

describe("openLocalStore", () => {
  it("takes a directory or local?root=DIR; the logical store stays /nix/store", () => {
    const a = openLocalStore(join(dir, "a"));
    const b = openLocalStore(`local?root=${join(dir, "b")}`);
    try {
      expect(a.root).toBe(join(dir, "a"));
      expect(b.root).toBe(join(dir, "b"));
      expect(a.storeDir).toBe("/nix/store");
      expect(a.realStoreDir).toBe(join(dir, "a", "nix/store"));
      expect(logDirOf(a)).toBe(join(dir, "a", "nix/var/log/tsnix"));
    } finally {
      a.close();
      b.close();
    }
    expect(() => openLocalStore("ssh://host")).toThrow(/don't know how to open the Nix store 'ssh:\/\/host'/);
    expect(() => openLocalStore("daemon")).toThrow(/don't know how to open the Nix store 'daemon'/);
    // As Nix's isNonUriPath: a relative directory (any spec with a slash), from the working directory
    // (test files run in processes of their own: pool "forks").
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const c = openLocalStore("rel/store");
      expect(c.root).toBe(join(realpathSync(dir), "rel/store"));
      c.close();
    } finally {
      process.chdir(cwd);
    }
  });
});
