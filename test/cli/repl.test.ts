// `tsnix repl`, driven the way a person types: stdin a pipe, and (with
// util-linux's `script`) a pseudo-terminal for prompts, completion, history,
// colours and Ctrl-C.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, evalBuilt, hasCommand, TSNIX, tsnix } from "./helpers.js";

beforeAll(buildCli);

interface Session {
  write(text: string): void;
  end(): void;
  /** Resolves once `re` matches stdout (all of it so far). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** The same for stderr. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Session {
  const p = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env }, cwd });
  let stdout = "";
  let stderr = "";
  p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    p.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  const waitOn = async (stream: () => string, re: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(stream())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${re}; so far: ${JSON.stringify(stream())}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  return {
    write: (t) => void p.stdin.write(t),
    end: () => p.stdin.end(),
    signal: (s) => void p.kill(s),
    done,
    waitFor: (re, timeoutMs = 30_000) => waitOn(() => stdout, re, timeoutMs),
    waitForStderr: (re, timeoutMs = 30_000) => waitOn(() => stderr, re, timeoutMs),
  };
}

/** Minutes of work in little memory: 1e6 sums of 1000 numbers. */
const LONG =
  "builtins.foldl' (a: i: a + builtins.foldl' builtins.add 0 (builtins.genList (j: j) 1000)) 0 (builtins.genList (i: i) 1000000)";

const repl = (args: string[] = [], env: Record<string, string> = {}) =>
  start(process.execPath, [TSNIX, "repl", ...args], env);

/** Processes whose command line contains `text` (from /proc). */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tsnix-repl-"));
}

