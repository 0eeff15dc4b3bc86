#!/usr/bin/env node
// The benchmark runner: `npm run bench -- [--runs N] [--warmup N] [--only a,b] [--no-nix]
// [--timeout SEC] [--tsnix FILE] [--no-write | --write]`. See bench/README.md.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, loadAverage, nixInstantiateVersion } from "./lib/machine.mjs";
import { chooseMeasurer } from "./lib/measure.mjs";
import { formatRss, formatTime, resultsDocument, resultsTable } from "./lib/report.mjs";
import { errorLine, verdict } from "./lib/outcome.mjs";
import { discoverWorkloads, prepareArgs } from "./lib/workloads.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, ".out");

const USAGE = `usage: node bench/run.mjs [options]
  --runs N         measured runs per tool and workload (default 5)
  --warmup N       warm-up runs per tool, not measured (default 1)
  --only a,b       run only these workloads (file names without extension)
  --no-nix         do not run nix-instantiate even if it is on PATH
  --timeout SEC    kill a run after SEC seconds (default 120)
  --tsnix FILE     the tsnix command (default packages/cli/bin/tsnix; a .js file runs with node)
  --no-write       print the table but leave bench/RESULTS.md alone
  --write          write bench/RESULTS.md even for an --only run (a partial table)`;

function parseOptions(argv) {
  const options = { runs: 5, warmup: 1, only: null, nix: true, timeout: 120, write: null };
  options.tsnix = join(REPO, "packages/cli/bin/tsnix");
  const value = (i) => {
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  const count = (text, flag, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`${flag} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--runs") options.runs = count(value(i++), arg, 1);
    else if (arg === "--warmup") options.warmup = count(value(i++), arg, 0);
    else if (arg === "--only") options.only = value(i++).split(",").filter(Boolean);
    else if (arg === "--no-nix") options.nix = false;
    else if (arg === "--timeout") options.timeout = count(value(i++), arg, 1);
    else if (arg === "--tsnix") options.tsnix = resolve(value(i++));
    else if (arg === "--no-write") options.write = false;
    else if (arg === "--write") options.write = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  // A partial run would replace the full table, so --only prints without writing unless asked.
  options.write ??= options.only == null;
  return options;
}

function fail(message) {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

const log = (message) => process.stderr.write(`${message}\n`);

function makeTool(label, command, measurer, timeoutSec) {
  const tool = { label, runs: [], error: null, outputs: new Set(), stdout: null };
  tool.runOnce = (name, args, measured) => {
    if (tool.error) return;
    const base = join(OUT, "runs", `${name}.${label}`);
    const stdoutPath = `${base}.stdout`;
    const stderrPath = `${base}.stderr`;
    const run = measurer.run([...command, ...args], { stdoutPath, stderrPath, timeoutSec, cwd: OUT });
    const stderr = existsSync(stderrPath) ? readFileSync(stderrPath, "utf8") : "";
    if (run.spawnError) tool.error = `could not start: ${run.spawnError}`;
    else if (run.timedOut) tool.error = `timed out after ${timeoutSec} s`;
    else if (run.signal != null) tool.error = `killed by signal ${run.signal}: ${errorLine(stderr)}`;
    else if (run.exitCode !== 0) tool.error = errorLine(stderr);
    if (tool.error) return;
    const stdout = readFileSync(stdoutPath);
    tool.outputs.add(createHash("sha256").update(stdout).digest("hex"));
    tool.stdout ??= stdout.toString("utf8");
    if (measured) tool.runs.push({ wallMs: run.wallMs, maxRssKiB: run.maxRssKiB });
  };
  return tool;
}

function progress(tool) {
  if (tool.error) return `${tool.label} error: ${tool.error}`;
  const times = tool.runs.map((r) => formatTime(r.wallMs)).join(" ");
  const rss = tool.runs.length ? formatRss(Math.max(...tool.runs.map((r) => r.maxRssKiB ?? 0))) : "";
  return `${tool.label} ${times} (max RSS ${rss})`;
}

async function benchmark(workload, options, measurer, useNix) {
  let args;
  try {
    if (workload.loadError) throw new Error(workload.loadError);
    args = await prepareArgs(workload, OUT);
  } catch (error) {
    const verdict = `workload error: ${error.message}`;
    log(`  ${verdict}`);
    return {
      name: workload.name,
      description: workload.description,
      displayArgs: [],
      nix: null,
      tsnix: null,
      verdict,
    };
  }
  const tsnix = makeTool(
    "tsnix",
    [...(options.tsnix.endsWith(".js") ? [process.execPath] : []), options.tsnix, "instantiate"],
    measurer,
    options.timeout,
  );
  const nix = useNix ? makeTool("nix-instantiate", ["nix-instantiate"], measurer, options.timeout) : null;
  const tools = nix ? [tsnix, nix] : [tsnix];
  for (let i = 0; i < options.warmup; i++) for (const tool of tools) tool.runOnce(workload.name, args, false);
  for (let i = 0; i < options.runs; i++) {
    // Alternate which tool goes first so neither always inherits the other's cache state.
    const order = i % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) tool.runOnce(workload.name, args, true);
  }
  const displayArgs = args.map((a) => (a.startsWith(REPO) ? relative(REPO, a) : a));
  const result = { name: workload.name, description: workload.description, displayArgs, nix, tsnix };
  result.verdict = verdict(workload, nix, tsnix);
  log(`  ${tools.map(progress).join("; ")}\n  output: ${result.verdict}`);
  return result;
}

async function main() {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  mkdirSync(join(OUT, "runs"), { recursive: true });
  const nixVersion = options.nix ? nixInstantiateVersion() : null;
  if (options.nix && !nixVersion) log("bench: nix-instantiate not on PATH; measuring tsnix alone");
  if (!existsSync(options.tsnix)) log(`bench: ${options.tsnix} does not exist; tsnix runs will fail`);
  const measurer = chooseMeasurer();
  log(`bench: measuring with ${measurer.name}`);
  const machine = describeMachine(REPO, nixVersion);
  const workloads = await discoverWorkloads(join(BENCH, "workloads"), options.only);
  const results = [];
  for (const workload of workloads) {
    if (workload.skip) {
      log(`bench: skipping ${relative(REPO, workload.file)}: ${workload.skip}`);
      continue;
    }
    log(`${workload.name}: ${workload.description}`);
    results.push(await benchmark(workload, options, measurer, Boolean(nixVersion)));
  }
  console.log(resultsTable(results));
  if (options.write) {
    const document = resultsDocument({
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      command: ["node bench/run.mjs", ...argv].join(" "),
      machine,
      loadAtEnd: loadAverage(),
      measurer: measurer.name,
      runs: options.runs,
      warmups: options.warmup,
      results,
    });
    writeFileSync(join(BENCH, "RESULTS.md"), document);
    log("bench: wrote bench/RESULTS.md");
  } else if (options.only) log("bench: --only run, bench/RESULTS.md left alone (--write to replace it)");
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
