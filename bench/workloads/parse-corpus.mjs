// Writes the ~10 MB parser corpus (bench/lib/parse-corpus.mjs) for hand-run timing:
//
//   node bench/workloads/parse-corpus.mjs [out.nix] [--mb 10] [--no-nix-check]
//   then: node bench/workloads/parse-bench.mjs out.nix   and   time nix-instantiate --parse out.nix >/dev/null
//
// `npm run bench` measures the same corpus as a whole process beside nix-instantiate (workloads/parse.mjs).
import { resolve } from "node:path";
import { writeParseCorpus } from "../lib/parse-corpus.mjs";

const args = process.argv.slice(2);
const out = resolve(
  args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "/tmp/tsnix-parse-corpus.nix",
);
const mbIndex = args.indexOf("--mb");
const { size, expressions } = await writeParseCorpus(out, {
  targetBytes: (mbIndex >= 0 ? Number(args[mbIndex + 1]) : 10) * 1024 * 1024,
  checkNix: !args.includes("--no-nix-check"),
});
console.log(`${out}: ${(size / 1048576).toFixed(1)} MiB from ${expressions} expressions`);
