/** LocalStore specifics: layout, canonical metadata, persistence, recovery from crashed adds, locks. */
import * as fs from "node:fs";
import * as net from "node:net";
import * as nodePath from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { narDirectory, narRegular, narSymlink } from "@tsnix/nix-compat";
import { printNarHash } from "./base.js";
import { defaultLocalStoreRoot, LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import { hashPath, STORE_MTIME } from "./node-fs.js";
import { FIXTURES, tempDir } from "./test-fixtures.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function open(options: ConstructorParameters<typeof LocalStore>[0] = {}): LocalStore {
  const t = tempDir("tsnix-store-local-");
  const store = new LocalStore({ root: t.dir, ...options });
  cleanups.push(t.cleanup, () => store.close());
  return store;
}

describe("layout", () => {
  it("keeps the logical store dir for hashing and the physical root for files", () => {
    const store = open({ storeDir: "/foo/store" });
    expect(store.realStoreDir).toBe(nodePath.join(store.root, "foo", "store"));
    const info = store.addToStore({ tree: FIXTURES.tree! }, { name: "tree" });
    expect(info.path.startsWith("/foo/store/")).toBe(true);
    // Same path as a memory store with the same logical dir, different from /nix/store.
    expect(
      new MemoryStore({ storeDir: "/foo/store" }).addToStore({ tree: FIXTURES.tree! }, { name: "tree" }).path,
    ).toBe(info.path);
    expect(new MemoryStore().addToStore({ tree: FIXTURES.tree! }, { name: "tree" }).path).not.toBe(info.path);
    expect(
      fs.existsSync(
        nodePath.join(store.realStoreDir, nodePath.basename(info.path), "nested", "deeper", "file"),
      ),
    ).toBe(true);
    expect(fs.existsSync(nodePath.join(store.stateDir, "db", "db.sqlite"))).toBe(true);
  });

  it("can make the logical and physical store directories the same (builders without bind mounts)", () => {
    const t = tempDir("tsnix-store-same-");
    cleanups.push(t.cleanup);
    const dir = nodePath.join(t.dir, "store");
    const store = new LocalStore({ root: t.dir, storeDir: dir, realStoreDir: dir });
    cleanups.push(() => store.close());
    const target = store.addTextToStore("t", "hello");
    const link = store.addToStore({ tree: narSymlink(target) }, { name: "link" }).path;
    expect(target.startsWith(dir + "/")).toBe(true);
    expect(fs.readFileSync(target, "utf8")).toBe("hello");
    expect(fs.readFileSync(link, "utf8")).toBe("hello"); // the host follows the link too
    expect(new TextDecoder().decode(store.readFile(link))).toBe("hello");
  });

  it("reports a store it cannot create as a StoreError saying what it was doing", () => {
    const t = tempDir("tsnix-store-bad-");
    cleanups.push(t.cleanup);
    fs.writeFileSync(nodePath.join(t.dir, "file"), "");
    expect(() => new LocalStore({ root: nodePath.join(t.dir, "file", "sub") })).toThrow(
      expect.objectContaining({
        name: "StoreError",
        message: expect.stringMatching(/^opening the store at .*ENOTDIR/),
      }),
    );
  });

  it("defaults to the XDG data directory", () => {
    expect(defaultLocalStoreRoot({ XDG_DATA_HOME: "/x/data" })).toBe("/x/data/tsnix/store");
    expect(
      defaultLocalStoreRoot({ HOME: "/h" }).endsWith(nodePath.join(".local", "share", "tsnix", "store")),
    ).toBe(true);
  });

  it("normalises permissions and mtimes as Nix does", () => {
    const store = open();
    const { path } = store.addToStore({ tree: FIXTURES.tree! }, { name: "tree" });
    const real = store.toRealPath(path);
    const mode = (p: string): number => fs.lstatSync(nodePath.join(real, p)).mode & 0o7777;
    expect(mode("")).toBe(0o555);
    expect(mode("a")).toBe(0o444);
    expect(mode("bin/x")).toBe(0o555);
    expect(mode("emptydir")).toBe(0o555);
    for (const p of ["", "a", "bin", "bin/x", "link", "emptydir"])
      expect(fs.lstatSync(nodePath.join(real, p)).mtimeMs, p).toBe(STORE_MTIME * 1000);
    expect(fs.readlinkSync(nodePath.join(real, "link"))).toBe("a");
  });

  it("stores NAR hashes in the database as Nix does (sha256:<base16>) and uses WAL", () => {
    const store = open();
    const info = store.addToStore({ tree: narRegular("x") }, { name: "x" });
    const db = new Database(nodePath.join(store.stateDir, "db", "db.sqlite"), { readonly: true });
    try {
      const row = db.prepare("select hash, narSize, ca from ValidPaths where path = ?").get(info.path) as {
        hash: string;
        narSize: number;
        ca: string;
      };
      expect(row.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(row.narSize).toBe(info.narSize);
      expect(row.ca).toBe(info.contentAddress);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });
});

describe("special files", () => {
  it("a socket is an error unless the filter drops it (type 'unknown'), as in Nix", async () => {
    const t = tempDir("tsnix-store-sock-");
    cleanups.push(t.cleanup);
    const src = nodePath.join(t.dir, "src");
    fs.mkdirSync(src);
    fs.writeFileSync(nodePath.join(src, "f"), "f");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(nodePath.join(src, "sock"), resolve));
    try {
      const store = open();
      expect(() => store.addToStore({ path: src }, { name: "src" })).toThrow(/has an unsupported type/);
      const seen: string[] = [];
      const info = store.addToStore(
        { path: src },
        {
          name: "src",
          filter: (p, type) => (seen.push(`${nodePath.basename(p)}:${type}`), type !== "unknown"),
        },
      );
      expect(seen.sort()).toEqual(["f:regular", "sock:unknown"]);
      expect(store.readDirectory(info.path)).toEqual(["f"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("persistence", () => {
  it("metadata, references, derivation outputs and realisations survive reopening", () => {
    const t = tempDir("tsnix-store-reopen-");
    cleanups.push(t.cleanup);
    const first = new LocalStore({ root: t.dir });
    const dep = first.addTextToStore("dep", "x");
    const drv = first.writeDerivation({
      name: "thing",
      aterm: "Derive([])",
      references: [dep],
      outputs: { out: "/nix/store/00000000000000000000000000000000-thing" },
    });
    first.registerRealisation({
      key: { drvPath: drv, outputName: "out" },
      outPath: dep,
      signatures: ["a:b", "c:d"],
    });
    const infos = first.queryAllValidPaths().map((p) => first.queryPathInfo(p));
    first.close();

    const second = new LocalStore({ root: t.dir });
    cleanups.push(() => second.close());
    expect(second.queryAllValidPaths().map((p) => second.queryPathInfo(p))).toEqual(infos);
    expect(second.queryPathInfo(drv)!.references).toEqual([dep]);
    expect(second.queryReferrers(dep)).toEqual([drv]);
    expect(second.queryDerivationOutputs(drv)).toEqual({
      out: "/nix/store/00000000000000000000000000000000-thing",
    });
    expect(second.queryRealisation({ drvPath: drv, outputName: "out" })?.signatures).toEqual(["a:b", "c:d"]);
  });
});

describe("recovery from crashed adds", () => {
  it("replaces an unregistered object; temporaries of dead processes go when the store is opened", () => {
    const store = open();
    const probe = new MemoryStore().addToStore({ tree: FIXTURES.tree! }, { name: "tree" });
    const base = nodePath.basename(probe.path);
    // What crashes leave: half-written temporaries, and an object renamed into place but not registered.
    const deadTemp = nodePath.join(store.tempDir, `999999999-0123456789ab-${base}`);
    const liveTemp = nodePath.join(store.tempDir, `${process.pid}-0123456789ab-${base}`);
    for (const t of [deadTemp, liveTemp]) {
      fs.mkdirSync(t);
      fs.writeFileSync(nodePath.join(t, "a"), "half");
    }
    const final = store.toRealPath(probe.path);
    fs.mkdirSync(final);
    fs.writeFileSync(nodePath.join(final, "a"), "wrong");
    fs.chmodSync(final, 0o555);
    expect(store.isValidPath(probe.path)).toBe(false);
    expect(() => store.readFile(`${probe.path}/a`)).toThrow(/is not valid/);

    const info = store.addToStore({ tree: FIXTURES.tree! }, { name: "tree" });
    expect(info.path).toBe(probe.path);
    expect(printNarHash(hashPath(final).hash)).toBe(info.narHash);
    expect(new TextDecoder().decode(store.readFile(`${info.path}/a`))).toBe("a");

    const reopened = new LocalStore({ root: store.root });
    reopened.close();
    expect(fs.existsSync(deadTemp)).toBe(false);
    expect(fs.existsSync(liveTemp)).toBe(true); // its writer (this process) still runs
  });

  it("removeStaleEntries removes temporaries and invalid objects unless they are locked", async () => {
    const store = open();
    const valid = store.addTextToStore("keep", "k");
    const junk = "/nix/store/11111111111111111111111111111111-junk";
    const busy = "/nix/store/22222222222222222222222222222222-busy";
    fs.mkdirSync(store.toRealPath(junk));
    fs.writeFileSync(store.toRealPath(busy), "being built");
    fs.writeFileSync(nodePath.join(store.tempDir, "aaaa-33333333333333333333333333333333-t"), "");
    const lock = await store.lockPath(busy);
    try {
      expect(store.removeStaleEntries().sort()).toEqual([
        ".tmp/aaaa-33333333333333333333333333333333-t",
        "11111111111111111111111111111111-junk",
      ]);
    } finally {
      lock.release();
    }
    expect(fs.readdirSync(store.realStoreDir).sort()).toEqual(
      [".tmp", nodePath.basename(valid), nodePath.basename(busy)].sort(),
    );
    expect(fs.readdirSync(store.tempDir)).toEqual([]);
    expect(store.removeStaleEntries()).toEqual([nodePath.basename(busy)]);
  });

  it("a registration that fails leaves the database as it was", () => {
    const store = open();
    const a = "/nix/store/11111111111111111111111111111111-a";
    fs.writeFileSync(store.toRealPath(a), "a");
    const { hash, size } = hashPath(store.toRealPath(a));
    const good = { path: a, narHash: printNarHash(hash), narSize: size, references: [] };
    const rz = {
      key: { drvPath: "x.drv", outputName: "out" },
      outPath: "/nix/store/22222222222222222222222222222222-b",
    };
    expect(() => store.registerValidPaths([good], { realisations: [rz] })).toThrow(/is not valid/);
    expect(store.isValidPath(a)).toBe(false);
    store.registerValidPaths([good]);
    expect(store.isValidPath(a)).toBe(true);
  });
});

describe("builder-facing API", () => {
  it("registerValidPaths canonicalises what a builder wrote", () => {
    const store = open();
    const out = "/nix/store/11111111111111111111111111111111-out";
    const real = store.toRealPath(out);
    fs.mkdirSync(nodePath.join(real, "bin"), { recursive: true });
    fs.writeFileSync(nodePath.join(real, "bin", "tool"), "#!/bin/sh\n", { mode: 0o750 });
    fs.writeFileSync(nodePath.join(real, "data"), "d", { mode: 0o664 });
    fs.symlinkSync("data", nodePath.join(real, "link"));
    const { hash, size } = hashPath(real);
    store.registerValidPaths([{ path: out, narHash: printNarHash(hash), narSize: size, references: [] }]);
    expect(fs.statSync(nodePath.join(real, "bin", "tool")).mode & 0o7777).toBe(0o555);
    expect(fs.statSync(nodePath.join(real, "data")).mode & 0o7777).toBe(0o444);
    expect(fs.statSync(real).mode & 0o7777).toBe(0o555);
    expect(fs.lstatSync(nodePath.join(real, "link")).mtimeMs).toBe(STORE_MTIME * 1000);
    expect(printNarHash(hashPath(real).hash)).toBe(store.queryPathInfo(out)!.narHash);
    expect(store.prepareOutputPath(out)).toBe(false);
    expect(fs.existsSync(real)).toBe(true);
  });

  it("an add waits for a builder writing the same path; in its own thread it fails clearly instead", async () => {
    const store = open();
    const probe = new MemoryStore().addToStore({ tree: narSymlink("x") }, { name: "l" }).path;
    const lock = await store.lockPath(probe);
    try {
      expect(store.prepareOutputPath(probe)).toBe(true);
      // Prepared but nothing written yet: the add must still not slip in under the builder.
      expect(() => store.addToStore({ tree: narSymlink("x") }, { name: "l" })).toThrow(
        /locked by a pending operation of this thread/,
      );
      expect(fs.existsSync(store.toRealPath(probe))).toBe(false);
      fs.symlinkSync("partial", store.toRealPath(probe)); // the builder has started writing
      expect(() => store.addToStore({ tree: narSymlink("x") }, { name: "l" })).toThrow(
        /locked by a pending operation of this thread/,
      );
      expect(fs.readlinkSync(store.toRealPath(probe))).toBe("partial");
    } finally {
      lock.release();
    }
    // The builder went away without registering: the next add replaces its leftovers.
    expect(store.addToStore({ tree: narSymlink("x") }, { name: "l" }).path).toBe(probe);
    expect(fs.readlinkSync(store.toRealPath(probe))).toBe("x");
  });

  it("abandonOutputPath removes a failed build's partial output; stale pending marks are cleaned", async () => {
    const store = open();
    const out = "/nix/store/11111111111111111111111111111111-failed";
    const lock = await store.lockPath(out);
    expect(store.prepareOutputPath(out)).toBe(true);
    fs.mkdirSync(store.toRealPath(out));
    store.abandonOutputPath(out);
    expect(fs.existsSync(store.toRealPath(out))).toBe(false);
    // A builder that crashed after preparing leaves a pending mark: cleaned once its lock is free.
    const crashed = "/nix/store/22222222222222222222222222222222-crashed";
    const lock2 = await store.lockPath(crashed);
    expect(store.prepareOutputPath(crashed)).toBe(true);
    fs.writeFileSync(store.toRealPath(crashed), "partial");
    expect(store.removeStaleEntries()).toEqual([]); // still locked
    lock2.release();
    lock.release();
    expect(store.removeStaleEntries()).toEqual([nodePath.basename(crashed)]);
    const db = new Database(nodePath.join(store.stateDir, "db", "db.sqlite"), { readonly: true });
    try {
      expect(db.prepare("select count(*) as n from PendingWrites").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("two LocalStore instances on one root in one process exclude each other", async () => {
    const first = open();
    const second = new LocalStore({ root: first.root });
    cleanups.push(() => second.close());
    const p = "/nix/store/11111111111111111111111111111111-shared";
    const held = first.tryLockPath(p)!;
    expect(held).toBeDefined();
    expect(second.tryLockPath(p)).toBeUndefined();
    held.release();
    const now = second.tryLockPath(p);
    expect(now).toBeDefined();
    now!.release();
    // A path added through one instance is valid through the other.
    const t = first.addToStore({ tree: narDirectory({ f: narRegular("f") }) }, { name: "d" });
    expect(second.queryPathInfo(t.path)).toEqual(t);
  });
});
