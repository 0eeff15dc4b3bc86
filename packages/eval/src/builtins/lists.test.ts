// List builtins: the golden table (recorded from nix-instantiate, see
// golden/record-lists-attrs.mjs), then laziness, errors/traces and sorting as
// current Nix does them.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { peeksort } from "./lists.js";

interface GoldenCase {
  expr: string;
  out?: string;
  err?: string;
  nix28?: unknown;
}

const golden = JSON.parse(readFileSync(new URL("./golden/lists.json", import.meta.url), "utf8")) as {
  cases: GoldenCase[];
};

function evaluator(onTrace?: (m: string) => void) {
  return new Evaluator({ io: createMemoryIO({}), onTrace });
}

function run(expr: string): string {
  const ev = evaluator();
  return ev.print(ev.evalString(expr), { strict: true });
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

function nixLive(expr: string): { out?: string; failed?: boolean } {
  try {
    return {
      out: execFileSync("nix-instantiate", ["--eval", "--strict", "-E", expr], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }).replace(/\n$/, ""),
    };
  } catch {
    return { failed: true };
  }
}

const haveNix = (() => {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("golden table (lists)", () => {
  test.each(golden.cases)("$expr", (c) => {
    if (c.out !== undefined) expect(run(c.expr)).toBe(c.out);
    else expect(failure(c.expr).message).toBe(c.err);
  });

  test.skipIf(!haveNix)("agrees with live nix-instantiate where 2.8 agrees with current Nix", () => {
    for (const c of golden.cases.filter((x) => x.nix28 === undefined)) {
      const live = nixLive(c.expr);
      if (c.out !== undefined) expect(live.out, c.expr).toBe(c.out);
      else expect(live.failed, c.expr).toBe(true);
    }
  });
});

describe("laziness", () => {
  const cases: [string, string][] = [
    // map returns thunks of `f x`; the function is not applied until an element is needed
    ['let l = map (x: throw "boom") [ 1 2 ]; in builtins.length l', "2"],
    ['builtins.elemAt (map (x: if x == 1 then throw "boom" else x) [ 1 2 ]) 1', "2"],
    // genList elements are lazy too; the function itself is forced
    ['builtins.elemAt (builtins.genList (i: if i == 0 then throw "boom" else i) 3) 2', "2"],
    // filter keeps the elements themselves (unforced) and shares the list when all are kept
    ['builtins.length (builtins.filter (x: true) [ (throw "a") (throw "b") ])', "2"],
    ["let l = [ 1 2 ]; in builtins.filter (x: true) l == l", "true"],
    // foldl' forces each application but neither the elements nor the initial value
    ['builtins.foldl\' (acc: x: acc + 1) 0 [ (throw "a") (throw "b") ]', "2"],
    ['builtins.foldl\' (_: x: x) (throw "nul") [ 1 2 ]', "2"],
    // concatLists / concatMap force the spine only
    ['builtins.length (builtins.concatLists [ [ (throw "a") ] [ (throw "b") ] ])', "2"],
    ['builtins.length (builtins.concatMap (x: [ (throw "a") x ]) [ 1 2 ])', "4"],
    // any / all short-circuit; partition and groupBy keep the original elements
    ['builtins.any (x: x == 1) [ 1 (throw "never") ]', "true"],
    ['builtins.all (x: x == 1) [ 2 (throw "never") ]', "false"],
    [
      '(builtins.groupBy (x: x.g) [ { g = "a"; v = 1; } { g = "a"; v = 2; } ]).a',
      '[ { g = "a"; v = 1; } { g = "a"; v = 2; } ]',
    ],
    // elem does not force its first argument for an empty list
    ['builtins.elem (throw "never") [ ]', "false"],
    // head / tail / elemAt do not force other elements
    ['builtins.length (builtins.tail [ (throw "a") (throw "b") ])', "1"],
    // sort forces elements and calls the comparator only when there are two or more
    ['builtins.sort (a: b: throw "never called") [ 1 ]', "[ 1 ]"],
  ];
  test.each(cases)("%s", (expr, out) => expect(run(expr)).toBe(out));

  test("map applies the function at most once per element", () => {
    const traces: string[] = [];
    const ev = evaluator((m) => traces.push(m));
    const v = ev.evalString(
      'let l = map (x: builtins.trace "called" x) [ 1 2 ]; in [ (builtins.head l) (builtins.head l) l ]',
    );
    expect(ev.print(v, { strict: true })).toBe("[ 1 1 [ 1 2 ] ]");
    expect(traces).toEqual(["trace: called", "trace: called"]);
  });
});

describe("errors and traces (current Nix)", () => {
  test("foldl' forces the result of every application, even an unused one", () => {
    const e = failure('builtins.foldl\' (_: f: f null) null [ (_: throw "forced") (_: 23) ]');
    expect(e.message).toBe("forced");
    expect(e.format({ showTrace: true })).not.toContain(
      "from call site\n       … while calling the 'foldl''",
    );
  });

  test("callbacks are called without a call site (no positionless 'from call site' frame)", () => {
    for (const expr of [
      'builtins.filter (x: x + "a") [ 1 ]',
      'builtins.sort (a: b: a + "x") [ 1 2 ]',
      'builtins.any (x: x + "a") [ 1 ]',
      'builtins.foldl\' (a: b: a + "x") 1 [ 2 ]',
    ]) {
      const e = failure(expr);
      expect(
        e.traces.filter((t) => t.message === "from call site" && t.span === null),
        expr,
      ).toEqual([]);
      expect(
        e.traces.some((t) => t.message === "while calling anonymous lambda"),
        expr,
      ).toBe(true);
    }
  });

  test("genList elements use the generator's position as their call site", () => {
    const e = failure('builtins.genList (x: x + "foo") 2');
    const site = e.traces.find((t) => t.message === "from call site");
    expect(site?.span?.column).toBe(19); // the `x:` of the generator
    expect(e.traces.map((t) => t.message)).toContain("while evaluating list element at index 0");
  });

  test("type errors name the argument, as Nix", () => {
    const cases: [string, string, string][] = [
      [
        "builtins.head 1",
        "expected a list but found an integer: 1",
        "while evaluating the first argument passed to 'builtins.head'",
      ],
      [
        'builtins.elemAt [ ] "x"',
        'expected an integer but found a string: "x"',
        "while evaluating the second argument passed to 'builtins.elemAt'",
      ],
      [
        "builtins.foldl' 1 0 [ ]",
        "expected a function but found an integer: 1",
        "while evaluating the first argument passed to builtins.foldlStrict",
      ],
      [
        "builtins.concatMap (x: 1) [ 1 ]",
        "expected a list but found an integer: 1",
        "while evaluating the return value of the function passed to builtins.concatMap",
      ],
      [
        "builtins.groupBy (x: 1) [ 1 ]",
        "expected a string but found an integer: 1",
        "while evaluating the return value of the grouping function passed to builtins.groupBy",
      ],
      [
        "builtins.partition (x: 1) [ 1 ]",
        "expected a Boolean but found an integer: 1",
        "while evaluating the return value of the partition function passed to builtins.partition",
      ],
      [
        "builtins.sort (a: b: 1) [ 1 2 ]",
        "expected a Boolean but found an integer: 1",
        "while evaluating the return value of the sorting function passed to builtins.sort",
      ],
    ];
    for (const [expr, message, trace] of cases) {
      const e = failure(expr);
      expect(e.message, expr).toBe(message);
      expect(
        e.traces.map((t) => t.message),
        expr,
      ).toContain(trace);
    }
  });

  test("sort with builtins.lessThan compares directly, with the ordering-function context", () => {
    const e = failure("builtins.sort builtins.lessThan [ { } { } ]");
    expect(e.message).toBe(
      "cannot compare a set with a set; values of that type are incomparable (values are { } and { })",
    );
    expect(e.traces.map((t) => t.message)).toEqual([
      "while evaluating the ordering function passed to builtins.sort",
      "while calling the 'sort' builtin",
    ]);
  });

  test("a huge genList is an error, not a crash", () => {
    expect(failure("builtins.genList (x: x) 9223372036854775807").message).toBe(
      "cannot create list of size 9223372036854775807",
    );
  });
});

describe("peeksort", () => {
  test("sorts and is stable on many inputs, matching a reference stable sort", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 200; n += 1 + (n >> 3)) {
      for (const shape of ["random", "runs", "descending", "few"]) {
        const input = Array.from({ length: n }, (_, i) => {
          const k =
            shape === "random"
              ? rand() % 1000
              : shape === "runs"
                ? (i % 17) * 3
                : shape === "descending"
                  ? n - i
                  : rand() % 3;
          return { k, i };
        });
        const got = input.slice();
        peeksort(got, (a, b) => a.k < b.k);
        const want = input.slice().sort((a, b) => a.k - b.k); // Array#sort is stable
        expect(got, `${shape} ${n}`).toEqual(want);
      }
    }
  });

  test("a comparator that is not a strict weak order still yields a permutation", () => {
    const input = Array.from({ length: 100 }, (_, i) => (i * 37) % 101);
    const got = input.slice();
    let calls = 0;
    peeksort(got, (a, b) => (calls++ % 3 === 0 ? a < b : b < a));
    expect(got.slice().sort((a, b) => a - b)).toEqual(input.slice().sort((a, b) => a - b));
    expect(calls).toBeGreaterThan(0);
  });

  test("makes the comparisons of Nix's peeksort on a short input (insertion sort)", () => {
    const calls: string[] = [];
    const a = [3, 1, 2];
    peeksort(a, (x, y) => (calls.push(`${x}<${y}`), x < y));
    expect(a).toEqual([1, 2, 3]);
    expect(calls).toEqual(["1<3", "2<3", "2<1"]);
  });

  test("Nix sorts with an always-true comparator into a known order", () => {
    // peeksort (current Nix) reverses a strictly "decreasing" run; Nix 2.8's std::stable_sort gave [ 5 4 3 2 1 ] too.
    expect(run("builtins.sort (a: b: true) [ 1 2 3 4 5 ]")).toBe("[ 5 4 3 2 1 ]");
  });
});
