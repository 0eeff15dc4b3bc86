// One test per construct: what `nix-instantiate --parse` (current Nix) prints,
// the AST details the evaluator relies on, and Nix's errors.
import { describe, expect, it } from "vitest";
import type { Expr, LambdaExpr } from "./ast.js";
import { ParseError, parse, parseSettingsFrom, showExpr, type ParseOptions } from "./index.js";
import { tokenize } from "./lexer.js";
import { TEST_GLOBALS } from "./test-globals.js";
import { K } from "./tokens.js";

const opts = {
  origin: "stdin" as const,
  baseDir: "/base/dir",
  homeDir: "/home/u",
  experimentalFeatures: new Set(["pipe-operators"]),
};
const show = (text: string) => showExpr(parse(text, opts));
const error = (text: string, isGlobal?: (n: string) => boolean): string => {
  try {
    parse(text, { ...opts, ...(isGlobal ? { isGlobal } : {}) });
  } catch (e) {
    if (e instanceof ParseError) return e.format().split("\n").slice(0, 2).join("\n").replace(/\n\s+/, " | ");
    throw e;
  }
  throw new Error("no error");
};

describe("literals", () => {
  it.each([
    ["123", "123"],
    ["9223372036854775807", "9223372036854775807"],
    ["1.5", "1.5"],
    [".5", "0.5"],
    ["1.", "1"],
    ["1e3", "(1 e3)"],
    ["1.0e3", "1000"],
    ["1.5e-3", "0.0015"],
    ["1.5E+30", "1.5e+30"],
    ["0.000012345", "1.2345e-05"],
    ["1.23456789", "1.23457"],
    ["100000000.0", "1e+08"],
    ["123456.0", "123456"],
    ["1234567.0", "1.23457e+06"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("rejects integers past 64 bits as Nix does", () => {
    expect(error("9223372036854775808")).toBe(
      "error: invalid integer '9223372036854775808' | at «stdin»:1:1:",
    );
  });

  it("keeps bigints exact", () => {
    const e = parse("9223372036854775807", opts);
    expect(e.kind === "Int" && e.value).toBe(9223372036854775807n);
  });
});

describe("strings", () => {
  it.each([
    [`"a\\nb\\tc\\rd\\\\e\\"f\\$g\\q"`, `"a\\nb\\tc\\rd\\\\e\\"f$gq"`],
    [`"\${"x"}"`, `("x")`],
    [`"a\${"x"}b"`, `("a" + "x" + "b")`],
    [`"$\${x}"`, `"$\\\${x}"`],
    [`"$"`, `"$"`],
    [`"a$"`, `"a$"`],
    [`"$$"`, `"$$"`],
    [`""`, `""`],
    ['"a\r\nb\rc"', `"a\\nb\\nc"`],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("reports end of file inside a string", () => {
    expect(error('"abc')).toBe(
      `error: syntax error, unexpected end of file, expecting '"' | at «stdin»:1:5:`,
    );
    expect(error('"abc$')).toBe(
      `error: syntax error, unexpected end of file, expecting '"' | at «stdin»:1:6:`,
    );
  });
});

describe("indented strings", () => {
  it.each([
    ["''\n  a\n    b\n  ''", `"a\\n  b\\n"`],
    ["''  a\n  b''", `"a\\nb"`],
    ["''''", `""`],
    ["''\n''", `""`],
    ["''a''$b''", `("a" + "$" + "b")`],
    ["''a'''b''", `("a" + "''" + "b")`],
    ["''a''\\nb''", `("a" + "\\n" + "b")`],
    ["''a'$b''", `("a" + "'" + "$b")`],
    ["''${\"x\"}''", `"x"`],
    ["''\n  ${\"x\"} y\n''", `("x" + " y\\n")`],
    ["''\n  a\n\n    b\n ''", `"a\\n\\n  b\\n"`],
  ])("%j", (text, expected) => expect(show(text)).toBe(expected));

  it("names bison's expected tokens at end of file", () => {
    expect(error("''abc")).toBe(
      "error: syntax error, unexpected end of file, expecting indented string or '${' or end of an indented string | at «stdin»:1:6:",
    );
  });
});

describe("paths", () => {
  it.each([
    ["./a", "/base/dir/a"],
    ["../a/./b/../c", "/base/a/c"],
    ["/x/../y", "/y"],
    ["a/b", "/base/dir/a/b"],
    ["~/x/../y", "/home/u/x/../y"],
    ["x: ./a/${x}.nix", '(x: (/base/dir/a/ + x + ".nix"))'],
    ["x: ./a${x}/b", '(x: (/base/dir/a + x + "/b"))'],
    ["x: ~/${x}", "(x: (/home/u/ + x))"],
    ["<nixpkgs/lib>", '(__findFile __nixPath "nixpkgs/lib")'],
    ["1/2", "/base/dir/1/2"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("rejects a trailing slash", () => {
    expect(error("/nix/store/ ")).toBe("error: path has a trailing slash | at «stdin»:1:12:");
    expect(error("x: ./a${x}/")).toBe("error: path has a trailing slash | at «stdin»:1:11:");
  });

  it("needs an interpolation to continue a path", () => {
    expect(error("/a//b")).toBe(
      "error: syntax error, unexpected end of path, expecting '${' | at «stdin»:1:6:",
    );
  });
});

describe("URIs", () => {
  it("are strings", () => {
    expect(show("[ http://x.org/a?b=c x:x ]")).toBe('[ ("http://x.org/a?b=c") ("x:x") ]');
  });
});

describe("attribute sets", () => {
  it.each([
    ["{ }", "{ }"],
    ["{ b = 1; a = 2; }", "{ a = 2; b = 1; }"],
    ["rec { a = 1; b = a; }", "rec { a = 1; b = a; }"],
    ["{ a.b.c = 1; a.d = 2; }", "{ a = { b = { c = 1; }; d = 2; }; }"],
    ["{ a = { b = 1; }; a.c = 2; }", "{ a = { b = 1; c = 2; }; }"],
    ['{ "a b" = 1; "if" = 2; ${"c"} = 3; or = 4; }', '{ "a b" = 1; c = 3; "if" = 2; or = 4; }'],
    ['x: { ${x} = 1; "a${x}" = 2; }', '(x: { "${x}" = 1; "${("a" + x)}" = 2; })'],
    [
      "x: { inherit x; inherit (x) a b; inherit (x) c; }",
      "(x: { inherit x; inherit (x) a b; inherit (x) c; })",
    ],
    ['{ inherit "a" or; }', "{ inherit a or; }"],
    ["let { body = 1; }", "(rec { body = 1; }).body"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("merges nested inherit-from sources with shifted indices", () => {
    const e = parse("x: y: { a = { inherit (x) p; }; a.q = 1; b = { inherit (y) r; }; }", opts) as LambdaExpr;
    expect(showExpr(e)).toBe("(x: (y: { a = { inherit (x) p; q = 1; }; b = { inherit (y) r; }; }))");
  });

  it("reports duplicate attributes with both positions", () => {
    expect(error("{ a = 1; a = 2; }")).toBe(
      "error: attribute 'a' already defined at «stdin»:1:3 | at «stdin»:1:10:",
    );
    expect(error("{ a.b = 1; a.b = 2; }")).toBe(
      "error: attribute 'a.b' already defined at «stdin»:1:3 | at «stdin»:1:12:",
    );
    expect(error("{ a = 1; a.b = 2; }")).toBe(
      "error: attribute 'a' already defined at «stdin»:1:3 | at «stdin»:1:10:",
    );
    expect(error("x: { inherit x; x = 1; }")).toBe(
      "error: attribute 'x' already defined at «stdin»:1:14 | at «stdin»:1:17:",
    );
  });

  it("refuses dynamic attributes where Nix does", () => {
    expect(error("x: let ${x} = 1; in 2")).toBe(
      "error: dynamic attributes not allowed in let | at «stdin»:1:4:",
    );
    expect(error("x: { inherit ${x}; }")).toBe(
      "error: dynamic attributes not allowed in inherit | at «stdin»:1:14:",
    );
  });

  it("records the attribute position and inherit kinds", () => {
    const e = parse("x: {\n  a = 1;\n  inherit x;\n  inherit (x) y;\n}", opts) as LambdaExpr;
    const attrs = e.body;
    if (attrs.kind !== "Attrs") throw new Error("not attrs");
    const byName = Object.fromEntries(attrs.attrs.map((d) => [d.name, d]));
    expect([byName.a!.span.line, byName.a!.span.column]).toEqual([2, 3]);
    expect(byName.x!.kind).toBe("inherited");
    expect(byName.y!.kind).toBe("inheritedFrom");
    const y = byName.y!.value;
    expect(y.kind === "Select" && y.expr.kind === "InheritFrom" && y.expr.index).toBe(0);
    expect(attrs.inheritFrom).toHaveLength(1);
  });
});

describe("let, with, assert, if", () => {
  it.each([
    ["let a = 1; b = a; in b", "(let a = 1; b = a; in b)"],
    ["let inherit ({ a = 1; }) a; in a", "(let inherit ({ a = 1; }) a; in a)"],
    ["with {}; x", "(with { }; x)"],
    ["assert true; 1", "assert true; 1"],
    ["if true then 1 else 2", "(if true then 1 else 2)"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));
});

describe("lambdas", () => {
  it.each([
    ["x: x", "(x: x)"],
    ["{ b, a ? 1, ... }: a", "({ a ? 1, b, ... }: a)"],
    ["{ a, }: a", "({ a }: a)"],
    ["{ }: 1", "({  }: 1)"],
    ["{ ... }: 1", "({ ... }: 1)"],
    ["args@{ a }: a", "({ a } @ args: a)"],
    ["{ a } @ args: a", "({ a } @ args: a)"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("names lambdas bound to attributes and let names (and the lambdas they return)", () => {
    const e = parse("let f = x: y: x; g = { h = z: z; }; in f", opts);
    if (e.kind !== "Let") throw new Error("not let");
    const f = e.attrs.attrs.find((d) => d.name === "f")!.value as LambdaExpr;
    expect(f.name).toBe("f");
    expect((f.body as LambdaExpr).name).toBe("f");
    const g = e.attrs.attrs.find((d) => d.name === "g")!.value;
    expect(g.kind === "Attrs" && (g.attrs[0]!.value as LambdaExpr).name).toBe("h");
    expect((parse("x: x", opts) as LambdaExpr).name).toBeNull();
  });

  it("reports duplicate formals", () => {
    expect(error("{ a, b, a }: 1")).toBe("error: duplicate formal function argument 'a' | at «stdin»:1:9:");
    expect(error("a@{ a }: 1")).toBe("error: duplicate formal function argument 'a' | at «stdin»:1:1:");
  });
});

describe("operators", () => {
  it.each([
    ["a: b: c: a + b * c", "(a: (b: (c: (a + (__mul b c)))))"],
    ["a: b: c: a - b - c", "(a: (b: (c: (__sub (__sub a b) c))))"],
    ["a: b: c: a ++ b ++ c", "(a: (b: (c: (a ++ (b ++ c)))))"],
    ["a: b: c: a // b // c", "(a: (b: (c: (a // (b // c)))))"],
    ["a: b: c: a -> b -> c", "(a: (b: (c: (a -> (b -> c)))))"],
    ["a: b: c: a || b && c", "(a: (b: (c: (a || (b && c)))))"],
    ["a: b: a < b", "(a: (b: (__lessThan a b)))"],
    ["a: b: a > b", "(a: (b: (__lessThan b a)))"],
    ["a: b: a <= b", "(a: (b: (! (__lessThan b a))))"],
    ["a: b: a >= b", "(a: (b: (! (__lessThan a b))))"],
    ["a: b: a == b", "(a: (b: (a == b)))"],
    ["a: b: a != b", "(a: (b: (a != b)))"],
    ["a: b: !a + b", "(a: (b: (! (a + b))))"],
    ["a: b: !a == b", "(a: (b: ((! a) == b)))"],
    ["a: -a ? b", "(a: (((__sub 0 a)) ? b))"],
    ["a: b: a ++ b ? c", "(a: (b: (a ++ ((b) ? c))))"],
    ["a: a ? b ? c", "(a: ((((a) ? b)) ? c))"],
    ['a: a ? b.${"c"}', "(a: ((a) ? b.c))"],
    ["f: x: f -x", "(f: (x: (__sub f x)))"],
    ["f: x: f (-x)", "(f: (x: (f (__sub 0 x))))"],
    ["- - 1", "(__sub 0 (__sub 0 1))"],
    ["f: x: y: (f x) y", "(f: (x: (y: (f x y))))"],
    ["f: x: x |> f", "(f: (x: (f x)))"],
    ["f: g: x: x |> f |> g", "(f: (g: (x: (g (f x)))))"],
    ["f: g: x: f <| g <| x", "(f: (g: (x: (f (g x)))))"],
    ["a: a.b.c or 1", "(a: (a).b.c or (1))"],
    ["f: f or", "(f: (f or))"],
    ["f: x: f or x", "(f: (x: (f or x)))"],
    ["__curPos", "__curPos"],
  ])("%s", (text, expected) => expect(show(text)).toBe(expected));

  it("rejects chained non-associative operators", () => {
    expect(error("1 == 2 == 3")).toBe("error: syntax error, unexpected '==' | at «stdin»:1:8:");
    expect(error("1 < 2 > 3")).toBe("error: syntax error, unexpected '>' | at «stdin»:1:7:");
  });

  it("rejects mixing pipe directions", () => {
    expect(error("1 |> 2 <| 3")).toBe(
      "error: syntax error, unexpected '<|', expecting end of file | at «stdin»:1:8:",
    );
  });
});

describe("syntax errors as bison words them", () => {
  it.each([
    ["(", "error: syntax error, unexpected end of file | at «stdin»:1:2:"],
    [
      "a.",
      `error: syntax error, unexpected end of file, expecting identifier or 'or' or '\${' or '"' | at «stdin»:1:3:`,
    ],
    ["{ a = 1; 2 }", "error: syntax error, unexpected integer, expecting 'inherit' | at «stdin»:1:10:"],
    ["let 1", "error: syntax error, unexpected integer, expecting 'in' or 'inherit' | at «stdin»:1:5:"],
    ["rec { 1 }", "error: syntax error, unexpected integer, expecting 'inherit' or '}' | at «stdin»:1:7:"],
    ["x@", "error: syntax error, unexpected end of file, expecting '{' | at «stdin»:1:3:"],
    ["{a, b} 1", "error: syntax error, unexpected integer, expecting ':' or '@' | at «stdin»:1:8:"],
    [
      "{a, 1",
      "error: syntax error, unexpected integer, expecting identifier or '...' or '}' | at «stdin»:1:5:",
    ],
    ["{a, ... 1", "error: syntax error, unexpected integer, expecting '}' | at «stdin»:1:9:"],
    ["[ 1 ; ]", "error: syntax error, unexpected ';' | at «stdin»:1:5:"],
    ["if 1 then 2 ;", "error: syntax error, unexpected ';', expecting 'else' | at «stdin»:1:13:"],
    ["f let a = 1; in a", "error: syntax error, unexpected identifier, expecting '{' | at «stdin»:1:7:"],
    ["1 2 )", "error: syntax error, unexpected ')', expecting end of file | at «stdin»:1:5:"],
    ["1 % 2", "error: syntax error, unexpected invalid token, expecting end of file | at «stdin»:1:3:"],
    ["/* unterminated", "error: syntax error, unexpected '/' | at «stdin»:1:1:"],
  ])("%j", (text, expected) => expect(error(text)).toBe(expected));

  it("reports undefined variables when asked to bind variables", () => {
    expect(error("x: y", TEST_GLOBALS)).toBe("error: undefined variable 'y' | at «stdin»:1:4:");
    expect(() => parse("with {}; y", { ...opts, isGlobal: TEST_GLOBALS })).not.toThrow();
    expect(error("let a = b; in a", TEST_GLOBALS)).toBe("error: undefined variable 'b' | at «stdin»:1:9:");
  });

  it("reports the first undefined variable in name order of the attributes, not source order", () => {
    // The check first runs in source order (no sorting); the error must still be the one the
    // name-ordered traversal meets first.
    expect(error("rec { b = x; a = y; }", TEST_GLOBALS)).toBe(
      "error: undefined variable 'y' | at «stdin»:1:18:",
    );
    expect(error("let b = x; a = { d = z; c = y; }; in a", TEST_GLOBALS)).toBe(
      "error: undefined variable 'y' | at «stdin»:1:29:",
    );
    const wide = Array.from({ length: 20 }, (_, i) => `v${i}`);
    expect(() =>
      parse(`{ ${wide.join(", ")} }: [ ${wide.join(" ")} ]`, { ...opts, isGlobal: TEST_GLOBALS }),
    ).not.toThrow();
  });
});

describe("spans", () => {
  it("gives Nix's 1-based line and byte column", () => {
    const text = 'b: let\r\n  x = 1;\r\n  a = "é" + b;\r\nin a';
    const e = (parse(text, opts) as LambdaExpr).body as Expr;
    if (e.kind !== "Let") throw new Error("not let");
    const a = e.attrs.attrs.find((d) => d.name === "a")!;
    expect([a.span.line, a.span.column]).toEqual([3, 3]);
    const concat = a.value;
    expect(concat.kind).toBe("ConcatStrings");
    if (concat.kind !== "ConcatStrings") return;
    expect([concat.span.line, concat.span.column, concat.span.offset]).toEqual([3, 12, text.indexOf("+")]);
    const b = concat.parts[1]!;
    expect([b.span.line, b.span.column]).toEqual([3, 14]);
  });

  it("points at the operator for desugared binary operators, as Nix does", () => {
    const e = parse("a: b: a - b", opts) as LambdaExpr;
    const call = (e.body as LambdaExpr).body;
    expect(call.kind).toBe("Call");
    expect(call.span.column).toBe(9);
  });
});

describe("lexer", () => {
  const kinds = (text: string) => tokenize({ path: null, origin: "string", text }).map((t) => K[t.kind]);
  it("uses longest match like flex", () => {
    expect(kinds("a/b a//b x:y ... 1.5 .5 1. or inherit1")).toEqual([
      "Path",
      "PathEnd",
      "Id",
      "Update",
      "Id",
      "Uri",
      "Ellipsis",
      "Float",
      "Float",
      "Float",
      "OrKw",
      "Id",
      "Eof",
    ]);
  });
  it("switches modes for strings, interpolation and paths", () => {
    expect(kinds('"a${ {b=1;}.b }c" ./x/${y}z')).toEqual([
      "Quote",
      "Str",
      "DollarCurly",
      "LBrace",
      "Id",
      "Assign",
      "Int",
      "Semi",
      "RBrace",
      "Dot",
      "Id",
      "RBrace",
      "Str",
      "Quote",
      "Path",
      "DollarCurly",
      "Id",
      "RBrace",
      "Str",
      "PathEnd",
      "Eof",
    ]);
  });
});

describe("parse-time diagnostics (features, lints, warnings)", () => {
  const base = { origin: "stdin" as const, baseDir: "/base/dir", homeDir: "/home/u" };
  const parseWarnings = (text: string, more: Partial<ParseOptions> = {}): string[] => {
    const warnings: string[] = [];
    parse(text, { ...base, ...more, onWarning: (w) => warnings.push(w) });
    return warnings;
  };
  const failure = (text: string, more: Partial<ParseOptions> = {}): string => {
    try {
      parse(text, { ...base, ...more });
    } catch (e) {
      if (e instanceof ParseError) return e.format();
      throw e;
    }
    throw new Error("no error");
  };

  it("refuses pipe operators unless the experimental feature is on", () => {
    expect(failure("1 |> 2").split("\n").slice(0, 2)).toEqual([
      "error: experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it",
      "       at «stdin»:1:3:",
    ]);
    expect(failure("f <| 2").split("\n")[1]).toBe("       at «stdin»:1:3:");
    const on = parseSettingsFrom({ "extra-experimental-features": "nix-command pipe-operators" });
    expect(showExpr(parse("f: 1 |> f", { ...base, experimentalFeatures: on.experimentalFeatures }))).toBe(
      "(f: (f 1))",
    );
  });

  it("refuses NUL bytes in strings, at the string token, showing them as U+2400", () => {
    expect(failure('"foo\0bar"')).toBe(
      "error: input string 'foo\u2400bar' cannot be represented as Nix string because it contains null bytes\n" +
        "       at «stdin»:1:2:\n" +
        '            1| "foo\0bar"\n' +
        "             |  ^",
    );
    expect(failure("''\n  a\n  \0\n''").split("\n").slice(0, 4)).toEqual([
      "error: input string '  a",
      "         \u2400",
      "       ' cannot be represented as Nix string because it contains null bytes",
      "       at «stdin»:2:1:",
    ]);
  });

  it("lints path and URL literals as the lint-* settings ask", () => {
    const lints = parseSettingsFrom({
      "lint-absolute-path-literals": "warn",
      "lint-short-path-literals": "warn",
      "lint-url-literals": "warn",
    }).lints;
    const w = parseWarnings("[ /tmp/x ~/y a/b ./c ../d http://e.org ]", { lints });
    expect(w.map((x) => x.split("\n")[0])).toEqual([
      "warning: absolute path literals are not portable. Consider replacing path literal '/tmp/x' by a string, relative path, or parameter (lint-absolute-path-literals)",
      "warning: home path literals are not portable. Consider replacing path literal '~/y' by a string, relative path, or parameter (lint-absolute-path-literals)",
      "warning: relative path literal 'a/b' should be prefixed with '.' for clarity: './a/b' (lint-short-path-literals)",
      'warning: URL literals are discouraged. Consider using a string literal "http://e.org" instead (lint-url-literals)',
    ]);
    expect(w[0]!.split("\n")[1]).toBe("         at «stdin»:1:3:");
    expect(parseWarnings("[ /tmp/x a/b http://e.org ]")).toEqual([]);
    expect(failure("http://e.org", { lints: { urlLiterals: "fatal" } }).split("\n")[0]).toBe(
      'error: URL literals are disallowed. Consider using a string literal "http://e.org" instead (lint-url-literals)',
    );
    expect(failure("x: a/${x}", { lints: { shortPathLiterals: "fatal" } }).split("\n")[1]).toBe(
      "       at «stdin»:1:4:",
    );
  });

  it("warns about the cursed `or` where its meaning will change, and only there", () => {
    const w = parseWarnings("let or = 1; f = x: x; in [ (f (x: x) or) ({ a = 1; }.a or (x: x) or) f or ]");
    expect(w[0]).toBe(
      "warning: at «stdin»:1:31: This expression uses `or` as an identifier in a way that will change in a future Nix release.\n" +
        "Wrap this entire expression in parentheses to preserve its current meaning:\n" +
        "    ((x: x) or)\n" +
        "Give feedback at https://github.com/NixOS/nix/pull/11121",
    );
    expect(w.map((x) => x.split(":").slice(0, 3).join(":"))).toEqual([
      "warning: at «stdin»:1",
      "warning: at «stdin»:1",
      "warning: at «stdin»:1",
    ]);
    expect(w.map((x) => x.split("\n")[2])).toEqual(["    ((x: x) or)", "    ((x: x) or)", "    (f or)"]);
    expect(parseWarnings("let or = 1; f = x: x; in [ (map or []) (f (f or)) ]")).toEqual([]);
  });
});
