// toJSON / fromJSON behaviour of current Nix that Nix 2.8 does not share (the golden table
// golden/json.json covers the rest): nlohmann float output, peeling, int64 bounds, error texts.
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({ "/d/f.txt": "x" }) });
  try {
    return ev.print(ev.evalString(expr, { baseDir: "/d" }), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return "error: " + e.message;
    throw e;
  }
}

describe("builtins.toJSON", () => {
  test.each([
    ["[ 1.0 0.5 (0.0 * -1) 0.0 ]", '"[1.0,0.5,-0.0,0.0]"'],
    ["[ 1.0e15 1.0e14 123456789.125 ]", '"[1e+15,100000000000000.0,123456789.125]"'],
    ["[ 1.5e-5 0.0001 0.00012 1.0e-7 1.0e300 ]", '"[1.5e-05,0.0001,0.00012,1e-07,1e+300]"'],
    ["(1.0 / 3)", '"0.3333333333333333"'],
    ["[ 1.7976931348623157e308 5.0e-324 ]", '"[1.7976931348623157e+308,5e-324]"'],
    ['(builtins.fromJSON "\\"\\\\u007f\\\\u0001\\\\r\\"")', '"\\"\u007f\\\\u0001\\\\r\\""'],
  ])("%s", (e, out) => expect(run(`builtins.toJSON ${e}`)).toBe(out));

  test("peels __toString before outPath and outPath to a plain value", () => {
    expect(run('builtins.toJSON { __toString = s: "won"; outPath = abort "no"; }')).toBe('"\\"won\\""');
    expect(run("builtins.toJSON { outPath = 42; }")).toBe('"42"');
    expect(run("builtins.toJSON { outPath = { a = 1; }; }")).toBe('"{\\"a\\":1}"');
    expect(run('builtins.toJSON { __toString = s: { outPath = "deep"; }; }')).toBe('"\\"deep\\""');
  });

  test("a path is copied to the store, except when it comes from __toString", () => {
    expect(run("builtins.toJSON { __toString = s: /d/f.txt; }")).toBe('"\\"/d/f.txt\\""');
  });

  test("__toString must lead to a string", () => {
    expect(run("builtins.toJSON { __toString = s: 42; }")).toBe(
      "error: `__toString` should return a string, but got an integer: 42",
    );
    expect(run("builtins.toJSON { __toString = s: { }; }")).toBe(
      "error: `__toString` must return a string, but got a set: { }",
    );
  });

  test("functions cannot be serialised", () => {
    expect(run("builtins.toJSON [ (x: x) ]")).toBe("error: cannot convert a function to JSON");
  });

  test("the string context survives", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const v = ev.evalString(
      'builtins.getContext (builtins.toJSON [ (builtins.appendContext "x" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }) ])',
    );
    expect(ev.print(v, { strict: true })).toBe(
      '{ "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }',
    );
  });

  test("deep nesting is a Nix stack overflow, not a JS crash", () => {
    const ev = new Evaluator({ io: createMemoryIO({}), maxCallDepth: 500 });
    expect(() =>
      ev.evalString(
        "builtins.toJSON (builtins.foldl' (t: h: { inherit h t; }) null (builtins.genList (x: x) 1000))",
      ),
    ).toThrow("stack overflow; max-call-depth exceeded");
  });
});

describe("builtins.fromJSON", () => {
  test.each([
    ["9223372036854775807", "9223372036854775807"],
    ["-9223372036854775808", "-9223372036854775808"],
    ["-9223372036854775809", "-9.22337e+18"],
    ["18446744073709551616", "1.84467e+19"],
    ["1.0", "1"],
    ["[1.5,2]", "[ 1.5 2 ]"],
    ['"\\ud83d\\ude00"', '"😀"'],
    ['{"b":1,"a":2,"b":3}', "{ a = 2; b = 3; }"],
  ])("%s", (json, out) => expect(run(`builtins.fromJSON ${JSON.stringify(json)}`)).toBe(out));

  test.each([
    ["18446744073709551615", "unsigned json number 18446744073709551615 outside of Nix integer range"],
    ["9223372036854775808", "unsigned json number 9223372036854775808 outside of Nix integer range"],
    [
      "",
      "[json.exception.parse_error.101] parse error at line 1, column 1: attempting to parse an empty input; check that your input string or stream contains the expected JSON",
    ],
    [
      " ",
      "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal",
    ],
    ['"a\\u0000b"', "input string 'a␀b' cannot be represented as Nix string because it contains null bytes"],
    [
      '{"a\\u0000":1}',
      "input string 'a␀' cannot be represented as Nix string because it contains null bytes",
    ],
    [
      '"é\t"',
      "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error while parsing value - invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t; last read: '\"é<U+0009>'",
    ],
    [
      '"a\\nbé😀\t"',
      "[json.exception.parse_error.101] parse error at line 1, column 12: syntax error while parsing value - invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t; last read: '\"a\\nbé😀<U+0009>'",
    ],
  ])("%j fails", (json, msg) =>
    expect(run(`builtins.fromJSON ${JSON.stringify(json)}`)).toBe("error: " + msg),
  );

  test("object members sort by name; a repeated name keeps its last value", () => {
    const json = '{"b": 1, "a": 2, "b": 3, "c": {}, "a": [4], "d": {"y": 1, "x": 2, "y": 5}}';
    expect(run(`builtins.fromJSON ${JSON.stringify(json)}`)).toBe(
      "{ a = [ 4 ]; b = 3; c = { }; d = { x = 2; y = 5; }; }",
    );
  });

  test("a large unsorted object with repeated names", () => {
    const members = Array.from({ length: 60 }, (_, i) => `"k${String(59 - i).padStart(2, "0")}": ${i}`);
    const json = `{${members.join(", ")}, "k30": "last", "k00": "end"}`;
    const names = Array.from({ length: 60 }, (_, i) => `"k${String(i).padStart(2, "0")}"`).join(" ");
    expect(run(`builtins.attrNames (builtins.fromJSON ${JSON.stringify(json)})`)).toBe(`[ ${names} ]`);
    expect(run(`with builtins.fromJSON ${JSON.stringify(json)}; [ k00 k01 k30 k59 ]`)).toBe(
      '[ "end" 58 "last" 0 ]',
    );
  });

  test("strings mixing plain runs, escapes and non-ASCII text decode whole", () => {
    const json = '{"k\\u00e9y": ["x\\"y\\u00e9z 😀 end", "plain", "\\\\tail\\/"]}';
    expect(run(`builtins.fromJSON ${JSON.stringify(json)}`)).toBe(
      '{ "kéy" = [ "x\\"yéz 😀 end" "plain" "\\\\tail/" ]; }',
    );
  });

  test("a syntax error names the builtin and the decoding", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    try {
      ev.evalString('builtins.fromJSON "[1,"');
      expect.unreachable();
    } catch (e) {
      expect((e as NixError).format({ showTrace: true })).toContain("… while decoding a JSON string");
    }
  });

  test("the argument must be a string without context", () => {
    expect(run("builtins.fromJSON 1")).toBe("error: expected a string but found an integer: 1");
  });
});
