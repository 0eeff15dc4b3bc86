// Cross-check against Nix 2.8: golden answers recorded from real Nix (../golden/nix-2.8.json) are always
// checked; when `nix-instantiate` is on PATH they are also recomputed live (RECORD_GOLDEN=1 rewrites them).
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDerivation, printDerivation } from "./aterm.js";
import { base64Decode, base64Encode } from "./encoding.js";
import { type Derivation, cloneDerivation } from "./derivation.js";
import { derivationFromJson, derivationToJson } from "./derivation-json.js";
import { DerivationHasher, derivationPath } from "./hash-modulo.js";
import { hashBytes, printHash } from "./hash.js";
import { type NarNode, narBytes, narDirectory, narHash, narRegular, narSymlink, parseNar } from "./nar.js";
import { makeFixedOutputPath } from "./content-address.js";
import { computeStorePathForText, parseStorePath, printStorePath } from "./store-path.js";
import { hashPlaceholder } from "./placeholder.js";
import {
  DERIVATION_CASES,
  type Golden,
  TOFILE_CASES,
  TREE_CASES,
  type TreeSpec,
  OTHER_STORE_DIR,
  OTHER_STORE_DIR_EXPR,
} from "./test-support/nix28-cases.js";
import { emptyDerivation, inputDrvNode } from "./derivation.js";

const GOLDEN_FILE = new URL("./golden/nix-2.8.json", import.meta.url);
const golden = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Golden;

function treeToNar(t: TreeSpec): NarNode {
  if ("file" in t) return narRegular(t.file, t.executable ?? false);
  if ("symlink" in t) return narSymlink(t.symlink);
  return narDirectory(Object.entries(t.dir).map(([k, v]) => [k, treeToNar(v)] as [string, NarNode]));
}

const drvName = (base: string): string => parseStorePath(printStorePath(base)).derivationName;

/** Undo what derivationStrict computes: deferred input-addressed outputs, blank output env vars. */
function asBeforeOutputPaths(drv: Derivation): Derivation {
  const d = cloneDerivation(drv);
  for (const [name, o] of d.outputs) {
    if (o.kind === "inputAddressed") d.outputs.set(name, { kind: "deferred" });
    d.env.set(name, "");
  }
  return d;
}

