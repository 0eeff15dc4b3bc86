// Drives `tsnix test-lang` against a small suite and a fake nix-instantiate
// whose behaviour is known, checking the runner does what lang.sh does.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, CONFORMANCE, hasCommand, tsnix } from "./helpers.js";

// Echoes what lang.sh's environment and arguments look like to the command.
const FAKE = `#!/usr/bin/env node
const fs = require("fs");
const args = process.argv.slice(2);
if (args.includes("--parse")) {
  const text = fs.readFileSync(0, "utf8");
  if (text.includes("FAIL")) { process.stdout.write("out-before\\n"); process.stderr.write("error: parse\\n"); process.exit(1); }
  process.stdout.write(text.trim() + "\\n");
  process.exit(0);
}
const file = args[args.length - 1];
const what = fs.readFileSync(file, "utf8").trim();
switch (what) {
  case "env": console.log([process.env.TEST_VAR, process.env.HOME, process.env.NIX_PATH, process.env.NIX_STORE_DIR].join(" ")); break;
  case "pwd": console.log(process.cwd() + "/" + file); console.error("warning: at " + process.cwd()); break;
  case "args": console.error(args.join(" ")); process.exit(1);
  case "hang": setTimeout(() => {}, 100000); break;
  default: console.log(what);
}
`;

