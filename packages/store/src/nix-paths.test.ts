/**
 * Path computation against Nix 2.8: answers recorded in golden/nix-2.8-paths.json (so this runs without
 * Nix), compared live when `nix-store` is on PATH. Re-record with
 *   RECORD_GOLDEN=1 npx vitest run packages/store/src/nix-paths.test.ts
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HashAlgo, narBytes, narChunksFromSource, pathInfoToJson } from "@tsnix/nix-compat";
import { narSourceOf, toCompatPathInfo } from "./compat.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import { dumpPath, hostFs } from "./node-fs.js";
import type { IngestionMethod, Store, ValidPathInfo } from "./store.js";
import { FIXTURES, hasCommand, materialise, tempDir } from "./test-fixtures.js";

interface AddCase {
  id: string;
  fixture: string;
  method: IngestionMethod;
  algo: HashAlgo;
}

const ADD_CASES: AddCase[] = [
  { id: "add-file", fixture: "hello.txt", method: "nar", algo: "sha256" },
  { id: "add-exec", fixture: "run.sh", method: "nar", algo: "sha256" },
  { id: "add-empty", fixture: "empty-file", method: "nar", algo: "sha256" },
  { id: "add-symlink", fixture: "link-root", method: "nar", algo: "sha256" },
  { id: "add-tree", fixture: "tree", method: "nar", algo: "sha256" },
  { id: "flat-sha256", fixture: "hello.txt", method: "flat", algo: "sha256" },
  { id: "flat-exec-sha256", fixture: "run.sh", method: "flat", algo: "sha256" },
  { id: "flat-sha1", fixture: "hello.txt", method: "flat", algo: "sha1" },
  { id: "flat-md5", fixture: "hello.txt", method: "flat", algo: "md5" },
  { id: "flat-sha512", fixture: "empty-file", method: "flat", algo: "sha512" },
  { id: "nar-sha1-tree", fixture: "tree", method: "nar", algo: "sha1" },
  { id: "nar-sha512-tree", fixture: "tree", method: "nar", algo: "sha512" },
  { id: "nar-md5-file", fixture: "hello.txt", method: "nar", algo: "md5" },
];

/** `filter` as a Nix lambda and as a JS function (they must agree). */
const FILTER_NIX = `p: t: !(baseNameOf p == "empty" || t == "symlink" || baseNameOf p == "deeper")`;
const filterJs = (p: string, t: string): boolean =>
  !(nodePath.basename(p) === "empty" || t === "symlink" || nodePath.basename(p) === "deeper");

const TEXT_NIX = {
  plain: `builtins.toFile "n" "text"`,
  unicode: `builtins.toFile "unicode.txt" "grüße ☃\\n"`,
  referrer: `builtins.toFile "b" "ref: \${builtins.toFile "a" "x"}"`,
  referee: `builtins.toFile "a" "x"`,
};

const DRV_NIX = `derivation { name = "golden"; builder = "/bin/sh"; system = "x86_64-linux"; args = [ "-c" "echo > $out" ]; src = builtins.toFile "s" "y"; outputs = [ "out" "dev" ]; }`;

interface PathInfoJson {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
  ca?: string;
}

interface Golden {
  nix: string;
  add: Record<string, PathInfoJson>;
  filtered: PathInfoJson;
  text: Record<keyof typeof TEXT_NIX, string>;
  drv: { drvPath: string; aterm: string; references: string[]; outputs: Record<string, string> };
  /** Paths Nix computes for another logical store directory (dummy store, read-only). */
  otherStoreDir: {
    storeDir: string;
    tree: string;
    flat: string;
    text: Record<keyof typeof TEXT_NIX, string>;
  };
}

const OTHER_STORE_DIR = "/foo/store";

const GOLDEN_FILE = nodePath.join(import.meta.dirname, "golden", "nix-2.8-paths.json");
const live = hasCommand("nix-store") && hasCommand("nix-instantiate");

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function nixPathInfo(path: string): PathInfoJson {
  const [info] = JSON.parse(
    sh("nix", ["--extra-experimental-features", "nix-command", "path-info", "--json", path]),
  ) as PathInfoJson[];
  const { narHash, narSize, references, ca } = info!;
  return { path, narHash, narSize, references: [...(references ?? [])].sort(), ...(ca ? { ca } : {}) };
}

function nixEvalString(expr: string): string {
  return JSON.parse(sh("nix-instantiate", ["--eval", "--strict", "--read-write-mode", "-E", expr])) as string;
}

