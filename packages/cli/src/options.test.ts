import { describe, expect, it } from "vitest";
import { FLAGS, SETTINGS, parseEvalArgs, parseInstantiateArgs, type InstantiateOptions } from "./options.js";

function ok(argv: string[]): InstantiateOptions {
  const r = parseInstantiateArgs(argv);
  if (!r.ok) throw new Error(`unexpected error: ${r.message}`);
  return r.options;
}

function err(argv: string[]): string {
  const r = parseInstantiateArgs(argv);
  if (r.ok) throw new Error("expected an error");
  return r.message;
}

describe("nix-instantiate options", () => {
  it("defaults to instantiating ./default.nix-style positional files", () => {
    const o = ok(["a.nix", "b.nix"]);
    expect(o.files).toEqual(["a.nix", "b.nix"]);
    expect(o.evalOnly).toBe(false);
    expect(o.output).toBe("plain");
    expect(o.attrPaths).toEqual([]);
  });

  it("parses the evaluation flags", () => {
    const o = ok(["--eval", "--strict", "--json", "-E", "1 + 1"]);
    expect(o).toMatchObject({
      evalOnly: true,
      strict: true,
      output: "json",
      fromArgs: true,
      files: ["1 + 1"],
    });
    expect(ok(["--xml", "--no-location"])).toMatchObject({ output: "xml", xmlLocation: false });
    expect(ok(["--eval-only"]).evalOnly).toBe(true);
  });

  it("--parse implies --eval, as in Nix", () => {
    expect(ok(["--parse", "-"])).toMatchObject({
      parseOnly: true,
      evalOnly: true,
      readStdin: true,
      files: [],
    });
  });

  it("collects repeatable -A and -I in order", () => {
    const o = ok(["-A", "a.b", "--attr", "c", "-I", "x", "--include", "p=y"]);
    expect(o.attrPaths).toEqual(["a.b", "c"]);
    expect(o.includes).toEqual(["x", "p=y"]);
  });

  it("takes two values for --arg and --argstr", () => {
    const o = ok(["--arg", "lib", "import(lang/lib.nix)", "--argstr", "xyzzy", "xyzzy!", "f.nix"]);
    expect(o.autoArgs).toEqual([
      { name: "lib", arg: { kind: "expr", text: "import(lang/lib.nix)" } },
      { name: "xyzzy", arg: { kind: "string", value: "xyzzy!" } },
    ]);
    expect(o.files).toEqual(["f.nix"]);
    expect(err(["--arg", "x"])).toBe("flag '--arg' requires 2 argument(s)");
    expect(err(["-A"])).toBe("flag '-A' requires 1 argument(s)");
  });

  it("rejects unknown flags with Nix's words", () => {
    expect(err(["--foo"])).toBe("unrecognised flag '--foo'");
    expect(err(["--no-such-setting", "1"])).toBe("unrecognised flag '--no-such-setting'");
  });

  it("accepts settings as --option and as flags", () => {
    const o = ok([
      "--option",
      "pure-eval",
      "true",
      "--show-trace",
      "--max-call-depth",
      "100",
      "--no-show-trace",
      "--lint-url-literals",
      "fatal",
      "--extra-experimental-features",
      "a",
      "--extra-experimental-features",
      "b",
      "--impure",
    ]);
    expect(o.settings).toEqual({
      "pure-eval": "false",
      "show-trace": "false",
      "max-call-depth": "100",
      "lint-url-literals": "fatal",
      "experimental-features": "a b",
    });
  });

  it("expands compound short flags and stops at --", () => {
    expect(ok(["-vv"]).verbosity).toBe(2);
    expect(ok(["--", "--eval"])).toMatchObject({ evalOnly: false, files: ["--eval"] });
  });

  it("treats '-' as stdin and other store/mode flags as data", () => {
    const o = ok([
      "-",
      "--read-write-mode",
      "--dry-run",
      "--add-root",
      "r",
      "--store",
      "dummy://",
      "--readonly-mode",
    ]);
    expect(o).toMatchObject({ readStdin: true, readWrite: true, dryRun: true, addRoot: "r", readOnly: true });
    expect(o.settings.store).toBe("dummy://");
  });

  it("has no flag name twice and no flag that shadows a setting", () => {
    const names = FLAGS.flatMap((f) => f.names);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) if (n.startsWith("--")) expect(SETTINGS[n.slice(2)]).toBeUndefined();
  });

  it("gives every test-suite .flags option a meaning", () => {
    // The options used by .flags files of Nix's language tests.
    const o = ok([
      "--lint-absolute-path-literals",
      "warn",
      "--lint-short-path-literals",
      "fatal",
      "--extra-experimental-features",
      "parse-toml-timestamps",
      "--max-call-depth",
      "100",
      "--no-show-trace",
      "--impure",
    ]);
    expect(Object.keys(o.settings).sort()).toEqual(
      [
        "experimental-features",
        "lint-absolute-path-literals",
        "lint-short-path-literals",
        "max-call-depth",
        "pure-eval",
        "show-trace",
      ].sort(),
    );
  });
});

describe("tsnix eval options (nix eval without flakes)", () => {
  it("--expr or --file, then an attribute path; strict by default", () => {
    const r = parseEvalArgs(["--expr", "{ a = 1; }", "a", "--json"]);
    expect(r.ok && r.options).toMatchObject({
      evalOnly: true,
      strict: true,
      fromArgs: true,
      files: ["{ a = 1; }"],
      attrPaths: ["a"],
      output: "json",
    });
    const f = parseEvalArgs(["x.b", "-f", "default.nix", "--raw", "--apply", "s: s"]);
    expect(f.ok && f.options).toMatchObject({
      fromArgs: false,
      files: ["default.nix"],
      attrPaths: ["x.b"],
      apply: "s: s",
    });
  });

  it("refuses flake references, two sources and nix-instantiate-only flags", () => {
    const msg = (argv: string[]) => {
      const r = parseEvalArgs(argv);
      return r.ok ? null : r.message;
    };
    expect(msg(["nixpkgs#hello"])).toMatch(/^flake references \('nixpkgs#hello'\) are not supported/);
    expect(msg(["--expr", "1", "--file", "f"])).toBe("'--file' and '--expr' are exclusive");
    expect(msg(["--expr", "1", "--strict"])).toBe("unrecognised flag '--strict'");
    expect(msg(["--expr", "1", "a", "b"])).toBe("unexpected argument 'b'");
    expect(msg([])).toBe("no expression given; use --expr EXPR or --file FILE");
    expect(parseEvalArgs(["--expr", "1", "--arg", "x", "2", "-I", "p", "--show-trace"]).ok).toBe(true);
  });
});