describe("tsnix repl: command line", () => {
  it("rejects an unknown flag", () => {
    const r = tsnix(["repl", "--bogus"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("error: unrecognised flag '--bogus'\nTry 'nix --help' for more information.\n");
  });
});

describe.runIf(evalBuilt())("tsnix repl", () => {
  it("runs a piped session: bindings, :t, :p, an error, multi-line input, :l, :q", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lib.nix"), "{ fromFile = 41; }");
    const s = repl([], { XDG_DATA_HOME: dir });
    s.write(
      [
        "x = 6",
        "x * 7",
        ":t x",
        ':p { a = { b = [ 1 "s" ]; }; }',
        "{ a = { b = 1; }; c = [ 1 2 ]; d = 3; }",
        '1 + "a"',
        "let y = 2;",
        "in x * y",
        `:l ${join(dir, "lib.nix")}`,
        "fromFile + 1",
        ":q",
        '"not evaluated after :q"',
        "",
      ].join("\n"),
    );
    s.end();
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "", // x = 6
        "42\n",
        "an integer\n",
        '{\n  a = {\n    b = [\n      1\n      "s"\n    ];\n  };\n}\n',
        "{\n  a = { ... };\n  c = [ ... ];\n  d = 3;\n}\n",
        "", // the error
        "12\n",
        "", // :l
        "42\n",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toContain("Type :? for help.\n");
    expect(r.stderr).toContain(
      'error: cannot add a string to an integer\n       at «string»:1:5:\n            1| 1 + "a"\n',
    );
    expect(r.stderr).toContain("Added 1 variables.\nfromFile\n");
    expect(r.stdout + r.stderr).not.toContain("not evaluated");
  });

  it("has :a, :r (reloading a changed file, dropping bindings), :p of a string, :? and unknown commands", async () => {
    const dir = tempDir();
    const file = join(dir, "f.nix");
    writeFileSync(file, "{ v = 1; }");
    const s = repl([file]);
    s.write(':a { z = 10; w = "s"; }\nz + v\nb = 5\n');
    await s.waitFor(/11\n\n\n$/);
    writeFileSync(file, "{ v = 2; }");
    s.write(':r\nv\nb\n:p "two\\nlines"\n:?\n:nope\n');
    s.end();
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\n2\n\n\n"); // :r then v
    expect(r.stdout).toContain("two\nlines\n\n");
    expect(r.stdout).toContain(":t <expr>                    Describe result of evaluation\n");
    expect(r.stderr).toContain("Loading '" + file + "'...\nAdded 1 variables.\nv\n");
    expect(r.stderr).toContain("Added 2 variables.\nw, z\n");
    expect(r.stderr).toContain("error: undefined variable 'b'"); // :r dropped the binding
    expect(r.stderr).toContain("error: unknown command ':nope'\n");
  });

  it("keeps going after Ctrl-C interrupts a long evaluation, with its bindings", async () => {
    const s = repl();
    s.write("x = 7\n");
    await s.waitFor(/^\n$/); // bound: the worker is up
    s.write(`${LONG}\n`);
    await new Promise((r) => setTimeout(r, 1500));
    s.signal("SIGINT");
    s.write("x * 6\n");
    s.end();
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("error: interrupted by the user\n");
    expect(r.stdout).toContain("42\n\n");
  }, 60_000);

  it("evaluates deep recursion as the CLI does (worker with a big stack)", async () => {
    const s = repl(["--max-call-depth", "2000000"]);
    s.write("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000\n");
    s.end();
    const r = await s.done;
    expect(r.stderr).not.toContain("error");
    expect(r.stdout).toContain("1000000\n");
  }, 120_000);

  describe.runIf(hasCommand("script"))("on a terminal (script -q -c)", () => {
    it("prompts, completes names and attribute paths, colours values, keeps history, survives Ctrl-C", async () => {
      const dir = tempDir();
      const s = start("script", ["-q", "-c", `${process.execPath} ${TSNIX} repl`, "/dev/null"], {
        XDG_DATA_HOME: dir,
        TERM: "xterm",
      });
      const prompts = (n: number) => new RegExp(`(nix-repl> [^]*){${n}}`);
      await s.waitFor(prompts(1));
      s.write("myAttrs = { alpha = 1; beta = 2; }\r");
      await s.waitFor(prompts(2));
      s.write("myAttrs.al");
      await new Promise((r) => setTimeout(r, 300));
      s.write("\t");
      await new Promise((r) => setTimeout(r, 500));
      s.write("\r");
      await s.waitFor(/\x1b\[36;1m1\x1b\[0m/); // the value of myAttrs.alpha, in colour
      s.write("builtins.toJS");
      await new Promise((r) => setTimeout(r, 300));
      s.write("\t");
      await new Promise((r) => setTimeout(r, 500));
      s.write(" 5\r");
      await s.waitFor(/\x1b\[35;1m"5"\x1b\[0m/);
      s.write("{ a = 1;\r");
      await s.waitFor(/\x1b\[0J {10}\x1b/); // the continuation prompt
      s.write("b = 2; }\r");
      await s.waitFor(/b = \x1b\[36;1m2\x1b\[0m;/);
      s.write(`${LONG}\r`);
      await new Promise((r) => setTimeout(r, 2000));
      s.write("\x03");
      await s.waitFor(/interrupted by the user/);
      s.write("myAttrs.beta\r");
      await s.waitFor(/\x1b\[36;1m2\x1b\[0m\r?\n/);
      s.write("\x04");
      const r = await s.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("myAttrs.alpha");
      expect(r.stdout).toContain("builtins.toJSON 5");
      const history = readFileSync(join(dir, "tsnix", "repl-history"), "utf8");
      expect(history).toContain("myAttrs.alpha\nbuiltins.toJSON 5\n");
    }, 90_000);
  });
});

/** A derivation whose builder is /bin/sh running `script`. */
const shDrv = (name: string, script: string) =>
  `derivation { name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" ${JSON.stringify(script)} ]; }`;

describe.runIf(evalBuilt() && hasCommand("bwrap"))("tsnix repl: builds (:b, :bl, :log, IFD)", () => {
  /** A REPL on a temporary store (sandboxed builds), in a temporary cwd, without the machine's nix.conf. */
  function storeRepl() {
    const dir = tempDir();
    const store = join(dir, "store");
    const env = { NIX_CONF_DIR: dir, NIX_USER_CONF_FILES: "" };
    const s = start(
      process.execPath,
      [TSNIX, "repl", "--store", store, "--option", "sandbox", "true"],
      env,
      dir,
    );
    return { dir, store, s };
  }

  it(":b builds and lists the outputs, :bl adds repl-result-<output> links, :log shows the log", async () => {
    const { dir, store, s } = storeRepl();
    s.write(
      [
        `d = ${shDrv("hello", "echo building-hello; echo hi > $out")}`,
        ":b d",
        ":bl d",
        ":log d",
        ":b 1 + 1",
        ":i d",
        "",
      ].join("\n"),
    );
    s.end();
    const r = await s.done;
    expect(r.code).toBe(0);
    const m =
      /^\nThis derivation produced the following outputs:\n {2}out -> (\/nix\/store\/[0-9a-z]{32}-hello)\n\n/.exec(
        r.stdout.slice(1), // the binding's empty line
      );
    expect(m, r.stdout + r.stderr).not.toBeNull();
    const out = m![1]!;
    expect(readFileSync(join(store, out), "utf8")).toBe("hi\n");
    expect(r.stdout).toBe(
      [
        "", // d = ...
        "\nThis derivation produced the following outputs:\n  out -> " + out + "\n",
        "\nThis derivation produced the following outputs:\n  ./repl-result-out -> " + out + "\n",
        "building-hello\n", // :log
        "", // :b of a non-derivation
        "", // :i
        "", // Ctrl-D
        "",
      ].join("\n"),
    );
    expect(readlinkSync(join(dir, "repl-result-out"))).toBe(join(store, out));
    const drv = /building '(\/nix\/store\/[0-9a-z]{32}-hello\.drv)'\.\.\./.exec(r.stderr)?.[1];
    expect(drv).toBeDefined();
    expect(existsSync(join(store, drv!))).toBe(true); // the REPL wrote the .drv, as Nix's does
    expect(r.stderr.match(/building '/g)).toHaveLength(1); // :bl found it built
    expect(r.stderr).toContain("building-hello\n"); // the build's log, as tsnix build shows it
    expect(r.stderr).toContain(`got build log for '${drv}' from 'local?root=${store}'\n`);
    expect(r.stderr).toContain("error: expression does not evaluate to a derivation, so I can't build it\n");
    expect(r.stderr).toContain(`error: ':i' (installing into a profile) is not supported by tsnix yet`);
  }, 120_000);

  it("reports a failing build Nix's way and carries on; :log of it; IFD evaluates", async () => {
    const { s } = storeRepl();
    s.write(
      [
        `bad = ${shDrv("bad", "echo about-to-fail; exit 3")}`,
        ":b bad",
        "6 * 7",
        ":log bad",
        `import (${shDrv("ifd", "echo '{ answer = 40 + 2; }' > $out")})`,
        `:log ${shDrv("never-built", "true")}`,
        "",
      ].join("\n"),
    );
    s.end();
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /error: builder for '\/nix\/store\/[0-9a-z]{32}-bad\.drv' failed with exit code 3;\n {7}last 1 log lines:\n {7}> about-to-fail\n/,
    );
    expect(r.stdout).toBe(["", "", "42\n", "about-to-fail\n", "{ answer = 42; }\n", "", "", ""].join("\n"));
    expect(r.stderr).toMatch(
      /error: build log of '\/nix\/store\/[0-9a-z]{32}-never-built\.drv' is not available\n/,
    );
  }, 120_000);

  it(":b lists every output of a multi-output derivation, sorted by name", async () => {
    const { store, s } = storeRepl();
    s.write(
      ':b derivation { name = "multi"; system = builtins.currentSystem; builder = "/bin/sh"; ' +
        'outputs = [ "out" "dev" "bin" ]; args = [ "-c" "echo o > $out; echo d > $dev; echo b > $bin" ]; }\n',
    );
    s.end();
    const r = await s.done;
    const m =
      /\nThis derivation produced the following outputs:\n {2}bin -> (\S+-multi-bin)\n {2}dev -> (\S+-multi-dev)\n {2}out -> (\S+-multi)\n\n/.exec(
        r.stdout,
      );
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect([1, 2, 3].map((i) => readFileSync(join(store, m![i]!), "utf8"))).toEqual(["b\n", "d\n", "o\n"]);
  }, 120_000);

  it("Ctrl-C during a build cancels it (the builder is killed); the REPL goes on", async () => {
    const marker = `spin-${process.pid}-${Date.now()}`;
    const { s } = storeRepl();
    try {
      s.write("x = 7\n");
      await s.waitFor(/^\n$/);
      // The sandbox has only /bin/sh: a busy loop stands for a long build.
      s.write(`:b ${shDrv("slow", `echo ${marker}; while :; do :; done`)}\n`);
      await s.waitForStderr(new RegExp(marker), 60_000);
      expect(processesWith(marker).length).toBeGreaterThan(0);
      s.signal("SIGINT");
      await s.waitForStderr(/interrupted by the user/);
      s.write(`x * 6\n:b ${shDrv("quick", "echo q > $out")}\n`);
      await s.waitFor(/-quick\n/, 60_000);
      expect(processesWith(marker)).toEqual([]);
      s.end();
      const r = await s.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("42\n\n");
      expect(r.stdout).toMatch(/ {2}out -> \/nix\/store\/[0-9a-z]{32}-quick\n/);
      expect(r.stdout).not.toContain("-slow");
    } finally {
      for (const pid of processesWith(marker)) process.kill(pid, "SIGKILL");
    }
  }, 120_000);
});
