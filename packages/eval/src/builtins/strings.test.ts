// toString stringLength substring replaceStrings concatStringsSep baseNameOf dirOf:
// laziness, context propagation, byte semantics and error traces.
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { byteSlice, fromByteString, toByteString, utf8Length } from "./strings.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return ev.print(ev.evalString(expr), { strict: true });
}

function failure(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  try {
    ev.print(ev.evalString(expr), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return e.format({ showTrace: true });
    throw e;
  }
  throw new Error("expected an error: " + expr);
}

const P = "/nix/store/11111111111111111111111111111111-bar";
const withCtx = (s: string) => `(builtins.appendContext ${JSON.stringify(s)} { "${P}" = { path = true; }; })`;
const ctxOf = (e: string) => run(`builtins.attrNames (builtins.getContext (${e}))`);

describe("UTF-8 helpers", () => {
  test.each([
    ["", 0],
    ["abc", 3],
    ["é", 2],
    ["€", 3],
    ["😀", 4],
    ["a😀é", 7],
  ])("utf8Length(%j) = %d", (s, n) => {
    expect(utf8Length(s)).toBe(n);
    expect(toByteString(s).length).toBe(n);
    expect(fromByteString(toByteString(s))).toBe(s);
  });

  test("byteSlice cuts on bytes; a cut character decodes to U+FFFD", () => {
    expect(byteSlice("éa", 0, 2)).toBe("é");
    expect(byteSlice("éa", 2, -1)).toBe("a");
    expect(byteSlice("éa", 1, 1)).toBe("\uFFFD");
  });
});

describe("toString", () => {
  test.each([
    ["toString 1.5", '"1.500000"'],
    ["toString [ 1 [ ] 2 null false true ]", '"1 2   1"'],
    ['toString { outPath = "/p"; }', '"/p"'],
    ["toString { __toString = self: self.x; x = 3; }", '"3"'],
    ["toString ./.", '"/"'],
  ])("%s", (e, want) => expect(run(e)).toBe(want));

  test("keeps context", () => expect(ctxOf(`toString [ ${withCtx("a")} "b" ]`)).toBe(`[ "${P}" ]`));

  test("functions cannot be coerced", () => {
    const f = failure("toString (x: x)");
    expect(f).toContain("… while evaluating the first argument passed to builtins.toString");
    expect(f).toContain("error: cannot coerce a function to a string");
  });
});

describe("substring", () => {
  test.each([
    ['builtins.substring 0 3 "nixos"', '"nix"'],
    ['builtins.substring 3 (-1) "tebbad"', '"bad"'],
    ['builtins.substring 10 2 "abc"', '""'],
    ['builtins.substring 1 9223372036854775807 "abc"', '"bc"'],
    ['builtins.substring 2 2 "aéb"', '"\uFFFDb"'],
    ['builtins.stringLength (builtins.substring 1 2 "aéb")', "2"],
  ])("%s", (e, want) => expect(run(e)).toBe(want));

  test("keeps context, also for an empty result", () => {
    expect(ctxOf(`builtins.substring 1 1 ${withCtx("abc")}`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`builtins.substring 0 0 ${withCtx("abc")}`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`builtins.substring 9 1 ${withCtx("abc")}`)).toBe(`[ "${P}" ]`);
  });

  test("the start is checked before the length is forced", () => {
    expect(failure('builtins.substring (-1) (throw "len") "x"')).toContain(
      "negative start position in 'substring'",
    );
  });

  test("a zero length still coerces a non-string", () => {
    expect(failure("builtins.substring 0 0 1")).toContain("cannot coerce an integer to a string");
  });
});

describe("replaceStrings", () => {
  test("replacements are forced only when used, once", () => {
    expect(run('builtins.replaceStrings [ "a" "b" ] [ "x" (throw "unused") ] "aaa"')).toBe('"xxx"');
    expect(failure('builtins.replaceStrings [ "a" "b" ] [ "x" (throw "used") ] "ab"')).toContain("used");
  });

  test("the pattern list is forced before the subject", () => {
    expect(failure('builtins.replaceStrings [ 1 ] [ "x" ] (throw "subject")')).toContain(
      "expected a string but found an integer",
    );
  });

  test("empty patterns insert between bytes", () => {
    expect(run('builtins.replaceStrings [ "" ] [ "-" ] "ab"')).toBe('"-a-b-"');
    expect(run('builtins.stringLength (builtins.replaceStrings [ "" ] [ "-" ] "é")')).toBe("9"); // - \xC3 - \xA9 - as U+FFFD (3 bytes each)
  });

  test("context comes from the subject and the replacements used", () => {
    expect(ctxOf(`builtins.replaceStrings [ "a" ] [ "b" ] ${withCtx("a")}`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`builtins.replaceStrings [ "a" ] [ ${withCtx("b")} ] "xa"`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`builtins.replaceStrings [ "q" ] [ ${withCtx("b")} ] "xa"`)).toBe("[ ]");
    expect(ctxOf(`builtins.replaceStrings [ ${withCtx("a")} ] [ "b" ] "xa"`)).toBe("[ ]");
  });

  test("handles a long subject", () => {
    const n = 200000;
    expect(
      run(
        `builtins.stringLength (builtins.replaceStrings [ "ab" ] [ "c" ] (builtins.concatStringsSep "" (builtins.genList (_: "ab") ${n})))`,
      ),
    ).toBe(String(n));
  });
});

describe("concatStringsSep / baseNameOf / dirOf", () => {
  test("separator context is kept even for an empty list", () => {
    expect(ctxOf(`builtins.concatStringsSep ${withCtx(",")} [ ]`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`builtins.concatStringsSep "," [ "a" ${withCtx("b")} ]`)).toBe(`[ "${P}" ]`);
  });

  test("elements are not coerced with toString's rules", () => {
    expect(failure('builtins.concatStringsSep "," [ null ]')).toContain("cannot coerce null to a string");
  });

  test.each([
    ["baseNameOf /a/b", '"b"'],
    ['baseNameOf "a//"', '""'],
    ["dirOf /a/b", "/a"],
    ["dirOf /.", "/"],
    ['dirOf "a///b"', '"a//"'],
    ['dirOf "//"', '"/"'],
    ["builtins.typeOf (dirOf ./x)", '"path"'],
  ])("%s", (e, want) => expect(run(e)).toBe(want));

  test("keep context", () => {
    expect(ctxOf(`baseNameOf ${withCtx("a/b")}`)).toBe(`[ "${P}" ]`);
    expect(ctxOf(`dirOf ${withCtx("a/b")}`)).toBe(`[ "${P}" ]`);
  });
});
