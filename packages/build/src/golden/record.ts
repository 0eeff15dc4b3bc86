/**
 * Records what Nix itself (nix-instantiate / nix-store -r, e.g. Nix 2.8) makes of cases.nix: every
 * derivation in the closures (ATerm), the text sources, and for every output its path, NAR hash,
 * NAR size and references. golden.test.ts builds the same derivations with LocalBuilder and compares.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseDerivation, derivationOutputPath } from "@tsnix/nix-compat";

export interface GoldenOutput {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
}

export interface GoldenFile {
  nixVersion: string;
  /** attribute of cases.nix → drvPath */
  cases: Record<string, string>;
  /** drvPath → ATerm */
  drvs: Record<string, string>;
  /** source path (builtins.toFile) → contents */
  srcs: Record<string, string>;
  /** drvPath → output name → info */
  outputs: Record<string, Record<string, GoldenOutput>>;
}

const NIX_OPTS = ["--option", "substituters", ""];

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function nixWorks(): boolean {
  try {
    run("nix-build", ["--version"]);
    run("nix-instantiate", ["--eval", "-E", "1"]);
    return true;
  } catch {
    return false;
  }
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function recordGolden(casesFile: string): GoldenFile {
  const nixVersion = run("nix-build", ["--version"]).trim().split(" ").pop()!;
  const attrs = JSON.parse(
    run("nix-instantiate", ["--eval", "--json", "-E", `builtins.attrNames (import ${casesFile})`]),
  ) as string[];
  const cases: Record<string, string> = {};
  const drvs: Record<string, string> = {};
  const srcs: Record<string, string> = {};
  const outputs: Record<string, Record<string, GoldenOutput>> = {};
  for (const attr of attrs) {
    const drvPath = run("nix-instantiate", [casesFile, "-A", attr, ...NIX_OPTS]).trim();
    cases[attr] = drvPath;
    run("nix-store", ["-r", drvPath, ...NIX_OPTS]);
    for (const p of run("nix-store", ["-qR", drvPath]).trim().split("\n")) {
      if (p.endsWith(".drv")) drvs[p] = readFileSync(p, "utf8");
      else srcs[p] = readFileSync(p, "utf8");
    }
  }
  for (const [drvPath, aterm] of Object.entries(drvs)) {
    const base = drvPath.slice("/nix/store/".length);
    const drv = parseDerivation(aterm, base.slice(33, -4));
    const outs: Record<string, GoldenOutput> = {};
    for (const name of drv.outputs.keys()) {
      const path = "/nix/store/" + derivationOutputPath(drv, name)!;
      outs[name] = {
        path,
        narHash: run("nix-store", ["-q", "--hash", path]).trim(),
        narSize: Number(run("nix-store", ["-q", "--size", path]).trim()),
        references: run("nix-store", ["-q", "--references", path]).trim().split("\n").filter(Boolean).sort(),
      };
    }
    outputs[drvPath] = sortKeys(outs);
  }
  return {
    nixVersion,
    cases: sortKeys(cases),
    drvs: sortKeys(drvs),
    srcs: sortKeys(srcs),
    outputs: sortKeys(outputs),
  };
}
