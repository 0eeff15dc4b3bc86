// derivationStrict / derivation / placeholder and the paths-into-the-store builtins, in memory.
// Byte-level agreement with Nix is checked by test/derivations (golden .drv files from Nix 2.8);
// expected paths here were computed with nix-instantiate 2.8.
import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO, type EvalIO, type EvalStore } from "../index.js";
import { nlohmannDouble } from "./structured-json.js";
import { nixErrorText } from "../test-support/errors.js";

const D = `derivation { name = "foo"; builder = "/bin/sh"; system = "x86_64-linux"; }`;

function evaluator(files: Record<string, string> = {}, store?: EvalStore, settings?: Record<string, string>) {
  const io: EvalIO = { ...createMemoryIO(files), store };
  return new Evaluator({ io, settings });
}

const run = (ev: Evaluator, e: string) => ev.print(ev.evalString(e), { strict: true });

function err(ev: Evaluator, e: string): string {
  return nixErrorText(() => run(ev, e), e);
}

describe("derivation", () => {
  test("derivationStrict's result is a sorted set of drvPath and the outputs", () => {
    const ev = evaluator();
    const e = `let s = derivationStrict { name = "x"; builder = "/bin/sh"; system = "s"; outputs = [ "z" "a" "out" "drv" ]; };
      in [ (builtins.attrNames s) (builtins.substring 0 11 s.a) (builtins.hasAttr "z" s) s.drvPath ]`;
    expect(run(ev, e)).toMatch(
      /^\[ \[ "a" "drv" "drvPath" "out" "z" \] "\/nix\/store\/" true "\/nix\/store\/[0-9a-z]{32}-x\.drv" \]$/,
    );
  });

  test("paths as Nix 2.8 computes them", () => {
    const ev = evaluator();
    expect(run(ev, `let d = ${D}; in [ d.drvPath d.outPath ]`)).toBe(
      '[ "/nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv" "/nix/store/xpcvxsx5sw4rbq666blz6sxqlmsqphmr-foo" ]',
    );
    expect(
      run(
        ev,
        `let d = derivation { name = "foo"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = ["out" "dev"]; }; in [ d.outPath d.dev.outPath d.drvPath d.outputName d.dev.outputName ]`,
      ),
    ).toBe(
      '[ "/nix/store/1f5018jnvzb10jsijwrp0hyklh9hmmsg-foo" "/nix/store/7zhc9sliq14lz2f1yc1d68fi9njpfhr1-foo-dev" "/nix/store/vq69sqp8jpimmv62milrq467xk9wkkg0-foo.drv" "out" "dev" ]',
    );
  });

  test("the attribute set Nix's derivation.nix returns", () => {
    expect(run(evaluator(), D)).toBe(
      '{ all = [ «repeated» ]; builder = "/bin/sh"; drvAttrs = { builder = "/bin/sh"; name = "foo"; system = "x86_64-linux"; }; drvPath = "/nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv"; name = "foo"; out = «repeated»; outPath = "/nix/store/xpcvxsx5sw4rbq666blz6sxqlmsqphmr-foo"; outputName = "out"; system = "x86_64-linux"; type = "derivation"; }',
    );
  });

  test("derivation is lazy: other attributes work although the derivation is broken", () => {
    const ev = evaluator();
    expect(run(ev, `(derivation { name = "x"; system = "s"; }).name`)).toBe('"x"');
    expect(err(ev, `(derivation { name = "x"; system = "s"; }).outPath`)).toContain(
      "required attribute 'builder' missing",
    );
  });

  test("string contexts of the results", () => {
    const ev = evaluator();
    expect(run(ev, `builtins.attrNames (builtins.getContext (${D}).drvPath)`)).toBe(
      '[ "/nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv" ]',
    );
    expect(run(ev, `builtins.getContext (${D}).drvPath`)).toContain("allOutputs = true;");
    expect(run(ev, `builtins.getContext (${D}).outPath`)).toContain('outputs = [ "out" ];');
  });

  test("context decides inputDrvs and inputSrcs; knownDerivations holds every instantiated drv", () => {
    const ev = evaluator({ "/src/a": "A" });
    const v = ev.evalString(`let dep = ${D}; in derivation {
      name = "user"; builder = "/bin/sh"; system = "x86_64-linux";
      a = dep; b = /src/a; c = builtins.unsafeDiscardOutputDependency dep.drvPath; }`);
    const drvPath = ev.print(ev.selectAttrPath(v, "drvPath")).slice(1, -1);
    const drv = ev.knownDerivations.get(drvPath)!;
    expect([...drv.inputDrvs.keys()]).toEqual(["9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv"]);
    expect([...drv.inputDrvs.values()][0]!.outputs).toEqual(new Set(["out"]));
    expect([...drv.inputSrcs].sort()).toEqual([
      "9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv",
      expect.stringMatching(/^[a-z0-9]{32}-a$/),
    ]);
    expect(ev.knownDerivations.size).toBe(2);
  });

  test("writes through the store hooks, and not in read-only mode", () => {
    const written: string[] = [];
    const store: EvalStore = {
      addToStore: (r) => void written.push("src " + r.path),
      addTextToStore: (r) => void written.push("text " + r.path),
      writeDerivation: (r) => void written.push("drv " + r.path + " " + r.aterm.slice(0, 7)),
    };
    const ev = evaluator({ "/src/a": "A" }, store);
    run(ev, `[ (${D}).drvPath "\${/src/a}" "\${/src/a}" (builtins.toFile "t" "x") ]`);
    expect(written).toHaveLength(3); // the source is copied once
    expect(written[0]).toBe("drv /nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv Derive(");
    const ro = evaluator({ "/src/a": "A" }, { ...store, readOnly: true });
    run(ro, `[ (${D}).drvPath "\${/src/a}" ]`);
    expect(written).toHaveLength(3);
  });

  test("fixed-output, empty hash warning and errors", () => {
    const warnings: string[] = [];
    const ev = new Evaluator({ io: createMemoryIO({}), onWarning: (w) => warnings.push(w) });
    expect(
      run(
        ev,
        `(derivation { name = "f"; builder = "b"; system = "s"; outputHash = ""; outputHashAlgo = "sha256"; }).outPath`,
      ),
    ).toMatch(/^"\/nix\/store\/[a-z0-9]{32}-f"$/);
    expect(warnings).toEqual([
      "warning: found empty hash, assuming 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='",
    ]);
    expect(
      err(
        ev,
        `(derivation { name = "f"; builder = "b"; system = "s"; outputHash = "x"; outputs = ["out" "dev"]; }).outPath`,
      ),
    ).toContain("multiple outputs are not supported in fixed-output derivations");
  });

  test("content-addressed derivations need the experimental feature and get placeholders", () => {
    const e = `(derivation { name = "ca"; builder = "/bin/sh"; system = "x86_64-linux"; __contentAddressed = true; }).outPath`;
    expect(err(evaluator(), e)).toContain("experimental Nix feature 'ca-derivations' is disabled");
    // nix-instantiate 2.8 --extra-experimental-features ca-derivations
    expect(run(evaluator({}, undefined, { "extra-experimental-features": "ca-derivations" }), e)).toBe(
      '"/15xxwrq64drm7vk4v94f62c54gql8n7jl1dhmhlwvn82aal372xb"',
    );
  });

  test("name checks", () => {
    expect(err(evaluator(), `(derivation { name = "a b"; builder = "b"; system = "s"; }).outPath`)).toContain(
      "invalid derivation name: name 'a b' contains illegal character ' '. Please pass a different 'name'.",
    );
    expect(
      err(evaluator(), `(derivation { name = "a.drv"; builder = "b"; system = "s"; }).outPath`),
    ).toContain(
      "derivation names are allowed to end in '.drv' only if they produce a single derivation file",
    );
  });

  test("structured attrs JSON as nlohmann writes it", () => {
    const ev = evaluator();
    const v = ev.evalString(`(derivation { name = "s"; builder = "b"; system = "s"; __structuredAttrs = true;
      x = [ 1.0 0.1 1.0e16 1.0e-5 ]; "é" = "\\t"; a = { z = null; b = true; }; }).drvPath`);
    const drv = ev.knownDerivations.get(ev.print(v).slice(1, -1))!;
    expect(drv.structuredAttrs).toBe(
      '{"a":{"b":true,"z":null},"builder":"b","name":"s","system":"s","x":[1.0,0.1,1e+16,1e-05],"é":"\\t"}',
    );
    expect(drv.env.get("out")).toMatch(/^\/nix\/store\//);
  });

  test("nlohmann double format", () => {
    const cases: [number, string][] = [
      [1, "1.0"],
      [0, "0.0"],
      [-0, "-0.0"],
      [1.5, "1.5"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1e14, "100000000000000.0"],
      [1e15, "1e+15"],
      [1e16, "1e+16"],
      [123456.789, "123456.789"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [-2.5, "-2.5"],
      [NaN, "null"],
    ];
    for (const [x, s] of cases) expect(nlohmannDouble(x)).toBe(s);
  });
});

describe("paths into the store", () => {
  test("interpolated paths, toFile and its reference rules", () => {
    const ev = evaluator({ "/src/a.txt": "hello\n" });
    // nix-instantiate 2.8 --readonly-mode, same file contents
    expect(run(ev, `"\${/src/a.txt}"`)).toBe('"/nix/store/z3n6ml62lc6l9glpaz6fq7fvi2rks9vq-a.txt"');
    expect(run(ev, `builtins.toFile "x" "hello"`)).toBe('"/nix/store/4g4g9i669dl63abpww0djbl2jxl6bwiz-x"');
    expect(err(ev, `builtins.toFile "x" (${D}).outPath`)).toContain(
      "files created by builtins.toFile may not reference derivations, but x references !out!/nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv",
    );
    expect(err(ev, `"\${/src/missing}"`)).toContain("path '/src/missing' does not exist");
  });

  test("builtins.path with filter, name and flat hashing; filterSource", () => {
    const ev = evaluator({ "/d/a": "A", "/d/b": "B", "/d/sub/c": "C" });
    const all = run(ev, `builtins.path { path = /d; }`);
    const seen = run(
      ev,
      `let r = builtins.path { path = /d; name = "n"; filter = p: t: t == "directory" || baseNameOf p == "c"; }; in r`,
    );
    expect(seen).toMatch(/-n"$/);
    expect(all).toMatch(/-d"$/);
    expect(run(ev, `builtins.filterSource (p: t: t == "directory" || baseNameOf p == "c") /d`)).not.toBe(all);
    expect(run(ev, `builtins.path { path = /d/a; recursive = false; }`)).toMatch(/-a"$/);
    expect(err(ev, `builtins.path { path = /d; foo = 1; }`)).toContain(
      "unsupported argument 'foo' to 'builtins.path'",
    );
    expect(
      err(
        ev,
        `builtins.path { path = /d/a; sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; }`,
      ),
    ).toContain("store path mismatch in (possibly filtered) path added from '/d/a'");
  });

  test("storePath, placeholder, hashFile", () => {
    const ev = evaluator({ "/f": "abc" });
    expect(run(ev, `builtins.placeholder "out"`)).toBe(
      '"/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"',
    );
    expect(run(ev, `placeholder "out" == builtins.placeholder "out"`)).toBe("true");
    expect(run(ev, `[ (builtins ? derivation) (builtins.isFunction derivationStrict) ]`)).toBe(
      "[ true true ]",
    );
    expect(run(ev, `builtins.hashFile "sha256" /f`)).toBe(
      '"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"',
    );
    expect(
      run(ev, `builtins.getContext (builtins.storePath "/nix/store/4g4g9i669dl63abpww0djbl2jxl6bwiz-x/sub")`),
    ).toBe('{ "/nix/store/4g4g9i669dl63abpww0djbl2jxl6bwiz-x" = { path = true; }; }');
    expect(err(ev, `builtins.storePath "/tmp/x"`)).toContain("path '/tmp/x' is not in the Nix store");
  });
});
