// Writes a ~10 MB Nix file for parser benchmarks: the conformance suite's
// parse-okay and eval-okay expressions, each in parentheses, as one list
// `[ (…) (…) … ]`, repeated to the target size. Files that tsnix or (when it is
// installed) `nix-instantiate --parse` rejects are left out, so both accept it.
//
//   node bench/workloads/parse-corpus.mjs [out.nix] [--mb 10] [--no-nix-check]
//   then: node bench/workloads/parse-bench.mjs out.nix   and   time nix-instantiate --parse out.nix >/dev/null
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const out = resolve(
  args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "/tmp/tsnix-parse-corpus.nix",
);
const mbIndex = args.indexOf("--mb");
const targetBytes = (mbIndex >= 0 ? Number(args[mbIndex + 1]) : 10) * 1024 * 1024;
const checkNix = !args.includes("--no-nix-check");
const suite = process.env.NIX_LANG_SUITE ?? "/work/shared/conformance/nix-lang";

const { parse } = await import(join(here, "../../packages/parser/dist/index.js"));

function nixAccepts(text) {
  if (!checkNix) return true;
  try {
    execFileSync("nix-instantiate", ["--parse", "-"], { input: text, stdio: ["pipe", "ignore", "ignore"] });
    return true;
  } catch {
    return false;
  }
}

const pieces = [];
for (const name of readdirSync(suite).sort()) {
  if (!/^(parse|eval)-okay-.*\.nix$/.test(name)) continue;
  const text = readFileSync(join(suite, name), "utf8");
  const item = `(\n${text}\n)`;
  try {
    parse(`[ ${item} ]`, { origin: "stdin", baseDir: suite });
  } catch {
    continue;
  }
  if (!nixAccepts(`[ ${item} ]`)) continue;
  pieces.push(item);
}
if (pieces.length === 0) throw new Error("no usable expressions found in " + suite);

const chunks = ["[\n"];
let size = 2;
while (size < targetBytes) {
  for (const p of pieces) {
    chunks.push(p, "\n");
    size += p.length + 1;
    if (size >= targetBytes) break;
  }
}
chunks.push("]\n");
writeFileSync(out, chunks.join(""));
console.log(`${out}: ${(size / 1048576).toFixed(1)} MiB from ${pieces.length} expressions`);
