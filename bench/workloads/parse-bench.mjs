// In-process parse throughput of @tsnix/parser (build it first: npx tsc -b packages/parser).
//   node bench/workloads/parse-bench.mjs /tmp/tsnix-parse-corpus.nix [runs]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { parse } = await import(join(here, "../../packages/parser/dist/index.js"));
const file = process.argv[2] ?? "/tmp/tsnix-parse-corpus.nix";
const runs = Number(process.argv[3] ?? 5);
const text = readFileSync(file, "utf8");
const bytes = Buffer.byteLength(text);
const opts = { path: file, origin: "file", baseDir: dirname(file) };
// The first parse (cold: the parser is built and the JIT has not warmed up yet) is what a
// whole `--parse` process pays; it is reported on its own.
const coldCpu0 = process.cpuUsage();
const coldT0 = performance.now();
parse(text, opts);
const coldWall = performance.now() - coldT0;
const coldCpuUsage = process.cpuUsage(coldCpu0);
const coldCpu = (coldCpuUsage.user + coldCpuUsage.system) / 1000;
const times = [];
const cpuTimes = [];
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  parse(text, opts);
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
}
cpuTimes.sort((a, b) => a - b);
times.sort((a, b) => a - b);
const best = times[0];
const median = times[Math.floor(times.length / 2)];
const mbps = (ms) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
console.log(
  `${(bytes / 1e6).toFixed(1)} MB: first (cold) parse wall ${coldWall.toFixed(0)} ms, cpu ${coldCpu.toFixed(0)} ms; then wall best ${best.toFixed(0)} ms (${mbps(best)} MB/s), median ${median.toFixed(0)} ms (${mbps(median)} MB/s); ` +
    `cpu (user+sys, incl. GC threads) best ${cpuTimes[0].toFixed(0)} ms (${mbps(cpuTimes[0])} MB/s)`,
);
