#!/usr/bin/env node
// Records golden.json from nix-instantiate (Nix 2.8 here): for every corpus case its drvPath, output
// paths, and the text of every .drv in the drvPath's closure as Nix wrote it to /nix/store.
// Run from the repo root: `node test/derivations/record.mjs` (writes to the real /nix/store).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURES, corpus, needsFeatures, wrap } from "./corpus.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, "fixtures");
const CA_STORE = "/tmp/tsnix-derivations-ca-store";

/** Evaluate one case with nix-instantiate; returns the golden record (or { error }). */
export function recordCase(c, fix = FIX) {
  try {
    const out = execFileSync(
      "nix-instantiate",
      [
        "--read-write-mode",
        "--eval",
        "--strict",
        "--json",
        // Nix 2.8 wants exclusive access to the store database once ca-derivations is on (a schema
        // upgrade), which blocks while any other Nix process runs: only the cases that need it ask.
        // So those cases use a private chroot store (same logical /nix/store paths).
        ...(needsFeatures(c.expr) ? ["--store", CA_STORE, "--extra-experimental-features", FEATURES] : []),
        "-E",
        wrap(c.expr, fix),
      ],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: needsFeatures(c.expr) ? 20_000 : 60_000,
      },
    );
    const r = JSON.parse(out);
    const own = needsFeatures(c.expr);
    const storeArgs = own ? ["--store", CA_STORE, "--extra-experimental-features", FEATURES] : [];
    const closure = execFileSync("nix-store", [...storeArgs, "--query", "--requisites", r.drvPath], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((p) => p.endsWith(".drv"))
      .sort();
    const drvs = {};
    for (const p of closure) drvs[p] = fs.readFileSync(own ? CA_STORE + p : p, "utf8");
    return { name: c.name, drvPath: r.drvPath, outputName: r.outputName, outputs: r.outputs, drvs };
  } catch (e) {
    const msg = String(e.stderr ?? e.message)
      .trim()
      .split("\n")
      .slice(-1)[0];
    return { name: c.name, error: msg };
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = execFileSync("nix-instantiate", ["--version"], { encoding: "utf8" }).trim();
  // `--only NAME...` re-records those cases and keeps the others from the existing file.
  const only = process.argv.indexOf("--only");
  const names = only < 0 ? null : new Set(process.argv.slice(only + 1));
  const file = path.join(here, "golden.json");
  const old =
    names === null
      ? new Map()
      : new Map(JSON.parse(fs.readFileSync(file, "utf8")).cases.map((c) => [c.name, c]));
  const cases = corpus().map((c) =>
    names === null || names.has(c.name) || !old.has(c.name)
      ? { ...recordCase(c), expr: c.expr }
      : old.get(c.name),
  );
  fs.writeFileSync(file, JSON.stringify({ recordedWith: version, cases }, null, 1) + "\n");
  const errors = cases.filter((c) => c.error);
  console.log(`${cases.length} cases recorded (${errors.length} errors) with ${version} -> ${file}`);
  for (const e of errors) console.log(`  ${e.name}: ${e.error}`);
}
