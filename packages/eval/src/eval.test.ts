// Table-driven tests of the language constructs, laziness and printing.
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO, type Value } from "./index.js";

function evaluator(files: Record<string, string> = {}, env: Record<string, string> = {}) {
  return new Evaluator({ io: createMemoryIO(files, env), searchPath: [{ prefix: "", path: "/sp" }] });
}

function run(expr: string, strict = true, ev = evaluator()): string {
  return ev.print(ev.evalString(expr, { baseDir: "/dir" }), { strict });
}

function errorOf(expr: string, ev = evaluator()): NixError {
  try {
    ev.print(ev.evalString(expr, { baseDir: "/dir" }), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return e;
    throw e;
  }
  throw new Error(`expected ${expr} to fail`);
}

const constructs: [string, string][] = [
  // literals and arithmetic
  ["1 + 2 * 3", "7"],
  ["7 / 2", "3"],
  ["-7 / 2", "-3"],
  ["7.0 / 2", "3.5"],
  ["1 + 1.5", "2.5"],
  ["2.0", "2"],
  ["1.0e20", "1e+20"],
  ["0.1 + 0.2", "0.3"],
  ["9223372036854775807", "9223372036854775807"],
  ["-9223372036854775807 - 1", "-9223372036854775808"],
  ["4294967297 * 3", "12884901891"],
  ["builtins.typeOf 1", '"int"'],
  ["builtins.typeOf 1.0", '"float"'],
  ["1 == 1.0", "true"],
  ["1 < 2", "true"],
  ["2 > 1", "true"],
  ["1 >= 2", "false"],
  ['"a" < "b"', "true"],
  ["[ 1 2 ] < [ 1 3 ]", "true"],
  ["[ 1 ] < [ 1 0 ]", "true"],
  // strings and paths
  ['"a${"b"}c"', '"abc"'],
  ['"x\\ny\\t\\"${"$"}{"', '"x\\ny\\t\\"\\${"'],
  ['"a" + "b"', '"ab"'],
  ['/foo + "/bar"', "/foo/bar"],
  ['/foo + "/../bar"', "/bar"],
  ["./a/../b", "/dir/b"],
  ['let x = "y"; in ./a/${x}', "/dir/a/y"],
  // attribute sets
  ["{ b = 1; a = 2; }", "{ a = 2; b = 1; }"],
  ["{ a.b.c = 1; a.d = 2; }", "{ a = { b = { c = 1; }; d = 2; }; }"],
  ["rec { a = 1; b = a + 1; }", "{ a = 1; b = 2; }"],
  ["{ a = 1; } // { b = 2; a = 3; }", "{ a = 3; b = 2; }"],
  ['{ ${"x" + "y"} = 1; ${null} = 2; }', "{ xy = 1; }"],
  ["{ a = 1; }.a", "1"],
  ["{ a = 1; }.b or 5", "5"],
  ["(1).a or 5", "5"],
  ["{ a.b = 1; } ? a.b", "true"],
  ["{ a.b = 1; } ? a.c", "false"],
  ["1 ? a", "false"],
  ['{ "with space" = 1; "if" = 2; }', '{ "if" = 2; "with space" = 1; }'],
  ["let x = 1; in { inherit x; }", "{ x = 1; }"],
  ["let s = { a = 1; b = 2; }; in { inherit (s) a b; }", "{ a = 1; b = 2; }"],
  ["let s = { a = 1; }; in rec { inherit (s) a; b = a; }", "{ a = 1; b = 1; }"],
  [
    "rec { a = 1; __overrides = { a = 2; c = 3; }; b = a; }",
    "{ __overrides = { a = 2; c = 3; }; a = 2; b = 2; c = 3; }",
  ],
  // let, with
  ["let a = b; b = 2; in a", "2"],
  ["let { x = 1; body = x + 1; }", "2"],
  ["with { a = 1; }; a", "1"],
  ["with { a = 1; }; with { a = 2; }; a", "2"],
  ["let a = 1; in with { a = 2; }; a", "1"],
  ["with { true = false; }; true", "true"],
  ["with { a = 1; }; let b = a; in with { b = 3; }; b", "1"],
  // functions
  ["(x: x + 1) 2", "3"],
  ["({ a, b ? a * 2 }: a + b) { a = 1; }", "3"],
  ["({ a, ... }@args: args.c) { a = 1; c = 4; }", "4"],
  ["(args@{ a ? 1 }: args) { }", "{ }"],
  ["({ a ? b, b ? 2 }: a) { }", "2"],
  ["(args@{ a ? args.b, ... }: a) { b = 5; }", "5"],
  ["({ a, ... }: a) { a = 1; b = 2; }", "1"],
  ["let f = { __functor = self: x: x + self.n; n = 10; }; in f 5", "15"],
  ["builtins.functionArgs ({ a, b ? 1 }: a)", "{ a = false; b = true; }"],
  ["(x: y: x - y) 5 3", "2"],
  ["builtins.add 1", "<PRIMOP-APP>"],
  ["x: x", "<LAMBDA>"],
  // control
  ["if true then 1 else 2", "1"],
  ["assert 1 == 1; 2", "2"],
  ["true -> false", "false"],
  ['false -> throw "lazy"', "true"],
  ["!true || true && false", "false"],
  // equality
  ["[ 1 { a = 2; } ] == [ 1 { a = 2; } ]", "true"],
  ["(x: x) == (x: x)", "false"],
  ["let f = x: x; in [ f ] == [ f ]", "true"],
  ["let f = x: x; in { a = f; } == { a = f; }", "true"],
  [
    '{ type = "derivation"; outPath = "/a"; x = 1; } == { type = "derivation"; outPath = "/a"; x = 2; }',
    "true",
  ],
  // builtins in this package
  ["builtins.seq 1 2", "2"],
  ['builtins.tryEval (throw "x")', "{ success = false; value = false; }"],
  ["builtins.tryEval (assert false; 1)", "{ success = false; value = false; }"],
  ["builtins.tryEval 1", "{ success = true; value = 1; }"],
  ["builtins.bitAnd 12 10", "8"],
  ["builtins.bitOr 12 10", "14"],
  ["builtins.bitXor 12 10", "6"],
  ["builtins.ceil 1.2", "2"],
  ["builtins.floor (-1.2)", "-2"],
  ["builtins.isFunction builtins.add", "true"],
  ['builtins.unsafeGetAttrPos "a" { a = 1; }', '{ column = 33; file = "«string»"; line = 1; }'],
  ["__curPos", '{ column = 1; file = "«string»"; line = 1; }'],
  ["builtins.langVersion", "6"],
  ['builtins ? nixVersion && builtins.storeDir == "/nix/store"', "true"],
  // printing: sharing and laziness
  ["let x = { a = 1; }; in [ x x ]", "[ { a = 1; } «repeated» ]"],
  ["let x = [ x ]; in x", "[ [ «repeated» ] ]"],
];

describe("constructs", () => {
  test.each(constructs)("%s", (expr, expected) => {
    expect(run(expr)).toBe(expected);
  });

  test("non-strict printing leaves thunks as <CODE>", () => {
    expect(run("{ a = 1 + 1; b = 2; }", false)).toBe("{ a = <CODE>; b = 2; }");
    // as nix-instantiate --eval: lambdas and lists in lazy positions are thunks, constants are not
    expect(run('{ f = x: x; l = [ 1 ]; s = "a"; n = null; i = 1; fl = 1.5; }', false)).toBe(
      '{ f = <CODE>; fl = 1.5; i = 1; l = <CODE>; n = null; s = "a"; }',
    );
    expect(run("[ (x: x) null true ]", false)).toBe("[ <CODE> null true ]");
    expect(run("let x = 1; in { inherit x; y = x; }", false)).toBe("{ x = 1; y = 1; }");
  });

  test("the README example", () => {
    const ev = new Evaluator({
      io: createMemoryIO({ "/p/lib.nix": "{ f = x: x * 2; }" }, { HOME: "/home/me" }),
      searchPath: [{ prefix: "nixpkgs", path: "/p" }],
      maxCallDepth: 10000,
    });
    const v = ev.evalString("(import /p/lib.nix).f 21", { baseDir: "/p" });
    expect(ev.print(v)).toBe("42");
    expect(ev.print(v, { strict: true })).toBe("42");
    expect(ev.toJSON(ev.evalString("{ a = [ 1 2.5 ]; }"))).toBe('{"a":[1,2.5]}');
    expect(ev.toJS(v)).toBe(42);
    expect(ev.print(ev.evalString("import <nixpkgs/lib.nix>"), { strict: true })).toBe("{ f = <LAMBDA>; }");
  });
});

// Laziness: the first column must evaluate without forcing the `throw`.
const lazyOk: [string, string][] = [
  ['{ a = throw "no"; b = 1; }.b', "1"],
  ['[ (throw "no") 2 ] != [ ]', "true"],
  ['let x = throw "no"; y = 2; in y', "2"],
  ['(x: 1) (throw "no")', "1"],
  ['({ a, b ? throw "no" }: a) { a = 1; }', "1"],
  ['builtins.seq { a = throw "no"; } 1', "1"],
  ['{ a = throw "no"; } ? a', "true"],
  ['false && throw "no"', "false"],
  ['true || throw "no"', "true"],
  ['if true then 1 else throw "no"', "1"],
  ['let s = { a = 1; } // { b = throw "no"; }; in s.a', "1"],
  ['with { a = throw "no"; b = 2; }; b', "2"],
  ['let x = throw "no"; in { inherit x; } ? x', "true"],
  ['let s = throw "no"; in (rec { inherit (s) a; b = 1; }).b', "1"],
  ['(with (throw "no"); 1)', "1"],
  ['builtins.typeOf (x: throw "no")', '"lambda"'],
  ['rec { a = throw "no"; b = 1; }.b', "1"],
];

const lazyThrows: string[] = [
  '{ a = throw "yes"; }.a',
  'builtins.deepSeq { a = throw "yes"; } 1',
  'let x = throw "yes"; in x + 1',
  '(with (throw "yes"); a)',
  '[ (throw "yes") ] == [ 1 ]',
  '{ ${throw "yes"} = 1; }',
  'assert throw "yes"; 1',
  '({ a }: a) (throw "yes")',
];

describe("laziness", () => {
  test.each(lazyOk)("does not force: %s", (expr, expected) => {
    expect(run(expr, false)).toBe(expected);
  });
  test.each(lazyThrows)("forces: %s", (expr) => {
    const ev = evaluator();
    expect(() => ev.print(ev.evalString(expr), { strict: false })).toThrowError(/yes/);
  });
  // The same table, against the reference when it is installed: the expected
  // answers above are Nix's, not ours.
  const nix = (expr: string) => spawnSync("nix-instantiate", ["--eval", "-E", expr], { encoding: "utf8" });
  const haveNix = spawnSync("nix-instantiate", ["--version"]).status === 0;
  test.skipIf(!haveNix).each(lazyOk)("nix-instantiate agrees it does not force: %s", (expr, expected) => {
    const r = nix(expr);
    expect([r.status, r.stdout.trim()]).toEqual([0, expected]);
  });
  test.skipIf(!haveNix).each(lazyThrows)("nix-instantiate agrees it forces: %s", (expr) => {
    const r = nix(expr);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/yes/);
  });
  test("a thunk is evaluated once (trace fires once)", () => {
    const traces: string[] = [];
    const ev = new Evaluator({ io: createMemoryIO({}), onTrace: (m) => traces.push(m) });
    expect(ev.print(ev.evalString('let x = builtins.trace "once" 1; in x + x'))).toBe("2");
    expect(traces).toEqual(["trace: once"]);
  });
  test("a failed thunk rethrows on every force (errors are memoised)", () => {
    const traces: string[] = [];
    const ev = new Evaluator({ io: createMemoryIO({}), onTrace: (m) => traces.push(m) });
    const v = ev.evalString(
      'let x = builtins.trace "t" (throw "e"); in [ (builtins.tryEval x).success (builtins.tryEval x).success ]',
    );
    expect(ev.print(v, { strict: true })).toBe("[ false false ]");
    expect(traces).toEqual(["trace: t"]);
  });
});

