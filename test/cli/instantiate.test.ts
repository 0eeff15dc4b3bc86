import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, evalBuilt, hasCommand, parserBuilt, tsnix } from "./helpers.js";
// @ts-expect-error plain ESM module (also the recorder of the golden file)
import { CASES, FIXTURES, recordLive } from "./record-instantiate.mjs";

beforeAll(buildCli);

describe("tsnix instantiate: command line", () => {
  it("rejects an unknown flag exactly as Nix does", () => {
    const r = tsnix(["instantiate", "--foo"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: unrecognised flag '--foo'\nTry 'nix-instantiate --help' for more information.\n",
    );
  });

  it("wants two values after --arg", () => {
    const r = tsnix(["instantiate", "--eval", "-E", "1", "--arg", "x"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "error: flag '--arg' requires 2 argument(s)\nTry 'nix-instantiate --help' for more information.\n",
    );
  });

  it("prints help and version", () => {
    expect(tsnix(["instantiate", "--help"])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining("--eval"),
    });
    expect(tsnix(["instantiate", "--version"]).stdout).toMatch(/^nix-instantiate \(tsnix\) \d+\.\d+\.\d+\n$/);
  });

  it("names unknown subcommands", () => {
    const r = tsnix(["frobnicate"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it("reports a missing file the way Nix does", () => {
    const r = tsnix(["instantiate", "--parse", "/nonexistent/x.nix"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no JS stack trace
  });
});

describe.runIf(parserBuilt())("tsnix instantiate --parse", () => {
  it("shows a parsed expression from stdin and from -E", () => {
    const fromStdin = tsnix(["instantiate", "--parse", "-"], { input: "1 + 2" });
    expect(fromStdin).toMatchObject({ status: 0, stderr: "" });
    const fromArgs = tsnix(["instantiate", "--parse", "-E", "1 + 2"]);
    expect(fromArgs.stdout).toBe(fromStdin.stdout);
    expect(fromStdin.stdout).toBe("(1 + 2)\n");
  });

  it("prints a parse error with its position and exits 1", () => {
    const r = tsnix(["instantiate", "--parse", "-"], { input: "1 +" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain("«stdin»:1:");
  });
});

describe.runIf(evalBuilt())("tsnix instantiate --eval", () => {
  it("evaluates -E and stdin", () => {
    expect(tsnix(["instantiate", "--eval", "-E", "1 + 2"])).toMatchObject({ status: 0, stdout: "3\n" });
    expect(tsnix(["instantiate", "--eval", "-"], { input: '"a" + "b"' }).stdout).toBe('"ab"\n');
  });

  it("--strict, --json, -A and auto-arguments", () => {
    expect(tsnix(["instantiate", "--eval", "--strict", "-E", "{ a = [ (1 + 1) ]; }"]).stdout).toBe(
      "{ a = [ 2 ]; }\n",
    );
    expect(tsnix(["instantiate", "--eval", "--json", "--strict", "-E", "{ a = [ 1 2 ]; }"]).stdout).toBe(
      '{"a":[1,2]}\n',
    );
    expect(tsnix(["instantiate", "--eval", "-E", "{ a.b = 5; }", "-A", "a.b"]).stdout).toBe("5\n");
    expect(
      tsnix(["instantiate", "--eval", "-E", "{ x, y }: x + y", "--arg", "x", "1", "--arg", "y", "2"]).stdout,
    ).toBe("3\n");
    expect(tsnix(["instantiate", "--eval", "-E", "{ s }: s", "--argstr", "s", "hi"]).stdout).toBe('"hi"\n');
  });

  it("evaluates 1e6-deep non-tail recursion (given a max-call-depth that allows it)", () => {
    const r = tsnix([
      "instantiate",
      "--eval",
      "--max-call-depth",
      "2000000",
      "-E",
      "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000",
    ]);
    expect(r).toMatchObject({ status: 0, stdout: "1000000\n" });
  });

  it("prints evaluation errors Nix-style and exits 1", () => {
    const r = tsnix(["instantiate", "--eval", "-E", 'throw "boom"']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error:/);
    expect(r.stderr).toContain("boom");
  });
});

describe.runIf(evalBuilt())("tsnix eval", () => {
  it("prints strictly, selects attributes, --json, --raw and --apply", () => {
    expect(tsnix(["eval", "--expr", "{ a.b = [ (1 + 1) ]; }"])).toMatchObject({
      status: 0,
      stdout: "{ a = { b = [ 2 ]; }; }\n",
    });
    expect(tsnix(["eval", "--expr", "{ a.b = [ (1 + 1) ]; }", "a.b", "--json"]).stdout).toBe("[2]\n");
    expect(tsnix(["eval", "--raw", "--expr", '"x" + "y"']).stdout).toBe("xy");
    expect(tsnix(["eval", "--expr", "{ a = 2; }", "--apply", "x: x.a * 10"]).stdout).toBe("20\n");
  });

  it("rejects flake references with Nix's hint", () => {
    const r = tsnix(["eval", "nixpkgs#hello"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flake references .*\nTry 'nix --help' for more information.\n$/);
  });
});

interface GoldenCase {
  args: string[];
  stdout: string;
  files: Record<string, string>;
}

const golden = JSON.parse(readFileSync(new URL("./instantiate-golden.json", import.meta.url), "utf8")) as {
  recordedWith: string;
  cases: GoldenCase[];
};
const liveNix = process.env.TSNIX_SKIP_LIVE_NIX !== "1" && hasCommand("nix-instantiate");
const GC_WARNING =
  "warning: you did not specify '--add-root'; the result might be removed by the garbage collector\n";

describe.runIf(evalBuilt())("tsnix instantiate (derivations)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tsnix-instantiate-test-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  let n = 0;
  /** A fresh default store (XDG_DATA_HOME) per call; returns the run and where its objects are. */
  const run = (args: string[], opts: { cwd?: string; input?: string } = {}) => {
    const data = join(scratch, `data-${++n}`);
    const r = tsnix(["instantiate", ...args], {
      cwd: opts.cwd ?? FIXTURES,
      env: { ...process.env, XDG_DATA_HOME: data, NIX_PATH: "" },
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    return { ...r, storeDir: join(data, "tsnix/store/nix/store") };
  };
  const stored = (storeDir: string) =>
    existsSync(storeDir) ? readdirSync(storeDir).filter((f) => f !== ".tmp") : [];

  it("golden cases cover the recorder's list", () => {
    expect(golden.recordedWith).toMatch(/^nix-instantiate \(Nix\) 2\.8/);
    expect(golden.cases.map((c) => c.args)).toEqual(CASES);
  });

  it.each(golden.cases.map((c) => [c.args.join(" "), c] as const))(
    "prints what nix-instantiate 2.8 prints and writes the same .drv bytes: %s",
    (_name, c) => {
      const r = run(c.args);
      expect(r.stderr).toBe(GC_WARNING);
      expect(r.stdout).toBe(c.stdout);
      expect(r.status).toBe(0);
      const files = Object.entries(c.files);
      expect(files.length).toBeGreaterThan(0);
      for (const [path, text] of files) {
        const base = path.slice("/nix/store/".length);
        expect(readFileSync(join(r.storeDir, base), "utf8"), base).toBe(text);
      }
    },
  );

  it.runIf(liveNix)("the golden file matches a live nix-instantiate", () => {
    for (const i of [0, 7]) expect(recordLive(golden.cases[i]!.args)).toEqual(golden.cases[i]);
  });

  it("--add-root links each result (PATH, PATH-2, ...) and prints the links", () => {
    const c = golden.cases[0]!;
    const cwd = mkdtempSync(join(scratch, "roots-"));
    const r = tsnix(["instantiate", "--add-root", "r", "--indirect", `${FIXTURES}/instantiate`], {
      cwd,
      env: { ...process.env, XDG_DATA_HOME: join(scratch, "roots-data") },
    });
    expect(r.stderr).toBe("");
    const drvLines = c.stdout.trimEnd().split("\n");
    const base = realpathSync(cwd);
    const links = drvLines.map((_, i) => `${base}/r${i === 0 ? "" : `-${i + 1}`}`);
    expect(r.stdout).toBe(
      drvLines.map((l, i) => links[i]! + (l.includes("!") ? l.slice(l.indexOf("!")) : "")).join("\n") + "\n",
    );
    drvLines.forEach((l, i) => {
      const drvPath = l.replace(/!.*/, "");
      const target = readlinkSync(links[i]!);
      expect(target.endsWith(drvPath.slice("/nix/store".length))).toBe(true);
      expect(readFileSync(target, "utf8")).toBe(c.files[drvPath]);
    });
  });

  it("--dry-run and --readonly-mode compute the same paths without writing", () => {
    const c = golden.cases[0]!;
    for (const flag of ["--dry-run", "--readonly-mode"]) {
      const r = run([flag, ...c.args]);
      expect(r.stdout).toBe(c.stdout);
      expect(stored(r.storeDir)).toEqual([]);
    }
  });

  it("--eval copies sources only with --read-write-mode (as nix-instantiate)", () => {
    const data = Object.keys(golden.cases[0]!.files).find((p) => p.endsWith("-data.txt"))!;
    const ro = run(["--eval", "-E", '"${./instantiate/data.txt}"']);
    expect(ro).toMatchObject({ status: 0, stdout: `"${data}"\n` });
    expect(stored(ro.storeDir)).toEqual([]);
    const rw = run(["--eval", "--read-write-mode", "-E", '"${./instantiate/data.txt}"']);
    expect(rw.stdout).toBe(`"${data}"\n`);
    expect(stored(rw.storeDir)).toEqual([data.slice("/nix/store/".length)]);
  });

  it("--eval -E 1 does not open the store", () => {
    const r = run(["--eval", "-E", "1"]);
    expect(r.stdout).toBe("1\n");
    expect(existsSync(join(r.storeDir, "../.."))).toBe(false);
  });

  it("finds nothing in a set without derivations, and rejects other values as Nix does", () => {
    expect(run(["-E", "{ a = 1; b = { c = derivation { }; }; }"])).toMatchObject({
      status: 0,
      stdout: "",
      stderr: "",
    });
    for (const e of ["null", "[ 1 ]", "x: x"]) {
      const r = run(["-E", e]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "error: expression does not evaluate to a derivation (or a set or list of those)\n",
      );
    }
  });

  it("--store DIR writes to a store rooted at DIR", () => {
    const c = golden.cases[1]!;
    const root = mkdtempSync(join(scratch, "store-"));
    const r = run(["--store", root, ...c.args]);
    expect(r).toMatchObject({ status: 0, stdout: c.stdout });
    for (const [path, text] of Object.entries(c.files))
      expect(readFileSync(join(root, path), "utf8")).toBe(text);
    expect(stored(r.storeDir)).toEqual([]);
  });

  it("--no-gc-warning silences the warning", () => {
    const r = run(["--no-gc-warning", ...golden.cases[1]!.args]);
    expect(r).toMatchObject({ status: 0, stdout: golden.cases[1]!.stdout, stderr: "" });
  });
});
