/** The Store contract, run against MemoryStore and LocalStore alike. */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { narBytes, narDirectory, type NarNode, narRegular, narSymlink, narHash } from "@tsnix/nix-compat";
import { printNarHash } from "./base.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import { restoreTree } from "./node-fs.js";
import { type PathRegistration, type SourceAccessor, type Store, StoreError } from "./store.js";
import { treeAccessor } from "./tree.js";
import { tempDir } from "./test-fixtures.js";

const NOW = 1_700_000_000;
const scratch = tempDir("tsnix-store-contract-");
afterAll(() => scratch.cleanup());

interface Harness {
  make(): Store;
  /** Put contents at a path without registering them (as a builder writing its output). */
  stage(store: Store, path: string, tree: NarNode): void;
}

const HARNESSES: Array<[string, Harness]> = [
  [
    "MemoryStore",
    {
      make: () => new MemoryStore({ now: () => NOW }),
      stage: (s, p, t) => (s as MemoryStore).stageContents(p, t),
    },
  ],
  [
    "LocalStore",
    {
      make: () => new LocalStore({ root: fs.mkdtempSync(nodePath.join(scratch.dir, "r-")), now: () => NOW }),
      stage: (s, p, t) => restoreTree(t, (s as LocalStore).toRealPath(p)),
    },
  ],
];

const P = (hashChar: string, name: string): string => `/nix/store/${hashChar.repeat(32)}-${name}`;

function registration(path: string, tree: NarNode, extra: Partial<PathRegistration> = {}): PathRegistration {
  const { hash, size } = narHash(tree);
  return { path, narHash: printNarHash(hash), narSize: size, references: [], ...extra };
}

