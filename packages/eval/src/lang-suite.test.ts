// In-process runner for the upstream Nix language tests (eval-okay / eval-fail),
// reading ../shared/conformance/nix-lang (beside the repository) in place. The directory is presented
// to the evaluator as /pwd/lang, as Nix's test harness does. The cases run in a
// worker with a big stack (see ../test-support/lang-runner.ts), as in the CLI.
//
// Ratchet: every case named in lang-suite.passing.txt must pass (that list may
// only grow). Set LANG_SUITE_REPORT=/some/file.json to write per-case results.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, test } from "vitest";
import { LANG_SUITE } from "../../../test/shared-data.js";

const SUITE = LANG_SUITE;
const here = path.dirname(fileURLToPath(import.meta.url));
const PASSING_FILE = path.join(here, "lang-suite.passing.txt");

interface CaseResult {
  name: string;
  status: "pass" | "fail" | "skip";
  detail?: string;
}

function allCases(): string[] {
  return fs
    .readdirSync(SUITE)
    .filter((f) => /^eval-(okay|fail)-.*\.nix$/.test(f))
    .sort();
}

function readPassing(): string[] {
  if (!fs.existsSync(PASSING_FILE)) return [];
  return fs
    .readFileSync(PASSING_FILE, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

async function runAll(): Promise<Map<string, CaseResult>> {
  const packages = path.resolve(here, "../..");
  const bundle = await esbuild.build({
    entryPoints: [path.resolve(here, "../test-support/lang-runner.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "tsnix-workspace",
        setup(build) {
          build.onResolve({ filter: /^@tsnix\// }, (args) => ({
            path: path.join(packages, args.path.slice("@tsnix/".length), "src/index.ts"),
          }));
        },
      },
    ],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-lang-suite-"));
  const file = path.join(dir, "runner.mjs");
  fs.writeFileSync(file, bundle.outputFiles[0]!.text);
  v8.setFlagsFromString("--min-semi-space-size=16");
  const results = await new Promise<CaseResult[]>((resolve, reject) => {
    const w = new Worker(pathToFileURL(file), {
      workerData: { files: allCases(), suite: SUITE },
      resourceLimits: { stackSizeMb: 256 },
    });
    w.once("message", (m: CaseResult[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once("error", reject);
  });
  return new Map(results.map((r) => [r.name + ".nix", r]));
}

describe.skipIf(!fs.existsSync(SUITE))("nix-lang conformance (in-process)", () => {
  let results = new Map<string, CaseResult>();
  beforeAll(async () => {
    results = await runAll();
  }, 600_000);
  const get = (file: string): CaseResult =>
    results.get(file) ?? { name: file, status: "fail", detail: "not run" };

  test("ratchet: every case in lang-suite.passing.txt passes", () => {
    const failures: string[] = [];
    for (const name of readPassing()) {
      const r = get(name + ".nix");
      if (r.status !== "pass") failures.push(`${name}: ${r.detail ?? r.status}`);
    }
    expect(failures).toEqual([]);
  });

  test("report counts over the whole suite", () => {
    const all = allCases().map(get);
    const count = (prefix: string, s: CaseResult["status"]) =>
      all.filter((r) => r.name.startsWith(prefix) && r.status === s).length;
    const summary = {
      okay: {
        pass: count("eval-okay", "pass"),
        fail: count("eval-okay", "fail"),
        skip: count("eval-okay", "skip"),
      },
      fail: {
        pass: count("eval-fail", "pass"),
        fail: count("eval-fail", "fail"),
        skip: count("eval-fail", "skip"),
      },
    };
    console.log("nix-lang in-process:", JSON.stringify(summary));
    if (process.env.LANG_SUITE_REPORT)
      fs.writeFileSync(process.env.LANG_SUITE_REPORT, JSON.stringify(all, null, 1));
    const passing = new Set(readPassing());
    const newlyPassing = all.filter((r) => r.status === "pass" && !passing.has(r.name)).map((r) => r.name);
    if (newlyPassing.length > 0)
      console.log(`${newlyPassing.length} passing cases not yet in the ratchet:`, newlyPassing.join(" "));
    expect(summary.okay.pass + summary.fail.pass).toBeGreaterThanOrEqual(passing.size);
  });
});
