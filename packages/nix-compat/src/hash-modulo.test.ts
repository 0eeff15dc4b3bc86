import { describe, expect, it } from "vitest";
import { parseDerivation, printDerivation } from "./aterm.js";
import { derivationFromJson, derivationToJson } from "./derivation-json.js";
import { type Derivation, cloneDerivation, emptyDerivation, inputDrvNode } from "./derivation.js";
import { DerivationHasher, derivationPath } from "./hash-modulo.js";
import { printHash } from "./hash.js";
import { hashPlaceholder } from "./placeholder.js";
import { haveStoreData, readData, readJson } from "./test-support/data.js";

const fromJsonFile = (rel: string): Derivation => derivationFromJson(readJson(rel));

/** A hasher whose input derivations are the given ones, keyed by their computed drv paths. */
function hasherOver(drvs: Derivation[]): DerivationHasher {
  const byPath = new Map(drvs.map((d) => [derivationPath(d).baseName, d]));
  return new DerivationHasher({
    readDerivation: (p) => {
      const d = byPath.get(p);
      if (!d) throw new Error(`unknown derivation ${p}`);
      return d;
    },
  });
}

/**
 * Undo output path computation: outputs deferred, and their env vars blanked (as derivationStrict does
 * before hashing) or removed (as Nix's hash-modulo unit test builds its derivations).
 */
function deferOutputs(drv: Derivation, env: "blank" | "remove" = "blank"): Derivation {
  const d = cloneDerivation(drv);
  for (const name of d.outputs.keys()) {
    d.outputs.set(name, { kind: "deferred" });
    if (env === "blank") d.env.set(name, "");
    else d.env.delete(name);
  }
  return d;
}

describe.runIf(haveStoreData)("hash modulo conformance (derivation/hash-modulo)", () => {
  const dir = "derivation/hash-modulo";
  const sourceFirst = fromJsonFile(`${dir}/source-first.json`);
  const sourceSecond = fromJsonFile(`${dir}/source-second.json`);
  const interFirst = fromJsonFile(`${dir}/intermediate-first.json`);
  const interSecond = fromJsonFile(`${dir}/intermediate-second.json`);
  const parentSplit = fromJsonFile(`${dir}/parent-split.json`);
  const parentJoined = fromJsonFile(`${dir}/parent-joined.json`);
  const hasher = hasherOver([sourceFirst, sourceSecond, interFirst, interSecond]);

  it("computes the drv paths the data refers to", () => {
    expect(derivationPath(sourceFirst).baseName).toBe("q4mzjdlh5px6977h7v5fdsk1p33yg583-source.drv");
    expect(derivationPath(sourceSecond).baseName).toBe("jwmbpldsdgfjhkxk317jn55jilyfl63f-source.drv");
    expect(derivationPath(interFirst).baseName).toBe("f8g8x4m83da3b2f79iv84q2r3qlc58lr-intermediate.drv");
    expect(derivationPath(interSecond).baseName).toBe("kp6i4n4bb3hlniwqjakhlf046qpdc0gl-intermediate.drv");
  });

  it("gives fixed-output derivations a provenance-free per-output hash", () => {
    const a = hasher.hashInput(sourceFirst);
    const b = hasher.hashInput(sourceSecond);
    expect(a.kind).toBe("caOutputHashes");
    if (a.kind !== "caOutputHashes" || b.kind !== "caOutputHashes") return;
    expect(printHash(a.hashes.get("out")!, "base16")).toBe(
      "42cfa58bf5a281911b6c9471c67cf64f70a820b033415190db3da91710c5ff2c",
    );
    expect(b.hashes.get("out")).toEqual(a.hashes.get("out"));
  });

  it("fills in a fixed output's env var", () => {
    const d = cloneDerivation(sourceFirst);
    d.env.delete("out");
    hasher.fillInOutputPaths(d);
    expect(d.env.get("out")).toBe("/nix/store/i00sflxqsj37lfmf95m8mn0grv615hpj-source");
  });

  it.each(["intermediate-first", "intermediate-second", "parent-split", "parent-joined"])(
    "%s: the modulo ATerm matches Nix's",
    (stem) => {
      const drv = fromJsonFile(`${dir}/${stem}.json`);
      expect(hasher.unparseModulo(drv)).toBe(readData(`${dir}/${stem}-modulo.drv`));
    },
  );

  it.each(["intermediate-first", "intermediate-second"])(
    "%s: output paths computed from scratch match",
    (stem) => {
      const expected = fromJsonFile(`${dir}/${stem}.json`);
      const filled = hasher.fillInOutputPaths(deferOutputs(expected, "remove"));
      expect(filled).toEqual(expected);
      expect(printDerivation(filled)).toBe(readData(`${dir}/${stem}.drv`));
    },
  );

  it("merges colliding inputs: split and joined parents hash the same", () => {
    expect(hasher.hashModulo(parentSplit)).toEqual(hasher.hashModulo(parentJoined));
    const justOut = cloneDerivation(parentJoined);
    justOut.inputDrvs.get("kp6i4n4bb3hlniwqjakhlf046qpdc0gl-intermediate.drv")!.outputs.delete("dev");
    expect(hasher.hashModulo(justOut)).not.toEqual(hasher.hashModulo(parentJoined));
  });

  it("reports the intermediate's hash as a drvHash", () => {
    const h = hasher.hashInputAt("f8g8x4m83da3b2f79iv84q2r3qlc58lr-intermediate.drv");
    expect(h.kind === "drvHash" && printHash(h.hash, "base16")).toBe(
      "6df335a6cafec6b08aa38163a4a3d1b8f04bc8dc10de4ad35d677f911f2d3b5a",
    );
  });
});

