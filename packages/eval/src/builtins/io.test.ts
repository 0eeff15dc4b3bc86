// readFile, readDir, readFileType, pathExists, toPath over an in-memory EvalIO.
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";

const FILES = { "/p/a.txt": "hello\n", "/p/sub/b.nix": "1", "/p/nul": "a\0b" };

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO(FILES) });
  try {
    return ev.print(ev.evalString(expr, { baseDir: "/p" }), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return "error: " + e.message;
    throw e;
  }
}

describe("file builtins", () => {
  test.each([
    ["builtins.readFile ./a.txt", '"hello\\n"'],
    ['builtins.readFile "/p/a.txt"', '"hello\\n"'],
    ['builtins.readFile { outPath = "/p/a.txt"; }', '"hello\\n"'],
    ["builtins.readFile { __toString = _: ./a.txt; }", '"hello\\n"'],
    ["builtins.readDir ./.", '{ "a.txt" = "regular"; nul = "regular"; sub = "directory"; }'],
    ["builtins.readDir /p/sub", '{ "b.nix" = "regular"; }'],
    ["builtins.readFileType ./sub", '"directory"'],
    ["builtins.readFileType ./a.txt", '"regular"'],
    ["builtins.pathExists ./a.txt", "true"],
    ["builtins.pathExists ./missing", "false"],
    ['builtins.pathExists "/p/a.txt/"', "false"],
    ['builtins.pathExists "/p/a.txt/."', "false"],
    ['builtins.pathExists "/p/sub/"', "true"],
    ['builtins.pathExists "/p/sub/."', "true"],
    ['builtins.pathExists "/p/sub/.."', "true"],
    ['builtins.pathExists "/p//sub/../a.txt"', "true"],
    ['builtins.pathExists (toString ./. + "/sub")', "true"],
    ['builtins.toPath "/p/x/../a.txt"', '"/p/a.txt"'],
    ["builtins.toPath ./sub", '"/p/sub"'],
    ["builtins.isString (builtins.toPath ./sub)", "true"],
  ])("%s", (e, out) => expect(run(e)).toBe(out));

  test.each([
    ["builtins.readFile ./missing", "opening file '/p/missing': No such file or directory"],
    ["builtins.readFile ./sub", "reading file '/p/sub': Is a directory"],
    ["builtins.readFile ./nul", "the contents of the file '/p/nul' cannot be represented as a Nix string"],
    ["builtins.readDir ./missing", "path '/p/missing' does not exist"],
    ["builtins.readDir ./a.txt", "'/p/a.txt' is not a directory"],
    ["builtins.readFileType ./missing", "getting status of '/p/missing': No such file or directory"],
    ['builtins.readFile "a.txt"', "string 'a.txt' doesn't represent an absolute path"],
    ["builtins.pathExists [ ]", "cannot coerce a list to a string: [ ]"],
    ["builtins.pathExists 1", "cannot coerce an integer to a string: 1"],
    ['builtins.toPath "rel"', "string 'rel' doesn't represent an absolute path"],
    [
      "builtins.readFileType { __toString = 1; }",
      "attempt to call something which is not a function but an integer: 1",
    ],
  ])("%s fails", (e, msg) => expect(run(e)).toBe("error: " + msg));

  test("toPath keeps the string context", () => {
    expect(
      run(
        'builtins.hasContext (builtins.toPath (builtins.appendContext "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }))',
      ),
    ).toBe("true");
  });

  test("failing to coerce a path says so in the trace", () => {
    const ev = new Evaluator({ io: createMemoryIO(FILES) });
    try {
      ev.evalString('builtins.readFileType { outPath = "rel"; }');
      expect.unreachable();
    } catch (e) {
      const text = (e as NixError).format({ showTrace: true });
      expect(text).toContain("… while using the `outPath` attribute");
      expect(text).toContain("… while realising the context of a path");
    }
  });
});
