// End-to-end: the runner against stand-in tsnix scripts, one right, one wrong, one broken.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), "..", "run.mjs");
const dir = mkdtempSync(join(tmpdir(), "bench-run-"));
// The runner executes `--tsnix FILE` itself, as it runs bin/tsnix: stand-ins are executable scripts.
const fake = (name, body) => {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env node\n${body}\n`, { mode: 0o755 });
  return path;
};
// `startup` evaluates `1`; these stand-ins answer it without evaluating anything.
const right = fake("right.mjs", 'process.stdout.write("1\\n");');
const wrong = fake("wrong.mjs", 'process.stdout.write("2\\n");');
const broken = fake("broken.mjs", 'console.error("error: not implemented yet"); process.exit(1);');
const hasNix = spawnSync("nix-instantiate", ["--version"]).status === 0;

function bench(tsnix, ...extra) {
  const result = spawnSync(
    process.execPath,
    [RUNNER, "--only", "startup", "--runs", "2", "--no-write", "--tsnix", tsnix, ...extra],
    { encoding: "utf8" },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split("\n").find((line) => line.startsWith("| startup |"));
}

test("without nix, tsnix's figures are printed and its output checked against bench-expect", () => {
  const row = bench(right, "--no-nix");
  assert.match(row, /^\| startup \| — \| — \| [\d.]+ ms \| [\d.]+ MiB \| — \| — \| as expected \|$/);
  assert.match(bench(wrong, "--no-nix"), /output differs from bench-expect/);
});

test("a failing tsnix is an error row with its stderr line, not a crash", () => {
  assert.match(
    bench(broken, "--no-nix"),
    /\| error \| error \|.*tsnix error: error: not implemented yet \|$/,
  );
});

test(
  "with nix, outputs are compared and ratios computed",
  { skip: !hasNix && "nix-instantiate not on PATH" },
  () => {
    assert.match(
      bench(right),
      /^\| startup \| [\d.]+ ms \| [\d.]+ MiB \| [\d.]+ ms \| [\d.]+ MiB \| [\d.]+× \(.+\) \| [\d.]+× \(.+\) \| same \|$/,
    );
    assert.match(bench(wrong), /\| output differs \|$/);
  },
);