describe("errors", () => {
  const cases: [string, RegExp][] = [
    ['1 + "a"', /cannot add a string to an integer/],
    ["9223372036854775807 + 1", /integer overflow in adding 9223372036854775807 \+ 1/],
    ["1 / 0", /division by zero/],
    ["{ a = 1; }.b", /attribute 'b' missing/],
    ["if 1 then 2 else 3", /expected a Boolean but found an integer: 1/],
    ["({ x }: x) { x = 1; y = 2; }", /called with unexpected argument 'y'/],
    ["({ x }: x) { }", /called without required argument 'x'/],
    ["let a = a; in a", /infinite recursion encountered/],
    ["undefinedName", /undefined variable 'undefinedName'/],
    ["with { }; nope", /undefined variable 'nope'/],
    ["1 2", /attempt to call something which is not a function but an integer: 1/],
    ['abort "bye"', /evaluation aborted with the following error message: 'bye'/],
    ["{ a = 1; } < { }", /cannot compare a set with a set/],
    ["{ a = 1; a2 = 2; }.a1", /attribute 'a1' missing/],
    ['"${{ }}"', /cannot coerce a set to a string: \{ \}/],
    ["assert 1 == 2; 3", /an integer with value '1' is not equal to an integer with value '2'/],
    ["assert false; 3", /assertion 'false' failed/],
  ];
  test.each(cases)("%s", (expr, re) => {
    expect(errorOf(expr).format({ showTrace: true })).toMatch(re);
  });

  test("full formatting with trace frames and a code frame", () => {
    const ev = evaluator({ "/t/f.nix": "let\n  f = x: x.a;\nin\nf { b = 1; }\n" });
    let err: NixError | null = null;
    try {
      ev.evalFile("/t/f.nix");
    } catch (e) {
      err = e as NixError;
    }
    expect(err?.format({ showTrace: true })).toBe(
      [
        "error:",
        "       … from call site",
        "         at /t/f.nix:4:1:",
        "            3| in",
        "            4| f { b = 1; }",
        "             | ^",
        "            5|",
        "",
        "       … while calling 'f'",
        "         at /t/f.nix:2:7:",
        "            1| let",
        "            2|   f = x: x.a;",
        "             |       ^",
        "            3| in",
        "",
        "       … while evaluating the attribute 'a'",
        "         at /t/f.nix:2:10:",
        "            1| let",
        "            2|   f = x: x.a;",
        "             |          ^",
        "            3| in",
        "",
        "       error: attribute 'a' missing",
        "       Did you mean b?",
      ].join("\n"),
    );
  });

  test("suggestions", () => {
    expect(errorOf("{ foo = 1; }.fo").format()).toContain("Did you mean foo?");
  });

  test("max-call-depth gives Nix's stack overflow error", () => {
    const ev = new Evaluator({ io: createMemoryIO({}), maxCallDepth: 50 });
    let msg = "";
    try {
      ev.evalString("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100");
    } catch (e) {
      msg = (e as NixError).format();
    }
    expect(msg).toMatch(/error: stack overflow; max-call-depth exceeded/);
  });
});