function writeSuite(): { dir: string; fake: string } {
  const root = mkdtempSync(join(tmpdir(), "tsnix-test-lang-"));
  const dir = join(root, "suite"); // not named "lang": the runner provides lang/
  mkdirSync(dir);
  const files: Record<string, string> = {
    "parse-okay-echo.nix": "hello",
    "parse-okay-echo.exp": "hello\n",
    "parse-fail-bad.nix": "FAIL",
    "parse-fail-bad.err.exp": "out-before\nerror: parse\n",
    "eval-okay-env.nix": "env",
    "eval-okay-env.exp": "foo /fake-home lang/dir3:lang/dir4 /nix/store\n",
    "eval-okay-pwd.nix": "pwd",
    "eval-okay-pwd.exp": "/pwd/lang/eval-okay-pwd.nix\n",
    "eval-okay-pwd.err.exp": "warning: at /pwd\n",
    "eval-okay-wrong.nix": "actual",
    "eval-okay-wrong.exp": "expected\n",
    "eval-okay-off.nix": "x",
    "eval-okay-off.exp-disabled": "",
    "eval-okay-post.nix": "12345",
    "eval-okay-post.exp": "<n>\n",
    "eval-okay-post.postprocess": 'sed -i -e "s/[0-9][0-9]*/<n>/" "$1.out"\n',
    "eval-fail-args.nix": "args",
    "eval-fail-args.err.exp": "--eval --strict --show-trace lang/eval-fail-args.nix\n",
    "eval-fail-flags.nix": "args",
    "eval-fail-flags.flags": "--eval # comment\n  --max-call-depth 100",
    "eval-fail-flags.err.exp": "--eval --max-call-depth 100 lang/eval-fail-flags.nix\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const fake = join(root, "fake-nix-instantiate");
  writeFileSync(fake, FAKE);
  chmodSync(fake, 0o755);
  return { dir, fake };
}

beforeAll(buildCli);

describe("tsnix test-lang", () => {
  const { dir, fake } = writeSuite();
  const run = (...extra: string[]) => tsnix(["test-lang", dir, "--nix-instantiate", fake, ...extra]);

  it("runs each kind as lang.sh does and ends with the counts line", () => {
    const r = run();
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[lines.length - 1]).toBe("7 passed, 1 failed, 1 skipped");
    expect(r.stdout).toMatch(/parse-okay\s+1 passed\s+0 failed\s+0 skipped/);
    expect(r.stdout).toMatch(/parse-fail\s+1 passed\s+0 failed/);
    expect(r.stdout).toMatch(/eval-okay\s+3 passed\s+1 failed\s+1 skipped/);
    expect(r.stdout).toMatch(/eval-fail\s+2 passed\s+0 failed/);
    expect(r.stdout).toContain(
      "FAIL: eval-okay-wrong: output differs\n--- lang/eval-okay-wrong.exp\n+++ eval-okay-wrong.out\n@@ -1 +1 @@\n-expected\n+actual\n",
    );
    expect(r.status).toBe(1);
  });

  it("--quiet lists names only; --json reports every case", () => {
    const q = run("--quiet");
    expect(q.stdout).toContain("FAIL: eval-okay-wrong\n");
    expect(q.stdout).not.toContain("@@");
    const j = run("--json");
    const report = JSON.parse(j.stdout);
    expect(report.totals).toEqual({ pass: 7, fail: 1, skip: 1 });
    expect(report.byKind["eval-okay"]).toEqual({ pass: 3, fail: 1, skip: 1 });
    expect(report.cases.find((c: { name: string }) => c.name === "eval-okay-wrong").details).toContain(
      "+actual",
    );
  });

  it("fails a case on the wrong exit code and on timeouts", () => {
    writeFileSync(join(dir, "eval-okay-hang.nix"), "hang");
    writeFileSync(join(dir, "eval-fail-zero.nix"), "x");
    try {
      const r = run("--timeout", "1", "--filter", "hang|zero", "--quiet");
      expect(r.stdout).toContain("FAIL: eval-okay-hang");
      expect(r.stdout).toContain("FAIL: eval-fail-zero");
      expect(r.stdout.trimEnd().split("\n").pop()).toBe("0 passed, 2 failed");
      const j = JSON.parse(run("--timeout", "1", "--filter", "hang|zero", "--json").stdout);
      const reasons = Object.fromEntries(
        j.cases.map((c: { name: string; reason: string }) => [c.name, c.reason]),
      );
      expect(reasons["eval-okay-hang"]).toBe("timed out after 1 s");
      expect(reasons["eval-fail-zero"]).toBe("exit code 0, expected 1");
    } finally {
      for (const f of ["eval-okay-hang.nix", "eval-fail-zero.nix"]) rmSync(join(dir, f));
    }
  });

  it("ratchets on an expected-failures file", () => {
    const list = join(dir, "..", "expected.txt");
    writeFileSync(list, "# known\neval-okay-wrong\n");
    const ok = run("--expected-failures", list);
    expect(ok.status).toBe(0);

    writeFileSync(list, "eval-okay-env\n");
    const bad = run("--expected-failures", list);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("New failures (not in the expected-failures list):\n  eval-okay-wrong\n");
    expect(bad.stdout).toContain(
      "Now passing (listed as expected failures; run with --update-expected-failures):\n  eval-okay-env\n",
    );

    writeFileSync(list, "eval-okay-env\neval-okay-wrong\n");
    const upd = run("--expected-failures", list, "--update-expected-failures");
    expect(upd.status).toBe(0);
    const kept = readFileSync(list, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(kept).toEqual(["eval-okay-wrong"]);
  });

  it("rejects bad usage", () => {
    expect(tsnix(["test-lang"]).status).toBe(1);
    expect(tsnix(["test-lang", dir, "--bogus"]).stderr).toMatch(/^error: Unknown argument: bogus/);
    expect(tsnix(["test-lang", "/nonexistent-dir"]).stderr).toContain("does not exist");
  });
});

describe.runIf(hasCommand("nix-instantiate") && existsSync(CONFORMANCE))(
  "tsnix test-lang with the real Nix",
  () => {
    it("passes cases that depend on the harness's environment, search path and working directory", () => {
      const r = tsnix([
        "test-lang",
        CONFORMANCE,
        "--nix-instantiate",
        "nix-instantiate",
        "--filter",
        "^eval-okay-(search-path|autoargs|getenv|path|xml|closure|functionargs)$",
      ]);
      expect(r.stdout.trimEnd().split("\n").pop()).toBe("7 passed, 0 failed");
    });
  },
);
