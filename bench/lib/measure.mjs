// Runs one command as a whole process and measures its wall time and peak RSS.
//
// Node cannot read a child's rusage, so the command runs under a measuring parent:
//   1. python3 + lib/measure.py (os.posix_spawnp + os.wait4: exact ru_maxrss, and the
//      clock excludes the interpreter's own start-up), else
//   2. GNU /usr/bin/time -f %M over coreutils timeout (peak RSS; wall time from Node's clock), else
//   3. Node alone (wall time only; peak RSS reported as unknown).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MEASURE_PY = join(dirname(fileURLToPath(import.meta.url)), "measure.py");

function works(command, args) {
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 10_000 });
  return result.status === 0;
}

/** Every method that works on this machine, best first: { name, run(command, options) }. */
export function availableMeasurers() {
  const measurers = [];
  if (works("python3", ["-c", "import os, signal; os.posix_spawnp; os.wait4; signal.setitimer"])) {
    measurers.push({ name: "python3 os.wait4 (lib/measure.py)", run: runWithPython });
  }
  if (existsSync("/usr/bin/time") && works("/usr/bin/time", ["-f", "%M", "timeout", "5", "true"])) {
    measurers.push({ name: "GNU /usr/bin/time -f %M", run: runWithGnuTime });
  }
  measurers.push({ name: "node only (peak RSS unknown)", run: runPlain });
  return measurers;
}

export const chooseMeasurer = () => availableMeasurers()[0];

function runWithPython(command, { stdoutPath, stderrPath, timeoutSec, cwd }) {
  const result = spawnSync(
    "python3",
    [MEASURE_PY, String(timeoutSec), stdoutPath, stderrPath, "--", ...command],
    { cwd, encoding: "utf8", timeout: (timeoutSec + 30) * 1000 },
  );
  const line = (result.stdout ?? "").trim().split("\n").pop();
  let report;
  try {
    report = JSON.parse(line);
  } catch {
    return { spawnError: `measure.py failed: ${(result.stderr ?? "").trim().split("\n").pop()}` };
  }
  if (report.spawnError) return { spawnError: report.spawnError };
  return {
    wallMs: report.wallMs,
    maxRssKiB: report.maxRssKiB,
    exitCode: report.exitCode ?? null,
    signal: report.signal ?? null,
    timedOut: report.timedOut,
  };
}

function withOutputFiles(stdoutPath, stderrPath, body) {
  const out = openSync(stdoutPath, "w");
  const err = openSync(stderrPath, "w");
  try {
    return body(out, err);
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

function fromSpawnResult(result, wallMs, maxRssKiB) {
  if (result.error && result.error.code !== "ETIMEDOUT") return { spawnError: result.error.message };
  return {
    wallMs,
    maxRssKiB,
    exitCode: result.status,
    signal: result.signal ?? null,
    timedOut: result.error?.code === "ETIMEDOUT",
  };
}

function runWithGnuTime(command, { stdoutPath, stderrPath, timeoutSec, cwd }) {
  const rssPath = `${stdoutPath}.rss`;
  return withOutputFiles(stdoutPath, stderrPath, (out, err) => {
    const start = process.hrtime.bigint();
    // time(1) does not pass a kill on to its child, so coreutils timeout(1) enforces the limit.
    const timed = ["timeout", "-s", "KILL", String(timeoutSec), ...command];
    const result = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssPath, ...timed], {
      cwd,
      stdio: ["ignore", out, err],
      timeout: (timeoutSec + 30) * 1000,
      killSignal: "SIGKILL",
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const lines = existsSync(rssPath) ? readFileSync(rssPath, "utf8").trim().split("\n") : [];
    const rss = Number.parseInt(lines.pop() ?? "", 10);
    const killed = /terminated by signal 9/.test(lines.join("\n")) || result.status === 137;
    const outcome = fromSpawnResult(result, wallMs, Number.isFinite(rss) ? rss : null);
    if (killed && wallMs >= timeoutSec * 1000 * 0.99) return { ...outcome, timedOut: true };
    return outcome;
  });
}

function runPlain(command, { stdoutPath, stderrPath, timeoutSec, cwd }) {
  return withOutputFiles(stdoutPath, stderrPath, (out, err) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(command[0], command.slice(1), {
      cwd,
      stdio: ["ignore", out, err],
      timeout: timeoutSec * 1000,
      killSignal: "SIGKILL",
    });
    return fromSpawnResult(result, Number(process.hrtime.bigint() - start) / 1e6, null);
  });
}
