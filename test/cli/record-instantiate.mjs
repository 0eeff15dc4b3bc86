// Records instantiate-golden.json: what nix-instantiate prints for each case of
// instantiate.test.ts, and the text of every .drv (and source) it wrote. Run from anywhere:
// `node test/cli/record-instantiate.mjs` (needs nix-instantiate on PATH; Nix 2.8 here).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
export const FIXTURES = `${HERE}fixtures`;

/** Arguments after `nix-instantiate`, run in FIXTURES. */
export const CASES = [
  ["instantiate"],
  ["instantiate", "-A", "app"],
  ["instantiate", "-A", "list"],
  ["instantiate", "-A", "dev"],
  ["instantiate", "-A", "nested"],
  ["instantiate", "-A", "fn", "--argstr", "greeting", "yo"],
  ["instantiate", "-A", "lib", "-A", "more"],
  [
    "-E",
    'derivation { name = "tsnix-cli-e"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "bin" "out" ]; }',
  ],
  ["-E", "[ (import ./instantiate).app.lib ]"],
];

/** Every store path named in `text` that exists (the .drv files and sources a case wrote). */
export function storeFiles(text, read) {
  const out = {};
  const todo = [...text.matchAll(/\/nix\/store\/[0-9a-z]{32}-[^\s!"]+/g)].map((m) => m[0]);
  while (todo.length > 0) {
    const p = todo.pop();
    if (p in out) continue;
    const body = read(p);
    if (body === undefined) continue;
    out[p] = body;
    for (const m of body.matchAll(/\/nix\/store\/[0-9a-z]{32}-[^\s!"\\)]+(?:\.drv)?/g)) todo.push(m[0]);
  }
  return out;
}

const readNix = (p) => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

export function recordLive(args) {
  const stdout = execFileSync("nix-instantiate", ["--no-gc-warning", ...args], {
    cwd: FIXTURES,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { args, stdout, files: storeFiles(stdout, readNix) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = execFileSync("nix-instantiate", ["--version"], { encoding: "utf8" }).trim();
  const cases = CASES.map(recordLive);
  writeFileSync(
    `${HERE}instantiate-golden.json`,
    JSON.stringify({ recordedWith: version, cases }, null, 1) + "\n",
  );
  process.stderr.write(`recorded ${cases.length} cases with ${version}\n`);
}