describe("Nix 2.8 golden answers", () => {
  it("covers every case", () => {
    expect(Object.keys(golden.derivations).sort()).toEqual(Object.keys(DERIVATION_CASES).sort());
    expect(Object.keys(golden.toFile).sort()).toEqual(Object.keys(TOFILE_CASES).sort());
    expect(Object.keys(golden.trees).sort()).toEqual(Object.keys(TREE_CASES).sort());
  });

  describe.each(Object.keys(DERIVATION_CASES).filter((k) => k in golden.derivations))(
    "derivation %s",
    (name) => {
      const g = golden.derivations[name]!;
      const texts = new Map(Object.entries(g.drvTexts));
      const parsed = new Map([...texts].map(([p, t]) => [p, parseDerivation(t, drvName(p))]));
      const hasher = new DerivationHasher({ readDerivation: (p) => parsed.get(p)! });
      const drv = parsed.get(g.drvPath)!;

      it("parses and prints byte for byte", () => {
        for (const [p, t] of texts) expect(printDerivation(parsed.get(p)!)).toBe(t);
      });

      it("has the drvPath Nix wrote", () => {
        for (const [p, d] of parsed) expect(derivationPath(d).baseName).toBe(p);
      });

      it("computes the output paths from scratch", () => {
        const filled = hasher.fillInOutputPaths(asBeforeOutputPaths(drv));
        expect(printDerivation(filled)).toBe(texts.get(g.drvPath));
        const outs = Object.fromEntries(
          [...filled.outputs.keys()].map((o) => [
            o,
            printStorePath(
              (filled.outputs.get(o) as { path?: string }).path ??
                filled.env.get(o)!.slice("/nix/store/".length),
            ),
          ]),
        );
        expect(outs).toEqual(g.outputs);
        hasher.checkInvariants(filled, g.drvPath);
      });

      it("survives JSON and back", () => {
        expect(printDerivation(derivationFromJson(JSON.parse(JSON.stringify(derivationToJson(drv)))))).toBe(
          texts.get(g.drvPath),
        );
      });
    },
  );

  it("makes dependents of fixed-output derivations independent of how they are fetched", () => {
    expect(golden.derivations["via-fixed"]!.outputs).toEqual(
      golden.derivations["via-fixed-other-url"]!.outputs,
    );
    expect(golden.derivations["via-fixed"]!.drvPath).not.toBe(
      golden.derivations["via-fixed-other-url"]!.drvPath,
    );
  });

  it.each(Object.entries(TOFILE_CASES))("toFile %s", (key, c) => {
    const refs = (c.refs ?? []).map((r) => computeStorePathForText(r.name, r.contents));
    const contents = c.contents + refs.map((r) => printStorePath(r)).join("");
    expect(printStorePath(computeStorePathForText(c.name, contents, refs))).toBe(golden.toFile[key]);
  });

  it.each(Object.entries(TREE_CASES).filter(([k]) => k in golden.trees))(
    "NAR and paths of tree %s",
    (key, spec) => {
      const g = golden.trees[key]!;
      const node = treeToNar(spec);
      const bytes = narBytes(node);
      expect(base64Encode(bytes)).toBe(g.narBase64);
      expect(narBytes(parseNar(base64Decode(g.narBase64)))).toEqual(bytes);
      const { hash } = narHash(node);
      expect(printHash(hash, "nix32")).toBe(g.narHashNix32);
      expect(printStorePath(makeFixedOutputPath("t", "nar", hash))).toBe(g.pathRecursive);
      if (node.type === "regular") {
        const flat = makeFixedOutputPath("t", "flat", hashBytes("sha256", node.contents));
        expect(printStorePath(flat)).toBe(g.pathFlat);
      }
    },
  );

  it("threads a non-default store dir through every computation", () => {
    const storeDir = OTHER_STORE_DIR;
    const hasher = new DerivationHasher({
      storeDir,
      readDerivation: () => {
        throw new Error("unexpected lookup");
      },
    });
    // What derivationStrict builds for OTHER_STORE_DIR_EXPR.
    const src = computeStorePathForText("f", "x", [], storeDir);
    const d = emptyDerivation("sd");
    d.system = "x86_64-linux";
    d.builder = "/bin/sh";
    d.inputSrcs.add(src.baseName);
    d.outputs.set("out", { kind: "deferred" });
    d.env = new Map([
      ["builder", "/bin/sh"],
      ["name", "sd"],
      ["out", ""],
      ["src", printStorePath(src, storeDir)],
      ["system", "x86_64-linux"],
    ]);
    const dPath = hasher.register(d);
    const top = emptyDerivation("top");
    top.system = "x86_64-linux";
    top.builder = "/bin/sh";
    top.inputDrvs.set(dPath.baseName, inputDrvNode(["out"]));
    top.outputs.set("out", { kind: "deferred" });
    top.env = new Map([
      ["builder", "/bin/sh"],
      ["d", d.env.get("out")!],
      ["name", "top"],
      ["out", ""],
      ["system", "x86_64-linux"],
    ]);
    const topPath = hasher.register(top);
    expect(printStorePath(topPath, storeDir)).toBe(golden.otherStoreDir.drvPath);
    expect(top.env.get("out")).toBe(golden.otherStoreDir.outPath);
    expect(printDerivation(top, { storeDir })).toContain(`("${printStorePath(dPath, storeDir)}",["out"])`);
  });

  it("placeholders", () => {
    for (const [o, p] of Object.entries(golden.placeholders)) expect(hashPlaceholder(o)).toBe(p);
  });
});

// ---------------------------------------------------------------------------------------------
// Live recomputation with the installed Nix.

