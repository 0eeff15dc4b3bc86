// `tsnix test-lang DIR`: runs a Nix language test suite (the layout of Nix's
// tests/functional/lang) the way tests/functional/lang.sh does, against tsnix
// or any nix-instantiate-compatible command.
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { createProgress } from "../progress.js";
import { discoverCases, type TestCase } from "./cases.js";
import { applyRatchet, readExpectedFailures, writeExpectedFailures, type RatchetOutcome } from "./ratchet.js";
import { failureReport, jsonReport, kindTable, ratchetReport, count, totalsLine } from "./report.js";
import { runCase, type CaseResult, type Suite } from "./run-case.js";

export interface TestLangOptions {
  dir: string;
  jobs: number;
  timeout: number;
  nixInstantiate: string | undefined;
  quiet: boolean;
  json: boolean;
  expectedFailures: string | undefined;
  updateExpectedFailures: boolean;
  allowGrowth: boolean;
  filter: string | undefined;
  keep: boolean;
}

export function parseTestLangArgs(argv: readonly string[]): TestLangOptions {
  const a = yargs([...argv])
    .scriptName("tsnix test-lang")
    .usage(
      "$0 DIR [options]\n\nRun a Nix language test suite (tests/functional/lang layout) as lang.sh does.",
    )
    .option("jobs", { alias: "j", type: "number", default: 2, describe: "cases run in parallel" })
    .option("timeout", { type: "number", default: 60, describe: "seconds allowed per case" })
    .option("nix-instantiate", {
      type: "string",
      describe: "command to test instead of tsnix (e.g. nix-instantiate)",
    })
    .option("quiet", { type: "boolean", default: false, describe: "list failing cases without diffs" })
    .option("json", { type: "boolean", default: false, describe: "print a JSON report on stdout" })
    .option("expected-failures", { type: "string", describe: "ratchet file: cases allowed to fail" })
    .option("update-expected-failures", {
      type: "boolean",
      default: false,
      describe: "rewrite the ratchet file",
    })
    .option("allow-growth", { type: "boolean", default: false, describe: "let the ratchet file grow" })
    .option("filter", { type: "string", describe: "only cases whose name matches this regular expression" })
    .option("keep", { type: "boolean", default: false, describe: "keep the outputs directory" })
    .demandCommand(1, 1, "give the test directory (DIR)", "give one test directory")
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseSync();
  return {
    dir: String(a._[0]),
    jobs: Math.max(1, Math.floor(a.jobs)),
    timeout: a.timeout,
    nixInstantiate: a["nix-instantiate"],
    quiet: a.quiet,
    json: a.json,
    expectedFailures: a["expected-failures"],
    updateExpectedFailures: a["update-expected-failures"],
    allowGrowth: a["allow-growth"],
    filter: a.filter,
    keep: a.keep,
  };
}

export const TEST_LANG_USAGE = `Usage: tsnix test-lang DIR [options]

Run a Nix language test suite (the layout of Nix's tests/functional/lang) as lang.sh does.

  -j, --jobs N                 cases run in parallel (default 2)
  --timeout SECONDS            time allowed per case (default 60)
  --nix-instantiate CMD        test CMD instead of tsnix (e.g. nix-instantiate)
  --quiet                      list failing cases without diffs
  --json                       print a JSON report on stdout
  --filter REGEX               only cases whose name matches
  --expected-failures FILE     ratchet: only cases listed there may fail
  --update-expected-failures   rewrite FILE without the cases that now pass
  --allow-growth               with the above: also add new failures
  --keep                       keep the outputs directory
`;

/** The launcher users run (main-thread evaluation where the stack limit can be raised). */
const TSNIX_BIN = fileURLToPath(new URL("../../bin/tsnix", import.meta.url));

/** The environment lang.sh's cases see (common/vars.sh, common/init.sh, lang.sh). */
function suiteEnv(root: string, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "NIX_PATH" || k === "NIX_USER_CONF_FILES" || k.startsWith("XDG_")) continue;
    env[k] = v;
  }
  Object.assign(env, {
    TEST_VAR: "foo",
    NIX_REMOTE: "dummy://",
    NIX_STORE_DIR: "/nix/store",
    NIX_CONF_DIR: join(root, "etc"),
    NIX_STATE_DIR: join(root, "var/nix"),
    NIX_LOCALSTATE_DIR: join(root, "var"),
    NIX_LOG_DIR: join(root, "var/log/nix"),
    HOME: home,
    PAGER: "cat",
    IMPURE_VAR1: "foo",
    IMPURE_VAR2: "bar",
  });
  return env;
}

const NIX_CONF = (root: string) =>
  [
    "build-users-group =",
    "keep-derivations = false",
    "sandbox = false",
    "experimental-features =",
    "gc-reserved-space = 0",
    "substituters =",
    `flake-registry = ${root}/registry.json`,
    "show-trace = true",
    "",
  ].join("\n");

