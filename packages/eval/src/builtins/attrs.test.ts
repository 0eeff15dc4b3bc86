// Attribute-set builtins: the golden table (recorded from nix-instantiate, see
// golden/record-lists-attrs.mjs), then laziness, positions, genericClosure keys
// and errors as current Nix does them.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";

interface GoldenCase {
  expr: string;
  out?: string;
  err?: string;
  nix28?: unknown;
}

const golden = JSON.parse(readFileSync(new URL("./golden/attrs.json", import.meta.url), "utf8")) as {
  cases: GoldenCase[];
};

function evaluator() {
  return new Evaluator({ io: createMemoryIO({ "/p/f.nix": "{ a = 1;\n  b = 2; }" }) });
}

function run(expr: string): string {
  const ev = evaluator();
  return ev.print(ev.evalString(expr, { baseDir: "/p" }), { strict: true });
}

function failure(expr: string): NixError {
  try {
    run(expr);
  } catch (e) {
    if (e instanceof NixError) return e;
    throw e;
  }
  throw new Error(`expected ${expr} to fail`);
}

const haveNix = (() => {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("golden table (attrs)", () => {
  test.each(golden.cases)("$expr", (c) => {
    if (c.out !== undefined) expect(run(c.expr)).toBe(c.out);
    else expect(failure(c.expr).message).toBe(c.err);
  });

  test.skipIf(!haveNix)("agrees with live nix-instantiate where 2.8 agrees with current Nix", () => {
    for (const c of golden.cases.filter((x) => x.nix28 === undefined)) {
      let live: string | null;
      try {
        live = execFileSync("nix-instantiate", ["--eval", "--strict", "-E", c.expr], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        }).replace(/\n$/, "");
      } catch {
        live = null;
      }
      expect(live, c.expr).toBe(c.out ?? null);
    }
  });
});

describe("laziness", () => {
  const cases: [string, string][] = [
    ['builtins.length (builtins.attrValues { a = throw "a"; b = throw "b"; })', "2"],
    ['(builtins.mapAttrs (n: v: throw "lazy") { a = 1; b = 2; }) ? b', "true"],
    ['(builtins.mapAttrs (n: v: v + 1) { a = 1; b = throw "lazy"; }).a', "2"],
    ['(builtins.zipAttrsWith (n: vs: builtins.length vs) [ { a = throw "x"; } { a = 2; } ]).a', "2"],
    ['(removeAttrs { a = throw "lazy"; b = 1; } [ "c" ]).b', "1"],
    ['builtins.length (builtins.catAttrs "a" [ { a = throw "x"; } { a = throw "y"; } ])', "2"],
    [
      'builtins.attrNames (builtins.listToAttrs [ { name = "x"; value = throw "lazy"; } { name = "x"; value = 1; } ])',
      '[ "x" ]',
    ],
    // the name of every element is forced, but only the winning element needs a value
    ['builtins.listToAttrs [ { name = "a"; value = 1; } { name = "a"; } ]', "{ a = 1; }"],
    [
      'builtins.genericClosure { startSet = [ { key = 1; v = throw "lazy"; } ]; operator = x: [ ]; } != [ ]',
      "true",
    ],
  ];
  test.each(cases)("%s", (expr, out) => expect(run(expr)).toBe(out));
});

describe("listToAttrs", () => {
  test("the first occurrence of a name wins", () => {
    expect(
      run(
        'builtins.listToAttrs [ { name = "a"; value = 1; } { name = "b"; value = 2; } { name = "a"; value = 3; } ]',
      ),
    ).toBe("{ a = 1; b = 2; }");
  });

  test("all names are checked before any value (current Nix), in the trace with the name's position", () => {
    const e = failure('builtins.listToAttrs [ { name = "b"; } { name = 1; } ]');
    expect(e.message).toBe("expected a string but found an integer: 1");
    const t = e.traces.find((x) => x.message.startsWith("while evaluating the `name` attribute"));
    expect(t?.span?.column).toBe(42); // the second `name`
    expect(e.span?.column).toBe(42);
  });

  test("a missing name or value is reported in a {name=...; value=...;} pair", () => {
    for (const expr of [
      "builtins.listToAttrs [ { value = 1; } ]",
      'builtins.listToAttrs [ { name = "x"; } ]',
    ]) {
      const e = failure(expr);
      expect(e.message).toMatch(/^attribute '(name|value)' missing$/);
      expect(e.traces.map((t) => t.message)).toContain("in a {name=...; value=...;} pair");
    }
  });
});

describe("positions", () => {
  test("results keep the positions of the attributes they come from", () => {
    expect(run('builtins.unsafeGetAttrPos "b" (removeAttrs (import ./f.nix) [ "a" ])')).toBe(
      '{ column = 3; file = "/p/f.nix"; line = 2; }',
    );
    expect(run('builtins.unsafeGetAttrPos "b" (builtins.intersectAttrs { b = 0; } (import ./f.nix))')).toBe(
      '{ column = 3; file = "/p/f.nix"; line = 2; }',
    );
    expect(
      run('(builtins.unsafeGetAttrPos "x" (builtins.listToAttrs [ { name = "x"; value = 1; } ])).column'),
    ).toBe("70"); // the `value` attribute
  });

  test("mapAttrs results have no positions; an inline function's first application has no call site", () => {
    expect(run('builtins.unsafeGetAttrPos "a" (builtins.mapAttrs (n: v: v) { a = 1; })')).toBe("null");
    const e = failure('builtins.mapAttrs "" { foo = 1; }');
    expect(e.message).toBe('attempt to call something which is not a function but a string: ""');
    expect(e.span).toBeNull();
  });
});

describe("errors (current Nix)", () => {
  const cases: [string, string, string | null][] = [
    [
      "builtins.attrNames 1",
      "expected a set but found an integer: 1",
      "while evaluating the argument passed to builtins.attrNames",
    ],
    ['builtins.getAttr "b" { a = 1; }', "attribute 'b' missing", "in the attribute set under consideration"],
    [
      "removeAttrs { } [ 1 ]",
      "expected a string but found an integer: 1",
      "while evaluating the values of the second argument passed to builtins.removeAttrs",
    ],
    [
      'builtins.catAttrs "a" [ 1 ]',
      "expected a set but found an integer: 1",
      "while evaluating an element in the list passed as second argument to builtins.catAttrs",
    ],
    [
      "builtins.zipAttrsWith (n: v: v) [ 1 ]",
      "expected a set but found an integer: 1",
      "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith",
    ],
    [
      "builtins.genericClosure { startSet = [ { } ]; operator = x: [ ]; }",
      "attribute 'key' missing",
      "in genericClosure element { }",
    ],
    [
      "builtins.genericClosure { startSet = [ 1 ]; operator = x: [ ]; }",
      "expected a set but found an integer: 1",
      "in genericClosure element 1",
    ],
    [
      'builtins.genericClosure { startSet = [ { key = 1; } ]; operator = x: "no"; }',
      'expected a list but found a string: "no"',
      "while calling operator on genericClosure element { key = 1; }",
    ],
    [
      "builtins.genericClosure { startSet = [ { key = 1; } ]; operator = x: [ 1 ]; }",
      "expected a set but found an integer: 1",
      "in genericClosure element 1",
    ],
  ];
  test.each(cases)("%s", (expr, message, trace) => {
    const e = failure(expr);
    expect(e.message).toBe(message);
    if (trace !== null) expect(e.traces.map((t) => t.message)).toContain(trace);
  });
});

describe("genericClosure keys", () => {
  const closure = (keys: string) =>
    `map (e: e.key) (builtins.genericClosure { startSet = map (key: { inherit key; }) [ ${keys} ]; operator = x: [ ]; })`;

  test.each([
    ['"b" "a" "b" "a"', '[ "b" "a" ]'],
    ["3 1 3 2 1", "[ 3 1 2 ]"],
    ["1 1.0 2.5 2", "[ 1 2.5 2 ]"],
    ["1.0 1", "[ 1 ]"],
    ["/a /b /a", "[ /a /b ]"],
    ["[ 1 ] [ 1 ] [ ] [ 1 2 ]", "[ [ 1 ] [ ] [ 1 2 ] ]"],
    ["true", "[ true ]"],
  ])("keys %s", (keys, out) => expect(run(closure(keys))).toBe(out));

  test("keys of incomparable types name both elements", () => {
    const e = failure(closure('"a" 1'));
    expect(e.message).toBe('cannot compare an integer with a string; values are 1 and "a"');
    expect(e.traces.slice(0, 2).map((t) => t.message)).toEqual([
      'with element { key = "a"; }',
      "while comparing element { key = 1; }",
    ]);
  });

  test("mixed incomparable keys in the ordered set", () => {
    const e = failure(closure("1.5 [ ]"));
    expect(e.message).toBe("cannot compare a list with a float; values are [ ] and 1.5");
    expect(e.traces.map((t) => t.message)).toContain("with element { key = 1.5; }");
  });

  test("two Boolean keys cannot be compared", () => {
    expect(failure(closure("true false")).message).toMatch(
      /^cannot compare a Boolean with a Boolean; values of that type are incomparable/,
    );
  });

  test("the operator sees each new element once, breadth first", () => {
    expect(
      run(
        "map (e: e.key) (builtins.genericClosure { startSet = [ { key = 0; } ]; operator = x: if x.key >= 6 then [ ] else [ { key = x.key + 2; } { key = x.key + 3; } ]; })",
      ),
    ).toBe("[ 0 2 3 4 5 6 7 8 ]");
  });
});