function nixEvalIn(storeDir: string, expr: string): string {
  return JSON.parse(
    sh("nix-instantiate", ["--eval", "--strict", "--store", `dummy://?store=${storeDir}`, "-E", expr]),
  ) as string;
}

/** Ask Nix everything the golden file holds (fixtures are materialised under `dir`). */
function askNix(dir: string): Golden {
  const add: Record<string, PathInfoJson> = {};
  for (const c of ADD_CASES) {
    const src = nodePath.join(dir, c.fixture);
    const args =
      c.method === "nar" && c.algo === "sha256"
        ? ["--add", src]
        : ["--add-fixed", ...(c.method === "nar" ? ["--recursive"] : []), c.algo, src];
    add[c.id] = nixPathInfo(sh("nix-store", args));
  }
  const filtered = nixPathInfo(
    nixEvalString(
      `builtins.path { path = ${nodePath.join(dir, "tree")}; name = "filtered"; filter = ${FILTER_NIX}; }`,
    ),
  );
  const text = Object.fromEntries(
    Object.entries(TEXT_NIX).map(([k, e]) => [k, nixEvalString(e)]),
  ) as Golden["text"];
  const drvPath = sh("nix-instantiate", ["-E", DRV_NIX]);
  const outputs = Object.fromEntries(
    ["out", "dev"].map((o) => [o, nixEvalString(`(${DRV_NIX}).${o}.outPath`)]),
  );
  const otherStoreDir = {
    storeDir: OTHER_STORE_DIR,
    tree: nixEvalIn(
      OTHER_STORE_DIR,
      `builtins.path { path = ${nodePath.join(dir, "tree")}; name = "tree"; }`,
    ),
    flat: nixEvalIn(
      OTHER_STORE_DIR,
      `builtins.path { path = ${nodePath.join(dir, "hello.txt")}; name = "hello.txt"; recursive = false; }`,
    ),
    text: Object.fromEntries(
      Object.entries(TEXT_NIX).map(([k, e]) => [k, nixEvalIn(OTHER_STORE_DIR, e)]),
    ) as Golden["text"],
  };
  return {
    nix: sh("nix-store", ["--version"]),
    otherStoreDir,
    add,
    filtered,
    text,
    drv: {
      drvPath,
      aterm: fs.readFileSync(drvPath, "utf8"),
      references: sh("nix-store", ["-q", "--references", drvPath]).split("\n").sort(),
      outputs,
    },
  };
}

/** Our path info printed by nix-compat's path-info JSON printer (version 1, as Nix 2.8 prints it). */
function asJson(info: ValidPathInfo): PathInfoJson {
  const j = pathInfoToJson(toCompatPathInfo(info, "/nix/store"), {
    version: 1,
  }) as unknown as PathInfoJson & {
    ca: string | null;
  };
  return {
    path: info.path,
    narHash: j.narHash,
    narSize: j.narSize,
    references: j.references,
    ...(j.ca ? { ca: j.ca } : {}),
  };
}

let fixturesDir: ReturnType<typeof tempDir>;
let stateDir: ReturnType<typeof tempDir>;
let golden: Golden;

beforeAll(() => {
  fixturesDir = tempDir();
  stateDir = tempDir();
  for (const name of Object.keys(FIXTURES)) materialise(fixturesDir.dir, name);
  if (process.env.RECORD_GOLDEN) {
    golden = askNix(fixturesDir.dir);
    fs.mkdirSync(nodePath.dirname(GOLDEN_FILE), { recursive: true });
    fs.writeFileSync(GOLDEN_FILE, JSON.stringify(golden, null, 2) + "\n");
  }
  golden = JSON.parse(fs.readFileSync(GOLDEN_FILE, "utf8")) as Golden;
});

afterAll(() => {
  fixturesDir.cleanup();
  stateDir.cleanup();
});

function stores(): Array<[string, () => Store]> {
  return [
    ["MemoryStore", () => new MemoryStore({ sourceAccessor: hostFs })],
    ["LocalStore", () => new LocalStore({ root: fs.mkdtempSync(nodePath.join(stateDir.dir, "root-")) })],
  ];
}