/** Copies a directory tree, symlinks verbatim, leaving it writable by its owner (so it can be removed). */
function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  const walk = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) chmodSync(p, statSync(p).mode | 0o200);
    }
  };
  walk(to);
}

function setUpSuite(o: TestLangOptions): { suite: Suite; root: string } {
  const langDir = realpathSync(resolve(o.dir));
  const root = realpathSync(mkdtempSync(join(tmpdir(), "tsnix-lang-")));
  let pwd: string;
  if (basename(langDir) === "lang") pwd = dirname(langDir);
  else {
    // The cases refer to their directory as `lang/` and some hash `./.`: give
    // them a real directory of that name, a copy (symlinks kept as symlinks).
    pwd = join(root, "pwd");
    mkdirSync(pwd);
    copyTree(langDir, join(pwd, "lang"));
  }
  const outDir = join(root, "out");
  const home = join(root, "test-home");
  for (const d of [outDir, home, join(root, "etc"), join(root, "var/log/nix/drvs"), join(root, "var/nix")])
    mkdirSync(d, { recursive: true });
  writeFileSync(join(root, "etc", "nix.conf"), NIX_CONF(root));
  const command = o.nixInstantiate
    ? o.nixInstantiate.split(/\s+/).filter(Boolean)
    : [TSNIX_BIN, "instantiate"];
  return {
    root,
    // PWD as a shell that cd'ed there would have it.
    suite: {
      langDir,
      pwd,
      outDir,
      command,
      env: { ...suiteEnv(root, home), PWD: pwd },
      timeoutMs: o.timeout * 1000,
    },
  };
}

async function runPool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

export async function testLang(o: TestLangOptions): Promise<number> {
  if (!existsSync(o.dir)) {
    process.stderr.write(`error: test directory '${o.dir}' does not exist\n`);
    return 1;
  }
  if (o.updateExpectedFailures && !o.expectedFailures) {
    process.stderr.write("error: --update-expected-failures needs --expected-failures FILE\n");
    return 1;
  }
  const { suite, root } = setUpSuite(o);
  const filter = o.filter ? new RegExp(o.filter) : null;
  const cases: TestCase[] = discoverCases(suite.langDir).filter((c) => !filter || filter.test(c.name));
  const progress = createProgress(process.stderr, { logTo: process.stdout });
  const say = (s: string) => (o.json ? process.stderr.write(s) : progress.log(s));
  // With a ratchet, only unexpected failures get their diffs printed.
  const expected = o.expectedFailures ? readExpectedFailures(o.expectedFailures) : new Set<string>();
  const started = performance.now();
  let finished = 0;
  let failed = 0;

  let results: CaseResult[];
  try {
    results = await runPool(cases, o.jobs, async (c) => {
      const r = await runCase(suite, c);
      finished++;
      if (r.status === "fail") {
        failed++;
        if (!o.json && !expected.has(r.name)) say(o.quiet ? `FAIL: ${r.name}` : failureReport(r));
      }
      progress.update(`[${finished}/${cases.length}] ${failed} failed  ${c.name}`);
      return r;
    });
  } finally {
    progress.done();
    if (!o.keep) rmSync(root, { recursive: true, force: true });
  }
  const ms = Math.round(performance.now() - started);

  let ratchet: RatchetOutcome | null = null;
  if (o.expectedFailures) {
    ratchet = applyRatchet(results, expected, o.allowGrowth);
    if (o.updateExpectedFailures) writeExpectedFailures(o.expectedFailures, ratchet.updated);
  }

  if (o.json) {
    process.stdout.write(JSON.stringify(jsonReport(results, ms, ratchet), null, 2) + "\n");
  } else {
    let s = "\n" + kindTable(results);
    if (ratchet) {
      s += ratchetReport(ratchet);
      if (o.updateExpectedFailures) s += `Updated ${o.expectedFailures} (${ratchet.updated.length} cases).\n`;
    }
    if (o.keep) s += `Outputs kept in ${suite.outDir}\n`;
    s += `took ${(ms / 1000).toFixed(1)} s with ${o.jobs} jobs (${suite.command.join(" ")})\n`;
    s += totalsLine(count(results)) + "\n";
    process.stdout.write(s);
  }
  if (ratchet) return ratchet.failed ? 1 : 0;
  return count(results).fail > 0 ? 1 : 0;
}

export async function testLangMain(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(TEST_LANG_USAGE);
    return 0;
  }
  let o: TestLangOptions;
  try {
    o = parseTestLangArgs(argv);
  } catch (e) {
    process.stderr.write(
      `error: ${(e as Error).message}\nTry 'tsnix test-lang --help' for more information.\n`,
    );
    return 1;
  }
  return testLang(o);
}