describe.runIf(haveStoreData)("fillInOutputPaths / checkInvariants (derivation/invariants)", () => {
  const dir = "derivation/invariants";
  // Nix's test writes this CA-floating dependency to its store first.
  const dependency = emptyDerivation("dependency");
  dependency.outputs.set("out", { kind: "caFloating", method: "nar", hashAlgo: "sha256" });
  dependency.system = "x86_64-linux";
  dependency.builder = "/bin/sh";
  dependency.env.set("out", "");
  const hasher = hasherOver([dependency]);

  it("reproduces the CA dependency's drv path", () => {
    expect(derivationPath(dependency).baseName).toBe("lg4c4b8r9hlczwprl6kgnzfd9mc1xmkk-dependency.drv");
  });

  it.each(["filled-in-deferred-empty-env-var", "filled-in-deferred-no-env-var"])(
    "%s: pre fills in to post",
    (s) => {
      const pre = fromJsonFile(`${dir}/${s}-pre.json`);
      expect(hasher.fillInOutputPaths(pre)).toEqual(fromJsonFile(`${dir}/${s}-post.json`));
      // Filling in a missing env var changes the masked ATerm (it gains `("out","")`), so only the
      // empty-env-var form is still consistent afterwards, in Nix as here.
      if (s.includes("empty")) expect(() => hasher.checkInvariants(pre)).not.toThrow();
      else expect(() => hasher.checkInvariants(pre)).toThrow(/incorrect output/);
    },
  );

  it("leaves a correct derivation alone", () => {
    const drv = fromJsonFile(`${dir}/filled-in-idempotent.json`);
    expect(hasher.fillInOutputPaths(cloneDerivation(drv))).toEqual(drv);
  });

  it("keeps outputs deferred when an input is a floating CA derivation", () => {
    const drv = fromJsonFile(`${dir}/depends-on-drv-pre.json`);
    expect(hasher.fillInOutputPaths(cloneDerivation(drv))).toEqual(drv);
    expect(hasher.hashModulo(drv)).toBeUndefined();
  });

  it.each([
    [
      "bad-path.json",
      /incorrect output '\/nix\/store\/c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-wrong-name', should be/,
    ],
    ["bad-env-var.json", /incorrect environment variable 'out'/],
    ["bad-depends-on-drv-pre.json", /should be deferred/],
  ])("%s is rejected", (file, message) => {
    expect(() => hasher.fillInOutputPaths(fromJsonFile(`${dir}/${file}`))).toThrow(message);
  });

  it("rejects a fixed-output drv whose env var names another path", () => {
    const drv = parseDerivation(readData("derivation/bad-ca-fixed-path.drv"), "fixed");
    expect(() => hasher.checkInvariants(drv)).toThrow(/incorrect environment variable 'out'/);
  });
});

