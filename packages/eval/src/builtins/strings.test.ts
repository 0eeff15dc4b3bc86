// toString stringLength substring replaceStrings concatStringsSep baseNameOf dirOf:
// laziness, context propagation, byte semantics and error traces.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO } from "../index.js";
import { byteSlice, fromByteString, toByteString, utf8Length, utf8LengthPortable } from "./strings.js";
import { nixErrorText } from "../test-support/errors.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return ev.print(ev.evalString(expr), { strict: true });
}

function failure(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return nixErrorText(() => ev.print(ev.evalString(expr), { strict: true }), expr);
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

  test("utf8Length of long text agrees with TextEncoder (chunk edges, surrogate pairs, lone halves)", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.constantFrom(63, 64, 4095, 4096, 8191, 8192, 20000),
        fc.array(fc.tuple(fc.nat(20000), fc.constantFrom("é", "😀", "€", "\uD800", "\uDC00", "\uD83D")), {
          maxLength: 6,
        }),
        (length, inserts) => {
          let s = "a".repeat(length);
          for (const [at, piece] of inserts) {
            const i = Math.min(at, s.length);
            s = s.slice(0, i) + piece + s.slice(i);
          }
          const want = encoder.encode(s).length;
          expect(utf8Length(s)).toBe(want);
          expect(utf8Length(s)).toBe(want); // the cached answer too
          expect(utf8LengthPortable(s)).toBe(want); // what a browser (no Buffer) computes
        },
      ),
      { numRuns: 300 },
    );
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
    ['builtins.substring 0 1 "aéb"', '"a"'],
    ['builtins.substring 1 2 "aéb"', '"é"'],
    ['builtins.substring 3 5 "aéb"', '"b"'],
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

test("substring takes the bytes of the UTF-8 encoding, whatever the start and length", () => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a", "b", "é", "😀", "日"), { maxLength: 12 }).map((xs) => xs.join("")),
      fc.nat(30),
      fc.integer({ min: -1, max: 30 }),
      (str, start, len) => {
        const bytes = encoder.encode(str);
        const want =
          len === 0 ? "" : decoder.decode(bytes.subarray(start, len < 0 ? undefined : start + len));
        expect(run(`builtins.substring ${start} (${len}) ${JSON.stringify(str)}`)).toBe(JSON.stringify(want));
      },
    ),
    { numRuns: 200 },
  );
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

  // Nix's algorithm, position by position: the first pattern that matches here wins.
  const reference = (from: string[], to: string[], s: string): string => {
    let out = "";
    for (let p = 0; p < s.length;) {
      const j = from.findIndex((f) => s.startsWith(f, p));
      if (j < 0) out += s[p++];
      else {
        out += to[j];
        p += from[j]!.length;
      }
    }
    return out;
  };
  const nixStr = (s: string) => JSON.stringify(s).replaceAll("${", "\\${");
  const nixList = (xs: string[]) => `[ ${xs.map(nixStr).join(" ")} ]`;

  test("agrees with Nix's first-match-at-each-position rule, short and long subjects", () => {
    const piece = fc.constantFrom("a", "b", "ab", "ba", "é", "😀", "$", "{", "\\", "-");
    const pattern = fc.array(piece, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(""));
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            pattern,
            fc.array(piece, { maxLength: 2 }).map((xs) => xs.join("")),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.array(piece, { maxLength: 40 }),
        fc.integer({ min: 0, max: 1 }),
        (pairs, subjectPieces, long) => {
          const from = pairs.map(([f]) => f);
          const to = pairs.map(([, t]) => t);
          // A long subject (past the size where lengths are cached) repeats the short one.
          const subject = subjectPieces.join("").repeat(long ? 300 : 1);
          const got = run(`builtins.replaceStrings ${nixList(from)} ${nixList(to)} ${nixStr(subject)}`);
          expect(got).toBe(run(nixStr(reference(from, to, subject))));
        },
      ),
      { numRuns: 150 },
    );
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
