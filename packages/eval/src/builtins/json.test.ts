// toJSON / fromJSON behaviour of current Nix that Nix 2.8 does not share (the golden table
// golden/json.json covers the rest): nlohmann float output, peeling, int64 bounds, error texts.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { NixAttrs, NixFloat, type Lazy } from "../values.js";
import { parseJSON, parseJSONExactly, parseWithJSONParse } from "./json-parse.js";

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

/** A parsed value as plain data that tells floats from integers (the printer does not). */
function shape(v: Lazy): unknown {
  if (v instanceof NixFloat) return { float: v.value };
  if (typeof v === "number" || typeof v === "bigint") return { int: Object.is(v, -0) ? "-0" : String(v) };
  if (Array.isArray(v)) return (v as Lazy[]).map(shape);
  if (v instanceof NixAttrs) return { names: [...v.names], values: v.values.map(shape) };
  return v;
}

function outcome(parse: (s: string) => Lazy, text: string): unknown {
  try {
    return shape(parse(text));
  } catch (e) {
    if (e instanceof NixError) return { error: e.message };
    throw e;
  }
}

describe("fromJSON through JSON.parse", () => {
  test.each([
    '{"b": [1, {"y": null, "x": true}], "a": "s"}',
    '{"10": 1, "9": 2, "__proto__": 3}',
    '[999999999999999, -999999999999999, 0, "1.5", "x -0: 1", "a\\\\b\\u00e9\\ud83d\\ude00"]',
    '{"k": 1, "k": 2}',
    "[1.5, -0.25, 0.1, 123.456, -0.05, 9999999999999.9]",
    '{"x": 0.5, "y": [0.125]}',
    "2.5",
    '{"\\ud83d\\ude00": ["\\ud83d\\ude00x", "\ud83d\ude00"]}',
    '  "plain"\n',
  ])("plain JSON %s is taken, with the exact parser's value", (text) => {
    expect(parseWithJSONParse(text)).not.toBeUndefined();
    expect(outcome(parseJSON, text)).toEqual(outcome(parseJSONExactly, text));
  });

  test("names sort as Nix sorts them; integer-like names are names", () => {
    const v = parseWithJSONParse('{"10": 1, "9": 2, "__proto__": 3, "b": {}, "a": []}') as NixAttrs;
    expect(v.names).toEqual(["10", "9", "__proto__", "a", "b"]);
  });

  test.each([
    "1.0",
    "[1, 2.0]",
    "[2.50e1]",
    '{"a": 1e3}',
    "[0E0]",
    "[0.00]",
    "[-0.0]",
    "[999999999999999.01]",
    "[0.1234567890123456]",
    "-0",
    "[1,-0]",
    '{"a":-0}',
    "9007199254740993",
    "[1234567890123456]",
    '"\\u0000"',
    '{"a\\u0000": 1}',
    '"\\ud800"',
    '"\\uDC00"',
    '"\\ude00\\ud83d"',
    '"\\\\ud800\\udc00"',
    '["\\ud83d\\ude00", "\ude00"]',
    "[1,",
    "",
    "1\u0000",
    "[01]",
  ])("%j is left to the exact parser", (text) => {
    expect(parseWithJSONParse(text)).toBeUndefined();
  });

  test("both parsers agree on generated documents, valid or not", () => {
    // JSON without floats, which the fast path takes when the text is valid.
    const { doc } = fc.letrec((tie) => ({
      doc: fc.oneof(
        { depthSize: "small" },
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
        fc.constantFrom(0, -1, 10, 999999999999999, -999999999999999, true, false, null),
        fc.string({ unit: "grapheme", maxLength: 8 }),
        fc.array(tie("doc"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie("doc"), { maxKeys: 5 }),
      ),
    }));
    let taken = 0;
    const text = fc.oneof(
      fc.tuple(doc, fc.constantFrom(undefined, 1, " ")).map(([v, indent]) => JSON.stringify(v, null, indent)),
      fc
        .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(undefined, 0, 1, "\t"))
        .map(([v, indent]) => JSON.stringify(v, null, indent) ?? "null"),
      fc.string({ unit: "binary", maxLength: 20 }).map((s) => JSON.stringify({ [s]: [s, 1, -0] })),
      fc
        .tuple(
          fc.json({ maxDepth: 3 }),
          fc.nat(),
          fc.constantFrom("-0", "1.0", "0.5", "-0.0", ",", "]", "\u0000", '"', "\\"),
        )
        .map(([j, at, ins]) => j.slice(0, at % (j.length + 1)) + ins + j.slice(at % (j.length + 1))),
    );
    fc.assert(
      fc.property(text, (t) => {
        if (parseWithJSONParse(t) !== undefined) taken++;
        expect(outcome(parseJSON, t)).toEqual(outcome(parseJSONExactly, t));
      }),
      { numRuns: 2000 },
    );
    expect(taken).toBeGreaterThan(400);
  });

  test("objects of one shape share their names; many shapes stay apart", () => {
    const records = Array.from({ length: 40 }, (_, i) => {
      const k = `k${i % 11}`;
      return i % 2 ? `{"z": ${i}, "${k}": [${i}], "a": {"y": ${i}, "x": "${k}"}}` : `{"${k}": ${i}}`;
    });
    const text = `[${records.join(", ")}]`;
    const fast = parseWithJSONParse(text) as NixAttrs[];
    expect(shape(fast)).toEqual(shape(parseJSONExactly(text)));
    expect(fast[1]!.names).toEqual(["a", "k1", "z"]);
    expect(fast[23]!.names).toEqual(fast[1]!.names); // k1 again, after more shapes than remembered
    const pair = parseWithJSONParse('[{"b": 1, "a": 2}, {"b": 3, "a": 4}]') as NixAttrs[];
    expect(pair[0]!.names).toBe(pair[1]!.names);
    expect(shape(pair)).toEqual(shape(parseJSONExactly('[{"a": 2, "b": 1}, {"a": 4, "b": 3}]')));
  });

  test("deep nesting parses", () => {
    const depth = 20000;
    const v = parseJSON("[".repeat(depth) + "]".repeat(depth));
    let d = 0;
    for (let x = v as Lazy[]; x.length > 0; x = x[0] as Lazy[]) d++;
    expect(d).toBe(depth - 1);
  });
});