/** Build `foo`/`bar` of tests/functional/derivation/advanced-attributes.nix the way derivationStrict does. */
function fooBar(name: string, ca: boolean): Derivation {
  const d = emptyDerivation(name);
  d.system = "my-system";
  d.builder = "/bin/bash";
  d.args = ["-c", `echo ${name} > $out`];
  const env: [string, string][] = [
    ["builder", "/bin/bash"],
    ["name", name],
    ["outputs", "out dev"],
    ["system", "my-system"],
  ];
  if (ca) env.push(["outputHashAlgo", "sha256"], ["outputHashMode", "recursive"]);
  d.env = new Map(env);
  for (const o of ["out", "dev"]) {
    if (ca) {
      d.outputs.set(o, { kind: "caFloating", method: "nar", hashAlgo: "sha256" });
      d.env.set(o, hashPlaceholder(o));
    } else {
      d.outputs.set(o, { kind: "deferred" });
      d.env.set(o, "");
    }
  }
  return d;
}

describe.runIf(haveStoreData)("advanced-attributes derivations (derivation/ia, derivation/ca)", () => {
  const iaInputs = [fooBar("foo", false), fooBar("bar", false)];
  for (const d of iaInputs) hasherOver([]).fillInOutputPaths(d);
  const iaHasher = hasherOver(iaInputs);
  const caInputs = [fooBar("foo", true), fooBar("bar", true)];

  it("rebuilds the input derivations' drv paths", () => {
    expect(iaInputs.map((d) => derivationPath(d).baseName)).toEqual([
      "afc3vbjbzql750v2lp8gxgaxsajphzih-foo.drv",
      "vj2i49jm2868j2fmqvxm70vlzmzvgv14-bar.drv",
    ]);
    expect(iaInputs[0]!.env.get("out")).toBe("/nix/store/p0hax2lzvjpfc2gwkk62xdglz0fcqfzn-foo");
    expect(iaInputs[1]!.env.get("dev")).toBe("/nix/store/9b61w26b4avv870dw0ymb6rw4r1hzpws-bar-dev");
    expect(caInputs.map((d) => derivationPath(d).baseName)).toEqual([
      "j56sf12rxpcv5swr14vsjn5cwm6bj03h-foo.drv",
      "qnml92yh97a6fbrs2m5qg5cqlc8vni58-bar.drv",
    ]);
  });

  it.each([
    "advanced-attributes-defaults",
    "advanced-attributes-structured-attrs-defaults",
    "advanced-attributes",
    "advanced-attributes-structured-attrs",
  ])("ia/%s: output paths computed from scratch match", (stem) => {
    const expected = fromJsonFile(`derivation/ia/${stem}.json`);
    const filled = iaHasher.fillInOutputPaths(deferOutputs(expected));
    expect(derivationToJson(filled)).toEqual(derivationToJson(expected));
  });

  it.each([
    "advanced-attributes-defaults",
    "advanced-attributes-structured-attrs-defaults",
    "advanced-attributes",
    "advanced-attributes-structured-attrs",
  ])("ca/%s: floating outputs are placeholders and not deferred-filled", (stem) => {
    const drv = fromJsonFile(`derivation/ca/${stem}.json`);
    for (const [name, o] of drv.outputs) {
      expect(o.kind).toBe("caFloating");
      expect(drv.env.get(name)).toBe(hashPlaceholder(name));
    }
    expect(hasherOver(caInputs).fillInOutputPaths(cloneDerivation(drv))).toEqual(drv);
  });
});

describe("derivation paths without test data", () => {
  it("drvPath depends on inputs and contents; outputs get the -<output> suffix", () => {
    const d = emptyDerivation("hello");
    d.system = "x86_64-linux";
    d.builder = "/bin/sh";
    d.outputs.set("out", { kind: "deferred" });
    d.outputs.set("doc", { kind: "deferred" });
    const h = new DerivationHasher({
      readDerivation: () => {
        throw new Error("no inputs");
      },
    });
    h.fillInOutputPaths(d);
    const out = d.outputs.get("out")!;
    const doc = d.outputs.get("doc")!;
    expect(out.kind === "inputAddressed" && out.path.endsWith("-hello")).toBe(true);
    expect(doc.kind === "inputAddressed" && doc.path.endsWith("-hello-doc")).toBe(true);
    const withSrc = cloneDerivation(d);
    withSrc.inputSrcs.add("c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-src");
    expect(derivationPath(withSrc)).not.toEqual(derivationPath(d));
    d.inputDrvs.set("c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-x.drv", inputDrvNode(["out"]));
    expect(() => h.hashModulo(d)).toThrow("no inputs");
  });
});

