import { describe, expect, it } from "vitest";
import { Evaluator, NixError, createMemoryIO, type EvalIO } from "@tsnix/eval";
import { narDirectory, narHash, narRegular, printHash, type NarNode } from "@tsnix/nix-compat";
import { MemoryStore } from "@tsnix/store";
import { createStoreIO } from "./store-io.js";
import { createBuildingIO, type SyncRealiser } from "./build-io.js";
import { KnownPaths } from "./known-paths.js";

// `gen` writes a Nix file; its builder is never run here: the fake realiser below "builds" it by
// staging the contents the test chose and registering them, as a real builder would.
const EXPR = `
  let gen = derivation { name = "gen"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "unused" ]; };
  in { inherit gen; }
`;

interface Setup {
  ev: Evaluator;
  store: MemoryStore;
  requests: string[][];
  genOut: string;
  genDrv: string;
}

function setup(
  contents: NarNode,
  opts: { realise?: SyncRealiser | "none" | "fail"; allowIFD?: boolean; readOnly?: boolean } = {},
): Setup {
  const store = new MemoryStore();
  const knownPaths = new KnownPaths(store.storeDir);
  const requests: string[][] = [];
  const base: EvalIO = createStoreIO(store, createMemoryIO({ "/src/x.nix": "1" }), {
    readOnly: opts.readOnly ?? false,
  });
  const fake: SyncRealiser = (drvPaths) => {
    requests.push([...drvPaths]);
    return drvPaths.map((drvPath) => {
      const drv = knownPaths.getDerivation(drvPath)!;
      const out = `${store.storeDir}/${(drv.outputs.get("out") as { path: string }).path}`;
      if (opts.realise === "fail")
        throw new Error(`builder for '${drvPath}' failed with exit code 1;\nlast 1 log lines:\n> boom`);
      store.stageContents(out, contents);
      const { hash, size } = narHash(contents);
      store.registerValidPaths([
        {
          path: out,
          narHash: printHash(hash, "nix32", true),
          narSize: size,
          references: [],
          deriver: drvPath,
        },
      ]);
      return { out };
    });
  };
  const io = createBuildingIO(base, {
    store,
    knownPaths,
    ...(opts.realise === "none" ? {} : { realise: typeof opts.realise === "function" ? opts.realise : fake }),
    allowImportFromDerivation: opts.allowIFD ?? true,
  });
  const ev = new Evaluator({ io });
  knownPaths.follow(() => ev.knownDerivations);
  const gen = ev.evalString(`(${EXPR}).gen`);
  const genOut = ev.toJS(ev.evalString(`(${EXPR}).gen.outPath`)) as string;
  const genDrv = ev.toJS(ev.evalString(`(${EXPR}).gen.drvPath`)) as string;
  void gen;
  return { ev, store, requests, genOut, genDrv };
}

const evalJS = (s: Setup, body: string): unknown =>
  s.ev.toJS(s.ev.forceDeep(s.ev.evalString(`let gen = (${EXPR}).gen; in ${body}`)));

function nixError(f: () => unknown): NixError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NixError);
    return e as NixError;
  }
  throw new Error("expected an error");
}