describe("import, search path, env", () => {
  const files = {
    "/p/a.nix": "{ x = 1; y = import ./b.nix; }",
    "/p/b.nix": "2",
    "/p/d/default.nix": '"dir"',
    "/sp/foo/bar.nix": '"found"',
    "/p/scoped.nix": "z + 1",
  };
  test("import of files and directories, each once", () => {
    const ev = evaluator(files);
    expect(ev.print(ev.evalString("(import /p/a.nix).y + 1"), { strict: true })).toBe("3");
    expect(ev.print(ev.evalString("import /p/d"))).toBe('"dir"');
    expect(ev.evalFile("/p/a.nix")).toBe(ev.evalFile("/p/a.nix"));
  });
  test("<path> lookup", () => {
    expect(run("import <foo/bar.nix>", true, evaluator(files))).toBe('"found"');
    expect(errorOf("<nope>", evaluator(files)).message).toMatch(
      /file 'nope' was not found in the Nix search path/,
    );
  });
  test("scopedImport", () => {
    expect(run("scopedImport { z = 41; } /p/scoped.nix", true, evaluator(files))).toBe("42");
  });
  test("getEnv", () => {
    expect(run('builtins.getEnv "X" + builtins.getEnv "NOPE"', true, evaluator({}, { X: "y" }))).toBe('"y"');
  });
});

