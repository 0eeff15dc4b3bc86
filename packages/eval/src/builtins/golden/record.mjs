#!/usr/bin/env node
// Re-records a golden table from the installed nix-instantiate:
//   node packages/eval/src/builtins/golden/record.mjs packages/eval/src/builtins/golden/regex.json
// Each case's `expr` is evaluated with `nix-instantiate --eval --strict -E`; the printed value is
// stored as `output`, or the first line of the error message (without "error: ") as `error`.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

export function runNix(expr) {
  try {
    const out = execFileSync("nix-instantiate", ["--eval", "--strict", "-E", expr], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { output: out.replace(/\n$/, "") };
  } catch (e) {
    const stderr = String(e.stderr ?? "");
    const line = stderr.split("\n").find((l) => l.startsWith("error: ")) ?? stderr;
    return { error: line.replace(/^error: /, "") };
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  const file = process.argv[2];
  const table = JSON.parse(fs.readFileSync(file, "utf8"));
  const version = execFileSync("nix-instantiate", ["--version"], { encoding: "utf8" }).trim();
  table.recordedWith = version;
  table.cases = table.cases.map(({ expr, note }) => ({ expr, ...(note ? { note } : {}), ...runNix(expr) }));
  fs.writeFileSync(file, JSON.stringify(table, null, 2) + "\n");
  console.log(`recorded ${table.cases.length} cases with ${version}`);
}