describe.each(stores())("%s computes Nix 2.8's paths", (_name, makeStore) => {
  let store: Store;
  beforeAll(() => (store = makeStore()));
  afterAll(() => store.close());

  it.each(ADD_CASES)("addToStore $id ($method, $algo)", (c) => {
    const info = store.addToStore(
      { path: nodePath.join(fixturesDir.dir, c.fixture) },
      { name: c.fixture, method: c.method, hashAlgo: c.algo },
    );
    expect(asJson(info)).toEqual(golden.add[c.id]);
    expect(store.isValidPath(info.path)).toBe(true);
  });

  it("addToStore from a tree and from a NAR gives the same paths as from disk", () => {
    const fromTree = store.addToStore({ tree: FIXTURES.tree! }, { name: "tree" });
    expect(fromTree.path).toBe(golden.add["add-tree"]!.path);
    const nar = store.narFromPath(fromTree.path);
    const fromNar = store.addToStore({ nar }, { name: "tree", hashAlgo: "sha512" });
    expect(fromNar.path).toBe(golden.add["nar-sha512-tree"]!.path);
  });

  it("builtins.path with a filter", () => {
    const info = store.addToStore(
      { path: nodePath.join(fixturesDir.dir, "tree") },
      { name: "filtered", filter: filterJs },
    );
    expect(asJson(info)).toEqual(golden.filtered);
    expect(store.lstat(`${info.path}/link`)).toBeUndefined();
    expect(store.lstat(`${info.path}/nested`)?.type).toBe("directory");
    expect(store.readDirectory(`${info.path}/nested`)).toEqual([]);
  });

  it("builtins.toFile (text paths, with references)", () => {
    expect(store.addTextToStore("n", "text")).toBe(golden.text.plain);
    expect(store.addTextToStore("unicode.txt", "grüße ☃\n")).toBe(golden.text.unicode);
    const a = store.addTextToStore("a", "x");
    expect(a).toBe(golden.text.referee);
    const b = store.addTextToStore("b", `ref: ${a}`, [a]);
    expect(b).toBe(golden.text.referrer);
    expect(store.queryPathInfo(b)?.references).toEqual([a]);
    expect(store.queryPathInfo(b)?.contentAddress).toMatch(/^text:sha256:/);
    expect(new TextDecoder().decode(store.readFile(b))).toBe(`ref: ${a}`);
  });

  it("writeDerivation gives nix-instantiate's drvPath", () => {
    for (const ref of golden.drv.references) {
      // The drv refers to `s` (toFile); make it valid first, as the evaluator would.
      expect(store.addTextToStore("s", "y")).toBe(ref);
    }
    const drvPath = store.writeDerivation({
      name: "golden",
      aterm: golden.drv.aterm,
      references: golden.drv.references,
      outputs: golden.drv.outputs,
    });
    expect(drvPath).toBe(golden.drv.drvPath);
    expect(store.queryDerivationOutputs(drvPath)).toEqual(golden.drv.outputs);
    expect(store.queryValidDerivers(golden.drv.outputs.dev!)).toEqual([drvPath]);
    expect(new TextDecoder().decode(store.readFile(drvPath))).toBe(golden.drv.aterm);
  });
});

describe.each([
  ["MemoryStore", (storeDir: string): Store => new MemoryStore({ storeDir, sourceAccessor: hostFs })],
  [
    "LocalStore",
    (storeDir: string): Store =>
      new LocalStore({ storeDir, root: fs.mkdtempSync(nodePath.join(stateDir.dir, "other-")) }),
  ],
])("%s with another logical store directory computes Nix 2.8's paths", (_name, makeStore) => {
  it("source, flat and text paths", () => {
    const want = golden.otherStoreDir;
    const store = makeStore(want.storeDir);
    try {
      expect(store.addToStore({ path: nodePath.join(fixturesDir.dir, "tree") }, { name: "tree" }).path).toBe(
        want.tree,
      );
      expect(
        store.addToStore(
          { path: nodePath.join(fixturesDir.dir, "hello.txt") },
          { name: "hello.txt", method: "flat" },
        ).path,
      ).toBe(want.flat);
      expect(store.addTextToStore("n", "text")).toBe(want.text.plain);
      const a = store.addTextToStore("a", "x");
      expect(a).toBe(want.text.referee);
      expect(store.addTextToStore("b", `ref: ${a}`, [a])).toBe(want.text.referrer);
    } finally {
      store.close();
    }
  });
});

describe("dumping host paths to NAR", () => {
  it.each(Object.keys(FIXTURES))("%s: our walker, nix-compat's streamer and the tree agree", (name) => {
    const p = nodePath.join(fixturesDir.dir, name);
    const ours = dumpPath(p);
    const chunks = [...narChunksFromSource(narSourceOf(hostFs), p)];
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(ours));
    expect(Buffer.from(ours)).toEqual(Buffer.from(narBytes(FIXTURES[name]!)));
  });
});

describe.skipIf(!live)("live comparison with the installed Nix", () => {
  it("nix-store and nix-instantiate still give the recorded answers", () => {
    const now = askNix(fixturesDir.dir);
    expect({ ...now, nix: golden.nix }).toEqual(golden);
  });
});