describe("embedding API", () => {
  test("toJSON, toJS, fromJS, call, autoCall, selectAttrPath", () => {
    const ev = evaluator();
    const v = ev.evalString('{ a = [ 1 2.5 "s" null true ]; b.c = 3; }');
    expect(ev.toJSON(v)).toBe('{"a":[1,2.5,"s",null,true],"b":{"c":3}}');
    expect(ev.toJS(v)).toEqual({ a: [1, 2.5, "s", null, true], b: { c: 3 } });
    expect(ev.print(ev.selectAttrPath(v, "a.1"))).toBe("2.5");
    expect(ev.print(ev.selectAttrPath(v, "b.c"))).toBe("3");
    const f = ev.evalString("{ x, y ? 2, ... }: x * y");
    expect(ev.print(ev.autoCall(f, new Map([["x", { kind: "expr", text: "21" }]])))).toBe("42");
    expect(ev.print(ev.call(ev.evalString("a: b: a - b"), 10, 3))).toBe("7");
    const obj: Value = ev.fromJS({ k: [1, "two"] });
    expect(ev.print(obj, { strict: true })).toBe('{ k = [ 1 "two" ]; }');
  });
  test("addPrimop", () => {
    const ev = evaluator();
    ev.addPrimop({ name: "double", arity: 1, impl: (_rt, [x]) => (ev.force(x!) as number) * 2 });
    expect(run("builtins.double 21 + __double 0", true, ev)).toBe("42");
  });
  test("toXML", () => {
    const ev = evaluator();
    expect(ev.toXML(ev.evalString("{ a = 1; }"), { location: false })).toBe(
      [
        "<?xml version='1.0' encoding='utf-8'?>",
        "<expr>",
        "  <attrs>",
        '    <attr name="a">',
        '      <int value="1" />',
        "    </attr>",
        "  </attrs>",
        "</expr>",
      ].join("\n"),
    );
  });
});
