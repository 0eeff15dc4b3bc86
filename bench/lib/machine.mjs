// Describes the machine and toolchain a benchmark ran on.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function firstLine(command, args, cwd) {
  const result = spawnSync(command, args, { encoding: "utf8", cwd, timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim().split("\n")[0] : null;
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match) return match[1].trim();
  } catch {
    // not Linux; fall through
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** The 1, 5 and 15 minute load averages. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

export function describeMachine(repo, nixVersion) {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nix: nixVersion ?? "not found",
    commit: firstLine("git", ["rev-parse", "--short", "HEAD"], repo) ?? "no commit",
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}

/** `nix-instantiate --version`'s output, or null when it is not on PATH. */
export function nixInstantiateVersion() {
  return firstLine("nix-instantiate", ["--version"]);
}
