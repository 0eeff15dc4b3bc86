// builtins.match / builtins.split and the POSIX-ERE engine (posix-regex.ts).
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { PosixRegex, RegexError, type SplitResult } from "./posix-regex.js";

function run(expr: string): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  return ev.print(ev.evalString(expr), { strict: true });
}

function failure(expr: string, showTrace = false): string {
  const ev = new Evaluator({ io: createMemoryIO({}, {}) });
  try {
    ev.print(ev.evalString(expr), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return e.format({ showTrace });
    throw e;
  }
  throw new Error("expected an error: " + expr);
}

const haveNix = (() => {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("engine selection", () => {
  const cases: [string, "js" | "nfa", "js" | "nfa"][] = [
    ["foo(bar)*", "js", "js"],
    ["[[:alpha:]]+([0-9]+)", "js", "js"],
    ["(a|b)c", "js", "nfa"], // `|` keeps the longest branch in split
    ["(a*)*", "nfa", "nfa"], // repetition of something that matches empty
    ["(a?)+", "nfa", "nfa"],
    ["((a)|b)*", "nfa", "nfa"], // optional capture inside a repetition
    ["((a)b)*", "js", "js"], // mandatory capture inside a repetition
    ["a**", "nfa", "nfa"],
  ];
  test.each(cases)("%s: match via %s, split via %s", (p, m, s) => {
    expect(new PosixRegex(p).engines).toEqual({ match: m, split: s });
  });
});

const compiles = (p: string) => {
  try {
    new PosixRegex(p);
    return true;
  } catch (e) {
    if (e instanceof RegexError) return false;
    throw e;
  }
};
const nixStr = (s: string) => JSON.stringify(s).replace(/\$\{/g, "\\${");

/** Random POSIX EREs built from `atom`s: concatenation, groups, quantifiers, alternation. */
function ere(atom: fc.Arbitrary<string>, quantifiers: string[], depth: number): fc.Arbitrary<string> {
  if (depth === 0) return atom;
  const sub = ere(atom, quantifiers, depth - 1);
  return fc.oneof(
    atom,
    fc.tuple(sub, sub).map(([a, b]) => a + b),
    sub.map((a) => "(" + a + ")"),
    fc
      .tuple(sub, fc.constantFrom(...quantifiers))
      .map(([a, q]) => (/[*+?}]$/.test(a) ? "(" + a + ")" : a) + q),
    fc.tuple(sub, sub).map(([a, b]) => "(" + a + "|" + b + ")"),
  );
}

const show = (r: SplitResult | null) => (r === null ? null : JSON.stringify(r));

describe("V8 fast path agrees with the libstdc++ executor where it is used", () => {
  const atom = fc.constantFrom("a", "b", ".", "[ab]", "[^a]", "^", "$", "x");
  const pattern = ere(atom, ["*", "+", "?", "{2}", "{1,2}", "{0,1}"], 4);
  const subject = fc.stringMatching(/^[abx]{0,8}$/);

  test("match and split", () => {
    fc.assert(
      fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 6 }), (p, subjects) => {
        if (!compiles(p)) return;
        const auto = new PosixRegex(p);
        const nfa = new PosixRegex(p, "nfa");
        for (const s of subjects) {
          if (auto.engines.match === "js") expect(auto.match(s)).toEqual(nfa.match(s));
          if (auto.engines.split === "js") expect(show(auto.split(s))).toEqual(show(nfa.split(s)));
        }
      }),
      { numRuns: 1500, seed: 42 },
    );
  });

  test("non-ASCII subjects are matched byte by byte on both paths", () => {
    for (const engine of ["auto", "nfa"] as const) {
      expect(new PosixRegex("(.)(.)x", engine).match("éx")!.length).toBe(2);
      expect(new PosixRegex("[^a]", engine).match("é")).toBeNull();
      expect(new PosixRegex("(ü+)", engine).match("üü")).toBeNull();
      expect(new PosixRegex("((ü)+)", engine).match("üü")).toEqual(["üü", "ü"]);
      expect(show(new PosixRegex("(,)", engine).split("é,ü"))).toBe(
        JSON.stringify({ pieces: [{ before: "é", groups: [","] }], after: "ü" }),
      );
    }
  });
});

