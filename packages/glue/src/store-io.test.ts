import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Evaluator } from "@tsnix/eval";
import { MemoryStore, hashPath } from "@tsnix/store";
import { makeFixedOutputPath, printStorePath } from "@tsnix/nix-compat";
import { createNodeIO } from "./nodeIO.js";
import { createStoreIO } from "./store-io.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-store-io-"));
const src = path.join(dir, "src");
fs.mkdirSync(path.join(src, "sub"), { recursive: true });
fs.writeFileSync(path.join(src, "a.txt"), "hello\n");
fs.writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
fs.writeFileSync(path.join(src, "sub", "b"), "b");
fs.symlinkSync("a.txt", path.join(src, "link"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const drv = (extra: string) =>
  `derivation { name = "t"; builder = "/bin/sh"; system = "x86_64-linux"; ${extra} }`;

describe("createStoreIO", () => {
  test("sources, texts and .drv files land in the store under the paths the evaluator computed", () => {
    const store = new MemoryStore();
    const ev = new Evaluator({ io: createStoreIO(store, createNodeIO()) });
    const v = ev.evalString(
      `let d = ${drv(`src = ${src}; f = builtins.toFile "f" "\${${src}/a.txt}";`)}; in [ d.drvPath d.outPath d.src ]`,
    );
    const [drvPath, outPath] = JSON.parse(ev.toJSON(v)) as string[];
    // the NAR hash of the tree (executable bit and symlink included) as the host file system has it
    const expected = printStorePath(makeFixedOutputPath("src", "nar", hashPath(src).hash));
    expect(store.isValidPath(expected)).toBe(true);
    expect(store.isValidPath(drvPath!)).toBe(true);
    const info = store.queryPathInfo(drvPath!)!;
    expect(info.references).toContain(expected);
    expect(store.queryDerivationOutputs(drvPath!)).toEqual({ out: outPath });
    const text = new TextDecoder().decode(store.readFile(drvPath!));
    expect(text.startsWith('Derive([("out",')).toBe(true);
  });

  test("a second evaluator reads derivations it did not instantiate from the store (=drv closure)", () => {
    const store = new MemoryStore();
    const first = new Evaluator({ io: createStoreIO(store, createNodeIO()) });
    const drvPath = JSON.parse(
      first.toJSON(first.evalString(`(${drv(`src = ${src}/a.txt;`)}).drvPath`)),
    ) as string;
    const second = new Evaluator({ io: createStoreIO(store, createNodeIO()) });
    const v = second.evalString(
      `(${drv(`d = builtins.appendContext "x" { "${drvPath}" = { allOutputs = true; }; };`)}).drvPath`,
    );
    const user = second.knownDerivations.get(JSON.parse(second.toJSON(v)) as string)!;
    expect([...user.inputDrvs.keys()]).toEqual([path.basename(drvPath)]);
    expect(user.inputSrcs.size).toBe(2); // the drv itself and the source it refers to
  });

  test("read-only: paths are computed, nothing is written", () => {
    const store = new MemoryStore();
    const ev = new Evaluator({ io: createStoreIO(store, createNodeIO(), { readOnly: true }) });
    const drvPath = JSON.parse(ev.toJSON(ev.evalString(`(${drv(`src = ${src};`)}).drvPath`))) as string;
    expect(drvPath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-t\.drv$/);
    expect(store.queryAllValidPaths()).toEqual([]);
  });
});