const haveNix = (() => {
  if (process.env.TSNIX_SKIP_LIVE_NIX === "1") return false;
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

function nix(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function evalJson(expr: string): unknown {
  return JSON.parse(nix("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]));
}

function writeTree(path: string, t: TreeSpec): void {
  if ("file" in t) writeFileSync(path, t.file, { mode: t.executable ? 0o755 : 0o644 });
  else if ("symlink" in t) symlinkSync(t.symlink, path);
  else {
    mkdirSync(path);
    for (const [k, v] of Object.entries(t.dir)) writeTree(join(path, k), v);
  }
}

function recordFromNix(): Golden {
  const tmp = mkdtempSync(join(tmpdir(), "tsnix-nix28-"));
  try {
    const derivations: Golden["derivations"] = {};
    for (const [key, expr] of Object.entries(DERIVATION_CASES)) {
      const drvPathAbs = nix("nix-instantiate", ["-E", expr]);
      const drvTexts: Record<string, string> = {};
      const visit = (abs: string): void => {
        const base = parseStorePath(abs).baseName;
        if (base in drvTexts) return;
        const text = readFileSync(abs, "utf8");
        drvTexts[base] = text;
        for (const dep of parseDerivation(text, drvName(base)).inputDrvs.keys()) visit(printStorePath(dep));
      };
      visit(drvPathAbs);
      const outputs = evalJson(
        `let d = ${expr}; in builtins.listToAttrs (map (o: { name = o; value = d.\${o}.outPath; }) (d.outputs or [ "out" ]))`,
      ) as Record<string, string>;
      derivations[key] = { expr, drvPath: parseStorePath(drvPathAbs).baseName, drvTexts, outputs };
    }
    const toFile: Golden["toFile"] = {};
    for (const [key, c] of Object.entries(TOFILE_CASES)) {
      const refs = (c.refs ?? []).map(
        (r) => `builtins.toFile ${JSON.stringify(r.name)} ${JSON.stringify(r.contents)}`,
      );
      const contents = [JSON.stringify(c.contents), ...refs].join(" + ");
      toFile[key] = evalJson(`builtins.toFile ${JSON.stringify(c.name)} (${contents})`) as string;
    }
    const trees: Golden["trees"] = {};
    for (const [key, spec] of Object.entries(TREE_CASES)) {
      const p = join(tmp, key);
      writeTree(p, spec);
      const nar = execFileSync("nix-store", ["--dump", p]);
      const entry: Golden["trees"][string] = {
        narBase64: base64Encode(new Uint8Array(nar)),
        narHashNix32: nix("nix-hash", ["--type", "sha256", "--base32", p]),
        pathRecursive: evalJson(`builtins.path { path = ${p}; name = "t"; }`) as string,
      };
      if ("file" in spec)
        entry.pathFlat = evalJson(`builtins.path { path = ${p}; name = "t"; recursive = false; }`) as string;
      trees[key] = entry;
    }
    const placeholders: Golden["placeholders"] = {};
    for (const o of ["out", "dev", "bin", "lib"])
      placeholders[o] = evalJson(`builtins.placeholder ${JSON.stringify(o)}`) as string;
    const env = { ...process.env, NIX_STORE_DIR: OTHER_STORE_DIR };
    const ro = (args: string[]): string =>
      execFileSync("nix-instantiate", ["--readonly-mode", ...args], {
        encoding: "utf8",
        env,
        stdio: "pipe",
      }).trim();
    const otherStoreDir = {
      drvPath: ro(["-E", OTHER_STORE_DIR_EXPR]),
      outPath: JSON.parse(
        ro(["--eval", "--strict", "--json", "-E", `(${OTHER_STORE_DIR_EXPR}).outPath`]),
      ) as string,
    };
    return {
      nixVersion: nix("nix-instantiate", ["--version"]),
      derivations,
      toFile,
      trees,
      placeholders,
      otherStoreDir,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe.runIf(haveNix)("live Nix agrees with the golden file", () => {
  let live: Golden | undefined;
  const get = (): Golden => (live ??= recordFromNix());
  afterAll(() => {
    if (process.env.RECORD_GOLDEN === "1" && live)
      writeFileSync(GOLDEN_FILE, JSON.stringify(live, null, 2) + "\n");
  });

  it("recomputes every answer", () => {
    const l = get();
    if (process.env.RECORD_GOLDEN === "1") return;
    expect(l.derivations).toEqual(golden.derivations);
    expect(l.toFile).toEqual(golden.toFile);
    expect(l.trees).toEqual(golden.trees);
    expect(l.placeholders).toEqual(golden.placeholders);
    expect(l.otherStoreDir).toEqual(golden.otherStoreDir);
  });
});