describe("DerivationHasher.register", () => {
  it("fills in, computes the drv path and serves later lookups itself", () => {
    const reads: string[] = [];
    const h = new DerivationHasher({
      readDerivation: (p) => {
        reads.push(p);
        throw new Error(`not found: ${p}`);
      },
    });
    const dep = emptyDerivation("dep");
    dep.system = "x86_64-linux";
    dep.builder = "/bin/sh";
    dep.outputs.set("out", { kind: "deferred" });
    dep.env.set("out", "");
    const depPath = h.register(dep);
    expect(depPath).toEqual(derivationPath(dep));
    expect(dep.env.get("out")).toMatch(/^\/nix\/store\/[0-9a-z]{32}-dep$/);

    const top = emptyDerivation("top");
    top.system = "x86_64-linux";
    top.builder = "/bin/sh";
    top.outputs.set("out", { kind: "deferred" });
    top.inputDrvs.set(depPath.baseName, inputDrvNode(["out"]));
    h.register(top);
    expect(reads).toEqual([]);
    expect(top.outputs.get("out")!.kind).toBe("inputAddressed");
  });
});

describe("DerivationHasher.register reuses sections between its texts", () => {
  /** Links of a chain (inputs added by the test), with escapes, non-ASCII and output env vars. */
  function links(n: number, opts: { structured?: boolean; missingEnv?: boolean }): Derivation[] {
    const drvs: Derivation[] = [];
    for (let i = 0; i < n; i++) {
      const d = emptyDerivation(`link-${i}`);
      d.system = "x86_64-linux";
      d.builder = '/bin/sh "quoted"';
      d.args.push("-c", `echo "${i}"\n\tdone é 😀`);
      d.inputSrcs.add("0000000000000000000000000000000a-src");
      for (const o of ["out", "dev", "doc"]) {
        d.outputs.set(o, { kind: "deferred" });
        if (!opts.missingEnv || o !== "doc") d.env.set(o, "");
      }
      d.env.set("aaa", "first\\key");
      d.env.set("buildCommand", `line one\nline "two" ${"x".repeat(100)} ${i}`);
      d.env.set("zzz", "€ last");
      if (opts.structured) d.structuredAttrs = `{"i":${i},"s":"a\\nb"}`;
      drvs.push(d);
    }
    return drvs;
  }

  it.each([
    ["plain", {}],
    ["structured attrs", { structured: true }],
    ["an output without env var", { missingEnv: true }],
  ] as const)("gives the same paths and input hashes as the separate computations (%s)", (_, opts) => {
    const registered = new Map<string, Derivation>();
    const fast = new DerivationHasher({ readDerivation: (p) => registered.get(p)! });
    const separate = new Map<string, Derivation>();
    const slow = new DerivationHasher({ readDerivation: (p) => separate.get(p)! });
    let prevFast: string | undefined;
    let prevSlow: string | undefined;
    for (const template of links(4, opts)) {
      const a = cloneDerivation(template);
      const b = cloneDerivation(template);
      a.inputDrvs.clear();
      b.inputDrvs.clear();
      if (prevFast !== undefined) a.inputDrvs.set(prevFast, inputDrvNode(["out", "dev"]));
      if (prevSlow !== undefined) b.inputDrvs.set(prevSlow, inputDrvNode(["out", "dev"]));

      const pathA = fast.register(a).baseName;
      registered.set(pathA, a);
      slow.fillInOutputPaths(b);
      const pathB = derivationPath(b).baseName;
      separate.set(pathB, b);

      expect(pathA).toBe(pathB);
      expect(printDerivation(a)).toBe(printDerivation(b));
      expect(new TextDecoder().decode(fast.lastRegisteredText())).toBe(printDerivation(b));
      const ha = fast.hashInputAt(pathA);
      const hb = slow.hashInput(b);
      expect(ha.kind).toBe("drvHash");
      expect(hb.kind === "drvHash" && ha.kind === "drvHash" && printHash(ha.hash, "base16")).toBe(
        hb.kind === "drvHash" && printHash(hb.hash, "base16"),
      );
      prevFast = pathA;
      prevSlow = pathB;
    }
  });
});