describe.skipIf(!haveNix)("the executor agrees with nix-instantiate on random patterns", () => {
  test("300 random (pattern, subject) pairs in one nix-instantiate run", () => {
    const atom = fc.constantFrom("a", "b", ".", "[ab]", "^", "$", "()");
    const pattern = ere(atom, ["*", "+", "?", "{1,2}"], 4);
    const pairs = fc
      .sample(fc.tuple(pattern, fc.stringMatching(/^[ab]{0,6}$/), fc.boolean()), { numRuns: 400, seed: 7 })
      .filter(([p]) => compiles(p))
      .slice(0, 300);
    expect(pairs.length).toBe(300);
    const exprs = pairs.map(
      ([p, s, split]) => `(builtins.${split ? "split" : "match"} ${nixStr(p)} ${nixStr(s)})`,
    );
    const expected = execFileSync(
      "nix-instantiate",
      ["--eval", "--strict", "-E", "[ " + exprs.join(" ") + " ]"],
      { encoding: "utf8" },
    );
    expect(run("[ " + exprs.join(" ") + " ]")).toBe(expected.trim());
  });
});

describe("builtins", () => {
  test.each([
    ['builtins.match "(a)(b)?" "a"', '[ "a" null ]'],
    ['builtins.match "ab" "abc"', "null"],
    ['builtins.split "(a)b" "abc"', '[ "" [ "a" ] "c" ]'],
    ['builtins.split "([ac])" "abc"', '[ "" [ "a" ] "b" [ "c" ] "" ]'],
    ['builtins.split "a|ab" "xabx"', '[ "x" [ ] "x" ]'],
    ['builtins.match "x" (builtins.throw "no")', "__error"],
  ])("%s", (expr, want) => {
    if (want === "__error") expect(failure(expr)).toContain("no");
    else expect(run(expr)).toBe(want);
  });

  test("an invalid regex is reported before the string is forced", () => {
    expect(failure('builtins.match "(" (throw "not reached")')).toContain(
      "error: invalid regular expression '('",
    );
    expect(failure('builtins.split "a{99999}" (throw "not reached")')).toContain(
      "error: memory limit exceeded by regular expression 'a{99999}'",
    );
  });

  test("argument errors carry Nix's trace frames", () => {
    const e = failure("builtins.match 1 { }", true);
    expect(e).toContain("… while calling the 'match' builtin");
    expect(e).toContain("… while evaluating the first argument passed to builtins.match");
    expect(e).toContain("error: expected a string but found an integer: 1");
  });

  test("a regex with a string context is refused", () => {
    const ctx =
      'builtins.appendContext "a" { "/nix/store/11111111111111111111111111111111-bar" = { path = true; }; }';
    expect(failure(`builtins.match (${ctx}) "a"`)).toContain("is not allowed to refer to a store path");
  });

  test("split keeps the argument (and its context) when nothing matches, and drops context otherwise", () => {
    const ctx =
      'builtins.appendContext "axb" { "/nix/store/11111111111111111111111111111111-bar" = { path = true; }; }';
    expect(run(`builtins.hasContext (builtins.head (builtins.split "q" (${ctx})))`)).toBe("true");
    expect(run(`builtins.hasContext (builtins.head (builtins.split "x" (${ctx})))`)).toBe("false");
    expect(run(`builtins.match "(a).*" (${ctx})`)).toBe('[ "a" ]');
  });

  test("long subjects do not overflow the stack on the NFA path", () => {
    const s = "ab".repeat(50000);
    expect(new PosixRegex("(a|b)*").engines.split).toBe("nfa");
    const r = new PosixRegex("(a|b)*").split(s)!;
    expect(r.pieces[0]!.groups).toEqual(["b"]);
    expect(new PosixRegex("((a|b)*)c", "nfa").match(s + "c")![0]!.length).toBe(s.length);
  });

  test("compile errors are RegexError", () => {
    expect(() => new PosixRegex("(")).toThrow(RegexError);
    expect(() => new PosixRegex("a{100000}")).toThrow(expect.objectContaining({ space: true }));
  });
});