describe("IO-driven builds (createBuildingIO)", () => {
  it("builds an unknown output on import, then reads it; once", () => {
    const s = setup(narDirectory({ "default.nix": narRegular("{ x = 6 * 7; }") }));
    expect(s.store.isValidPath(s.genOut)).toBe(false);
    expect(evalJS(s, "(import gen).x")).toBe(42);
    expect(s.requests).toEqual([[s.genDrv]]);
    expect(s.store.isValidPath(s.genOut)).toBe(true);
    expect(evalJS(s, `(import "\${gen}/default.nix").x + 0`)).toBe(42);
    expect(s.requests.length).toBe(1);
  });

  it("readFile, readDir, pathExists, readFileType, hashFile go through the build", () => {
    const tree = narDirectory({ "a.txt": narRegular("hello"), sub: narDirectory({}) });
    const cases: Array<[string, unknown]> = [
      [`builtins.readFile "\${gen}/a.txt"`, "hello"],
      [`builtins.attrNames (builtins.readDir gen)`, ["a.txt", "sub"]],
      [`builtins.pathExists "\${gen}/sub"`, true],
      [`builtins.readFileType "\${gen}/sub"`, "directory"],
      [
        `builtins.hashFile "sha256" "\${gen}/a.txt"`,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
      ],
    ];
    for (const [body, expected] of cases) {
      const s = setup(tree);
      const v = evalJS(s, body);
      expect(s.requests, body).toEqual([[s.genDrv]]);
      expect(v, body).toEqual(expected);
    }
  });

  it("a missing file inside a built output is an ordinary missing file", () => {
    const s = setup(narDirectory({}));
    expect(evalJS(s, `builtins.pathExists "\${gen}/nope"`)).toBe(false);
    expect(nixError(() => evalJS(s, `builtins.readFile "\${gen}/nope"`)).message).toMatch(
      /No such file or directory/,
    );
  });

  it("allow-import-from-derivation = false is Nix's error, and nothing is built", () => {
    const s = setup(narRegular("1"), { allowIFD: false });
    const e = nixError(() => evalJS(s, "import gen"));
    expect(e.message).toBe(
      `cannot build '${s.genDrv}' during evaluation because the option 'allow-import-from-derivation' is disabled`,
    );
    expect(s.requests).toEqual([]);
    // Computing paths is no IFD.
    expect(evalJS(s, `"\${gen}/x"`)).toBe(`${s.genOut}/x`);
  });

  it("without a build service the error says a build was needed", () => {
    const s = setup(narRegular("1"), { realise: "none" });
    const e = nixError(() => evalJS(s, "builtins.readFile gen"));
    expect(e.message).toContain(`cannot read '${s.genOut}': it must be built first (by '${s.genDrv}')`);
    expect(e.message).toContain("no build service");
  });

  it("read-only mode (no .drv written): Nix's 'is not valid', nothing built", () => {
    const s = setup(narRegular("1"), { readOnly: true });
    expect(nixError(() => evalJS(s, "import gen")).message).toBe(`path '${s.genDrv}' is not valid`);
    expect(s.requests).toEqual([]);
  });

  it("a failed build is a Nix error naming the derivation with the log tail", () => {
    const s = setup(narRegular("1"), { realise: "fail" });
    const e = nixError(() => evalJS(s, "import gen"));
    expect(e.message).toContain(`builder for '${s.genDrv}' failed with exit code 1`);
    expect(e.message).toContain("> boom");
    // pathExists does not swallow it either
    expect(nixError(() => evalJS(s, "builtins.pathExists gen")).message).toContain("> boom");
  });

  it("store paths nobody knows go to the wrapped IO, and host paths are untouched", () => {
    const s = setup(narRegular("1"));
    expect(evalJS(s, `builtins.pathExists "${"/nix/store/" + "a".repeat(32)}-nothing"`)).toBe(false);
    expect(evalJS(s, "import /src/x.nix")).toBe(1);
    expect(s.requests).toEqual([]);
  });
});

describe("KnownPaths", () => {
  it("maps every output of every instantiated derivation to its drv, following the evaluator", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const kp = new KnownPaths().follow(() => ev.knownDerivations);
    expect(kp.size).toBe(0);
    const v = ev.toJS(
      ev.forceDeep(
        ev.evalString(`let d = derivation { name = "m"; system = "s"; builder = "/b"; outputs = [ "out" "dev" ]; };
          in [ d.drvPath d.out.outPath d.dev.outPath ]`),
      ),
    ) as string[];
    const [drvPath, out, dev] = v as [string, string, string];
    expect(kp.lookupOutput(out)).toMatchObject({ drvPath, outputName: "out" });
    expect(kp.lookupOutput(dev)).toMatchObject({ drvPath, outputName: "dev" });
    expect(kp.lookupOutput(drvPath)).toBeUndefined();
    expect(kp.getDerivation(drvPath)?.name).toBe("m");
  });

  it("knows fixed-output paths", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const kp = new KnownPaths().follow(() => ev.knownDerivations);
    const [drvPath, out] = ev.toJS(
      ev.forceDeep(
        ev.evalString(`let d = derivation { name = "f"; system = "s"; builder = "/b";
          outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "${"0".repeat(64)}"; };
          in [ d.drvPath d.outPath ]`),
      ),
    ) as [string, string];
    expect(kp.lookupOutput(out)?.drvPath).toBe(drvPath);
  });
});
