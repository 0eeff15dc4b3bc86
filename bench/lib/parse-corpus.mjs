// A ~10 MB Nix file for parser benchmarks: the conformance suite's parse-okay and
// eval-okay expressions, each in parentheses, as one list `[ (…) (…) … ]`, repeated
// to the target size. Files that tsnix or (when checked) `nix-instantiate --parse`
// rejects are left out, so both accept the result.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The upstream language suite: $NIX_LANG_SUITE, else ../shared beside the repository. */
export function languageSuite() {
  return process.env.NIX_LANG_SUITE ?? resolve(repo, "../shared/conformance/nix-lang");
}

function nixAccepts(text) {
  try {
    execFileSync("nix-instantiate", ["--parse", "-"], { input: text, stdio: ["pipe", "ignore", "ignore"] });
    return true;
  } catch {
    return false;
  }
}

/** Writes the corpus to `out`; returns its size in bytes and the number of distinct expressions. */
export async function writeParseCorpus(
  out,
  { targetBytes = 10 * 1024 * 1024, checkNix = true, suite = languageSuite() } = {},
) {
  const { parse } = await import(join(repo, "packages/parser/dist/index.js"));
  const pieces = [];
  for (const name of readdirSync(suite).sort()) {
    if (!/^(parse|eval)-okay-.*\.nix$/.test(name)) continue;
    const item = `(\n${readFileSync(join(suite, name), "utf8")}\n)`;
    try {
      parse(`[ ${item} ]`, { origin: "stdin", baseDir: suite });
    } catch {
      continue;
    }
    if (checkNix && !nixAccepts(`[ ${item} ]`)) continue;
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
  return { size, expressions: pieces.length };
}
