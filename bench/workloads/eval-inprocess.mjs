// Hand-run script (no default export, so the runner skips it): times evaluation of a
// workload in-process, without process start-up, for profiling the evaluator's hot paths.
//
//   npx tsc -b packages/eval
//   node --min-semi-space-size=64 --max-semi-space-size=341 bench/workloads/eval-inprocess.mjs FILE [RUNS]
//   (add --cpu-prof / --heap-prof to profile; FILE is a workload .nix or bench/.out/<name>/default.nix)
//
// The semi-space flags match the CLI's evaluation worker (packages/cli/src/worker-protocol.ts).
// Prints, per run: wall time, CPU time (user+system, all threads, so GC helpers count),
// peak RSS so far, and whether the printed result equals the file's `# bench-expect:`.
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Evaluator } from "../../packages/eval/dist/index.js";

const kind = (d) =>
  d.isFile() ? "regular" : d.isDirectory() ? "directory" : d.isSymbolicLink() ? "symlink" : "unknown";
const io = {
  readFile: (p) => readFileSync(p, "utf8"),
  readFileBytes: (p) => readFileSync(p),
  pathExists: (p) => existsSync(p),
  readFileType: (p) => kind(lstatSync(p)),
  readDir: (p) => new Map(readdirSync(p, { withFileTypes: true }).map((d) => [d.name, kind(d)])),
  getEnv: (name) => process.env[name],
  realPath: (p) => realpathSync(p),
};

const file = resolve(process.argv[2] ?? "");
const runs = Number(process.argv[3] ?? 1);
const expectLine = readFileSync(file, "utf8")
  .split("\n")
  .find((l) => l.startsWith("# bench-expect: "));
for (let r = 0; r < runs; r++) {
  const ev = new Evaluator({ io, searchPath: [] });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = ev.print(ev.forceDeep(ev.evalFile(file)), { strict: true });
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const ok = expectLine === undefined ? "no bench-expect" : expectLine.slice(16) === out ? "ok" : "DIFFERS";
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${file.split("/").slice(-2).join("/")}: wall ${wall.toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, max RSS ${rss.toFixed(0)} MiB, ${ok}`,
  );
}