describe.each(HARNESSES)("%s", (_name, h) => {
  let store: Store;
  beforeEach(() => (store = h.make()));
  afterEach(() => store.close());

  it("round-trips path metadata", () => {
    const info = store.addToStore({ tree: narRegular("x") }, { name: "x" });
    expect(info.narHash).toMatch(/^sha256:[0-9a-df-np-sv-z]{52}$/);
    expect(info.registrationTime).toBe(NOW);
    expect(info.contentAddress).toMatch(/^fixed:r:sha256:/);
    expect(store.queryPathInfo(info.path)).toEqual(info);
    expect(store.isValidPath(info.path)).toBe(true);
    expect(store.queryAllValidPaths()).toEqual([info.path]);
    // Adding again changes nothing.
    expect(store.addToStore({ tree: narRegular("x") }, { name: "x" })).toEqual(info);
  });

  it("registers several paths in one batch with references, deriver, CA, self-references", () => {
    const a = P("a", "a"),
      b = P("b", "b"),
      drv = P("d", "b.drv");
    h.stage(store, a, narRegular(`a refers to itself: ${a}`));
    h.stage(store, b, narDirectory({ f: narRegular(`b uses ${a}`) }));
    const regs = [
      registration(b, narDirectory({ f: narRegular(`b uses ${a}`) }), {
        references: [a],
        deriver: drv,
        contentAddress: "fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
      }),
      registration(a, narRegular(`a refers to itself: ${a}`), { references: [a] }),
    ];
    store.registerValidPaths(regs);
    const ib = store.queryPathInfo(b)!;
    expect(ib.references).toEqual([a]);
    expect(ib.deriver).toBe(drv);
    expect(ib.contentAddress).toBe(regs[0]!.contentAddress);
    expect(ib.narHash).toBe(regs[0]!.narHash);
    expect(store.queryPathInfo(a)!.references).toEqual([a]);
    expect(store.queryReferrers(a)).toEqual([a, b].sort());
    expect(store.queryReferrers(b)).toEqual([]);
  });

  it("a batch with an invalid reference registers nothing", () => {
    const a = P("a", "a"),
      b = P("b", "b");
    h.stage(store, a, narRegular("a"));
    h.stage(store, b, narRegular("b"));
    expect(() =>
      store.registerValidPaths([
        registration(a, narRegular("a")),
        registration(b, narRegular("b"), { references: [P("c", "missing")] }),
      ]),
    ).toThrow(/is not valid/);
    expect(store.isValidPath(a)).toBe(false);
    expect(store.isValidPath(b)).toBe(false);
  });

  it("refuses to register a path whose contents do not exist", () => {
    expect(() => store.registerValidPaths([registration(P("a", "nothing"), narRegular(""))])).toThrow(
      StoreError,
    );
    expect(store.isValidPath(P("a", "nothing"))).toBe(false);
  });

  it("records realisations of content-addressed outputs, with their paths or alone", () => {
    const out = P("r", "ca-out");
    const id = { drvPath: P("d", "ca.drv"), outputName: "out" };
    h.stage(store, out, narRegular("built"));
    store.registerValidPaths([registration(out, narRegular("built"))], {
      realisations: [{ key: id, outPath: out, signatures: ["k:sig"] }],
    });
    expect(store.queryRealisation(id)).toEqual({ key: id, outPath: out, signatures: ["k:sig"] });
    expect(store.queryRealisation({ ...id, outputName: "dev" })).toBeUndefined();
    const id2 = { drvPath: "sha256:0m0f1cs8p8rwnyl2ggdbx5xjnp1zyvh5g3w3c8zs4jm0xhmh9pd3", outputName: "out" };
    store.registerRealisation({ key: id2, outPath: out });
    expect(store.queryRealisation(id2)?.outPath).toBe(out);
    expect(() =>
      store.registerRealisation({ key: { ...id2, outputName: "x" }, outPath: P("z", "nope") }),
    ).toThrow(/not valid/);
    expect(store.queryRealisation({ ...id2, outputName: "x" })).toBeUndefined();
  });

  it("reads files, directories and links inside valid paths only", () => {
    const tree = narDirectory({
      bin: narDirectory({ run: narRegular("#!/bin/sh\n", true) }),
      data: narRegular("payload"),
      "to-data": narSymlink("data"),
      "to-bin": narSymlink("./bin/../bin"),
    });
    const { path } = store.addToStore({ tree }, { name: "pkg" });
    expect(new TextDecoder().decode(store.readFile(`${path}/data`))).toBe("payload");
    expect(store.readDirectory(path)).toEqual(["bin", "data", "to-bin", "to-data"]);
    expect(store.lstat(`${path}/bin/run`)).toEqual({ type: "regular", size: 10, executable: true });
    expect(store.lstat(`${path}/to-data`)?.type).toBe("symlink");
    expect(store.lstat(`${path}/missing`)).toBeUndefined();
    expect(store.readLink(`${path}/to-data`)).toBe("data");
    expect(store.resolvePath(`${path}/to-data`)).toBe(`${path}/data`);
    expect(store.resolvePath(`${path}/to-bin/run`)).toBe(`${path}/bin/run`);
    expect(() => store.readFile(`${path}/bin`)).toThrow(/not a regular file/);
    expect(() => store.readFile(P("q", "not-there") + "/x")).toThrow(/is not valid/);
    expect(() => store.lstat("/etc/passwd")).toThrow(/not in the Nix store/);
    // `..` never escapes a store path, nor skips the validity check of another one.
    expect(store.lstat(`${path}/bin/../data`)?.type).toBe("regular");
    expect(store.lstat(`/nix/../nix/store/${path.slice(11)}/data`)?.type).toBe("regular");
    expect(() => store.readFile(`${path}/../../../etc/passwd`)).toThrow(/outside the store/);
    expect(() => store.lstat(`${path}/../../../etc/passwd`)).toThrow(/not in the Nix store/);
    expect(() => store.readFile(`${path}/../${"q".repeat(32)}-other/x`)).toThrow(/is not valid/);
    expect(() => store.addToStore({ path: "relative/x" }, { name: "x" })).toThrow(/is not absolute/);
  });

  it("resolves symlinks across store paths by their logical path, and stops at loops", () => {
    const target = store.addToStore({ tree: narDirectory({ f: narRegular("hi") }) }, { name: "target" }).path;
    const linker = store.addToStore(
      {
        tree: narDirectory({
          l: narSymlink(`${target}/f`),
          dir: narSymlink(target),
          loop: narSymlink("loop"),
          out: narSymlink("/etc/x"),
        }),
      },
      { name: "linker" },
    ).path;
    expect(store.resolvePath(`${linker}/l`)).toBe(`${target}/f`);
    // Reads follow symlinks by their logical target (never the host's /nix/store).
    expect(new TextDecoder().decode(store.readFile(`${linker}/l`))).toBe("hi");
    expect(new TextDecoder().decode(store.readFile(`${linker}/dir/f`))).toBe("hi");
    expect(store.readDirectory(`${linker}/dir`)).toEqual(["f"]);
    expect(store.lstat(`${linker}/dir/f`)?.type).toBe("regular");
    expect(store.lstat(`${linker}/dir`)?.type).toBe("symlink");
    expect(store.readLink(`${linker}/dir`)).toBe(target);
    expect(() => store.readFile(`${linker}/out`)).toThrow(/leads outside the store, to '\/etc\/x'/);
    expect(store.resolvePath(`${linker}/out`)).toBe("/etc/x");
    expect(() => store.resolvePath(`${linker}/loop`)).toThrow(/too many symbolic links/);
  });

  it("records references given to a source add, and they change the path", () => {
    const dep = store.addTextToStore("dep", "d");
    const plain = store.addToStore({ tree: narRegular(`uses ${dep}`) }, { name: "src" });
    const withRef = store.addToStore({ tree: narRegular(`uses ${dep}`) }, { name: "src", references: [dep] });
    expect(withRef.path).not.toBe(plain.path);
    expect(withRef.references).toEqual([dep]);
    expect(plain.references).toEqual([]);
    expect(store.queryReferrers(dep)).toEqual([withRef.path]);
  });

  it("adds a subdirectory of a store path, reading it through the store itself", () => {
    const pkg = store.addToStore(
      { tree: narDirectory({ share: narDirectory({ doc: narRegular("d"), x: narRegular("#!", true) }) }) },
      { name: "pkg" },
    ).path;
    const sub = store.addToStore({ path: `${pkg}/share`, accessor: store }, { name: "share" });
    expect(sub.path).toBe(
      new MemoryStore().addToStore(
        { tree: narDirectory({ doc: narRegular("d"), x: narRegular("#!", true) }) },
        { name: "share" },
      ).path,
    );
    expect(store.lstat(`${sub.path}/x`)?.executable).toBe(true);
  });

  it("imports NARs with a checked hash and dumps them back", () => {
    const tree = narDirectory({ a: narRegular("a"), l: narSymlink("a") });
    const nar = narBytes(tree);
    const path = P("n", "imported");
    const reg = registration(path, tree);
    expect(() =>
      store.importNar({ ...reg, narHash: registration(path, narRegular("x")).narHash }, nar),
    ).toThrow(/hash mismatch/);
    expect(store.isValidPath(path)).toBe(false);
    expect(store.importNar(reg, nar).narHash).toBe(reg.narHash);
    expect(store.narFromPath(path)).toEqual(nar);
  });

  it("adds from a NAR with a filter, and rejects what Nix rejects", () => {
    const nar = narBytes(narDirectory({ keep: narRegular("k"), drop: narRegular("d") }));
    const { path } = store.addToStore({ nar }, { name: "f", filter: (p) => !p.endsWith("/drop") });
    expect(store.readDirectory(path)).toEqual(["keep"]);
    expect(() => store.addToStore({ tree: narDirectory() }, { name: "d", method: "flat" })).toThrow(
      /flat hashing: it is a directory/,
    );
    expect(() => store.addToStore({ tree: narRegular("x") }, { name: "bad/name" })).toThrow(
      /contains illegal character/,
    );
    expect(() =>
      store.addToStore({ tree: narRegular("x") }, { name: "x", hashAlgo: "sha1", references: [P("a", "a")] }),
    ).toThrow(/not allowed to refer to other store paths/);
    expect(() => store.addToStore({ nar: new Uint8Array(8) }, { name: "junk" })).toThrow(
      /doesn't look like a Nix archive/,
    );
    expect(() => store.addToStore({ path: "/definitely/not/there" }, { name: "x" })).toThrow(StoreError);
    expect(() => store.addTextToStore("t", "refers", [P("a", "missing")])).toThrow(
      /its reference '\/nix\/store\/a{32}-missing' is not valid/,
    );
    expect(store.queryAllValidPaths()).toEqual([path]);
  });

  it("refuses a source that changes while it is being added; nothing becomes valid", () => {
    let reads = 0;
    const base = treeAccessor(narDirectory({ f: narRegular("first") }));
    const changing: SourceAccessor = {
      ...base,
      lstat: (p) => (p === "/f" ? { type: "regular", size: 0, executable: false } : base.lstat(p)),
      readFile: () => new TextEncoder().encode(reads++ === 0 ? "first" : "second"),
    };
    expect(() => store.addToStore({ path: "/", accessor: changing }, { name: "changing" })).toThrow(
      /hash mismatch adding path .* \(did its source change while it was being added\?\)/,
    );
    expect(reads).toBe(2);
    expect(store.queryAllValidPaths()).toEqual([]);
  });

  it("locks paths: waiters queue, tryLock fails while held", async () => {
    const p = P("l", "locked");
    const first = await store.lockPath(p);
    expect(store.tryLockPath(p)).toBeUndefined();
    const order: string[] = [];
    const second = store.lockPath(p).then((l) => (order.push("second"), l));
    await new Promise((r) => setTimeout(r, 30));
    order.push("release first");
    first.release();
    first.release(); // idempotent
    (await second).release();
    expect(order).toEqual(["release first", "second"]);
    const again = store.tryLockPath(p);
    expect(again).toBeDefined();
    again!.release();
  });
});
