// Parsing 10 MB of Nix: the conformance suite's okay cases, repeated (bench/lib/parse-corpus.mjs).
// Whole process, `--parse` on both sides. Outputs are not compared: Nix 2.8 prints some
// constructs differently from current Nix, whose output tsnix follows (the parse-okay
// conformance cases check that).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeParseCorpus } from "../lib/parse-corpus.mjs";

let haveNix = false;
try {
  (await import("node:child_process")).execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
  haveNix = true;
} catch {
  haveNix = false;
}

export default {
  description: "parsing a 10 MB Nix file (the language suite's okay cases, repeated): `--parse`",
  args: ["--parse", "{file}"],
  compare: false,
  async prepare(outDir) {
    const dir = join(outDir, "parse");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "corpus.nix");
    if (!existsSync(file)) await writeParseCorpus(file, { checkNix: haveNix });
    return file;
  },
};
