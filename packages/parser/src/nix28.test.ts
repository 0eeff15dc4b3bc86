// Differential tests against the installed `nix-instantiate --parse` (Nix 2.8)
// on constructs where 2.8 and current Nix print the same thing. Skipped when
// nix-instantiate is not installed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParseError, parse, showExpr } from "./index.js";

function hasNix(): boolean {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), "tsnix-parse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = process.env.HOME ?? "/";

function nixParse(text: string): { ok: boolean; out: string } {
  try {
    const out = execFileSync("nix-instantiate", ["--parse", "-"], {
      input: text,
      cwd: dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    return { ok: true, out: out.toString().trimEnd() };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: Buffer }).stderr ?? "") };
  }
}

const AGREE = [
  "1 + 2 * 3 - 4 / 5",
  "-1",
  "- - 1",
  "a: b: !a + b",
  "a: b: !a == b",
  "x: -x ? y",
  "a: b: a ++ b ++ a",
  "a: a // a // a",
  "a: a -> a -> a",
  "a: a || a && a",
  "a: b: [ (a < b) (a <= b) (a > b) (a >= b) (a == b) (a != b) ]",
  "a: a ? b ? c",
  "a: a.b.c or 1",
  'a: a.${"b"}.c',
  "f: (f 1) 2",
  "[ 1.5 .5 1.0 100000000.0 0.000012345 1.23456789 1.5e-3 ]",
  "9223372036854775807",
  "''  a\n  b\n''",
  "''\n  a\n    b\n  ''",
  "''a''\\nb''",
  "./a",
  "./a/b/../c",
  "../x",
  "a/b",
  "~/foo",
  "x: ./a/${x}.nix",
  "x: ./a${x}",
  "x: ~/${x}",
  "<nixpkgs>",
  "<a/b> 1",
  "http://x.y/z?a=b",
  "[ x:x ]",
  "{ a.b.c = 1; a.d = 2; }",
  "{ a = { b = 1; }; a.c = 2; }",
  "let { body = 1; }",
  "rec { a = 1; b = a; }",
  '{ "a b" = 1; "${"c"}" = 2; }',
  'x: { ${x} = 1; "a${x}" = 2; }',
  "{ a, b ? 1, ... }@args: a",
  "args@{ a, ... }: a",
  "{ }: 1",
  "{ ... }: 1",
  "{a,}: a",
  "assert true; 1",
  "with {}; x",
  "if true then 1 else 2",
  "__curPos",
  "x: x.or",
  "{ or = 1; }",
  "let or = 1; in 2",
  "a: a.b or a.c or 3",
  '[ (x: x) 1 "a" ]',
  '"\\r\\n"',
  "f: f -1",
  "x: y: x/ y",
  "1/2",
  "{ a = 1; }.a",
  "({ a = 1; }).a.b or 2",
  "let f = x: y: x; in f",
  "map (x: x) [ 1 2 ]",
];

describe.skipIf(!hasNix())("agrees with nix-instantiate --parse (2.8)", () => {
  for (const text of AGREE) {
    it(JSON.stringify(text), () => {
      const nix = nixParse(text);
      expect(nix.ok).toBe(true);
      expect(showExpr(parse(text, { origin: "stdin", baseDir: dir, homeDir: home }))).toBe(nix.out);
    });
  }

  // Syntax errors: 2.8 names tokens differently (INT vs integer) and reports end
  // of file at another place, so compare the error position of other errors.
  const FAILING = [
    "{ a = 1 }",
    "if 1 then 2 ;",
    "{a, b} 1",
    "f let a = 1; in a",
    "1 2 )",
    "x: ./a${x}/",
    "$",
  ];
  for (const text of FAILING) {
    it(`fails like 2.8: ${JSON.stringify(text)}`, () => {
      const nix = nixParse(text);
      expect(nix.ok).toBe(false);
      const nixPos = /at «stdin»:(\d+:\d+)/.exec(nix.out)?.[1];
      let ours: string | undefined;
      try {
        parse(text, { origin: "stdin", baseDir: dir, homeDir: home });
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        ours = `${e.span.line}:${e.span.column}`;
      }
      expect(ours).toBe(nixPos);
    });
  }
});
