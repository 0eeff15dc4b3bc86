#!/usr/bin/env node
// Records golden/lists.json and golden/attrs.json from the installed nix-instantiate
// (Nix 2.8): for each expression, the output of `nix-instantiate --eval --strict -E`
// or, when it fails, its error message. Where Nix 2.8's wording differs from current
// Nix (the reference), `current` gives current Nix's message (from the upstream
// eval-fail-*.err.exp files / primops.cc) and the table keeps both; `{ out }` marks
// a case where current Nix succeeds but 2.8 failed (current Nix does not force the
// function of filter/map/sort, nor genericClosure's operator, for an empty list).
//
// Usage: node packages/eval/src/builtins/golden/record-lists-attrs.mjs
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** [expr] or [expr, currentNixMessage] or [expr, { out: currentNixOutput }] */
const LISTS = [
  ["builtins.length [ ]"],
  ['builtins.length [ 1 (throw "lazy") ]'],
  ["builtins.length 1", "expected a list but found an integer: 1"],
  ['builtins.head [ 1 (throw "lazy") ]'],
  ["builtins.head [ ]", "'builtins.head' called on an empty list"],
  ['builtins.tail [ (throw "lazy") 2 3 ]'],
  ["builtins.tail [ ]", "'builtins.tail' called on an empty list"],
  ['builtins.elemAt [ (throw "lazy") 2 ] 1'],
  ["builtins.elemAt [ 1 ] 3", "'builtins.elemAt' called with index 3 on a list of size 1"],
  ["builtins.elemAt [ 1 ] (-1)", "'builtins.elemAt' called with index -1 on a list of size 1"],
  ["builtins.elem 2 [ 1 2 3 ]"],
  ['builtins.elem (throw "never forced") [ ]'],
  ["builtins.elem 1.0 [ 1 ]"],
  ["builtins.elem [ 1 { a = 2; } ] [ [ 1 { a = 2; } ] ]"],
  ["builtins.elem { } [ 1 ]"],
  ["map (x: x * 2) [ 1 2 3 ]"],
  ['builtins.length (map (x: throw "lazy") [ 1 2 ])'],
  ['map (throw "function not forced on an empty list") [ ]'],
  ["map 1 [ 1 ]", "expected a function but found an integer: 1"],
  ['map builtins.typeOf [ 1 "a" null [ ] { } 1.5 ]'],
  ["builtins.filter (x: x > 1) [ 1 2 3 ]"],
  ['builtins.filter (throw "not forced") [ ]', { out: "[ ]" }],
  ['builtins.sort (throw "not forced") [ ]', { out: "[ ]" }],
  ['builtins.length (builtins.filter (x: true) [ (throw "lazy") ])'],
  ["builtins.filter (x: 1) [ 1 ]", "expected a Boolean but found an integer: 1"],
  ["builtins.foldl' (a: b: a + b) 0 [ 1 2 3 ]"],
  ["builtins.foldl' (a: b: a ++ [ b ]) [ ] [ 1 2 ]"],
  ['builtins.foldl\' (a: b: b) (throw "initial accumulator not forced") [ 1 ]'],
  ['builtins.foldl\' (a: b: a) (throw "forced for an empty list") [ ]'],
  ['builtins.length (builtins.foldl\' (a: b: a ++ [ b ]) [ ] [ 1 (throw "lazy") ])'],
  ["builtins.concatLists [ [ 1 ] [ ] [ 2 3 ] ]"],
  ["builtins.concatLists [ ]"],
  ["builtins.concatLists [ [ 1 ] 2 ]", "expected a list but found an integer: 2"],
  ["builtins.concatMap (x: [ x x ]) [ 1 2 ]"],
  ["builtins.concatMap (x: x) [ [ 1 ] [ ] [ 2 ] ]"],
  ["builtins.genList (x: x * x) 5"],
  ["builtins.genList (x: x) 0"],
  ['builtins.length (builtins.genList (x: throw "lazy") 3)'],
  ["builtins.genList (x: x) (-1)", "cannot create list of size -1"],
  ["builtins.sort builtins.lessThan [ 3 1 2 ]"],
  ["builtins.sort (a: b: a > b) [ 1 3 2 ]"],
  ["builtins.sort builtins.lessThan [ ]"],
  ["builtins.sort builtins.lessThan [ 1 2.5 0 (-1.5) ]"],
  ["builtins.sort builtins.lessThan [ [ 1 2 ] [ 1 ] [ ] [ 0 5 ] ]"],
  ['builtins.sort builtins.lessThan [ "b" "a" "B" "" ]'],
  [
    "builtins.sort (a: b: a.k < b.k) [ { k = 1; v = 1; } { k = 0; v = 2; } { k = 1; v = 3; } { k = 0; v = 4; } ]",
  ],
  ["map (x: x.v) (builtins.sort (a: b: a.k < b.k) (builtins.genList (i: { k = i - i / 5 * 5; v = i; }) 40))"],
  ["map (x: x.v) (builtins.sort (a: b: a.k > b.k) (builtins.genList (i: { k = i / 3; v = i; }) 50))"],
  ["builtins.sort builtins.lessThan (builtins.genList (i: 100 - i * 7 + (i / 4) * 30) 60)"],
  [
    'builtins.sort builtins.lessThan [ 1 "a" ]',
    'cannot compare a string with an integer; values are "a" and 1',
  ],
  ["builtins.partition (x: x > 2) [ 1 2 3 4 ]"],
  ["builtins.partition (x: x) [ ]"],
  ['builtins.groupBy (x: if x > 2 then "big" else "small") [ 1 2 3 4 ]'],
  ["builtins.groupBy (x: x) [ ]"],
  ['builtins.any (x: x) [ true (throw "short-circuit") ]'],
  ['builtins.all (x: x) [ false (throw "short-circuit") ]'],
  ["builtins.any (x: x) [ ]"],
  ["builtins.all (x: x) [ ]"],
];

const ATTRS = [
  ["builtins.attrNames { b = 1; a = 2; c = 3; }"],
  ["builtins.attrNames { }"],
  ['builtins.attrValues { b = "B"; a = "A"; }'],
  ['builtins.attrNames { "B" = 1; a = 1; "" = 1; "a b" = 1; }'],
  ['builtins.hasAttr "a" { a = throw "lazy"; }'],
  ['builtins.hasAttr "b" { a = 1; }'],
  ['builtins.getAttr "a" { a = 1; b = throw "lazy"; }'],
  ['builtins.getAttr "b" { a = 1; }', "attribute 'b' missing"],
  ['removeAttrs { a = 1; b = 2; c = 3; } [ "a" "z" ]'],
  ["removeAttrs { a = 1; } [ ]"],
  ['removeAttrs { a = 1; } [ "a" ]'],
  ['builtins.intersectAttrs { a = throw "lazy"; b = 0; } { a = 1; c = 2; }'],
  ["builtins.intersectAttrs { } { a = 1; }"],
  ['builtins.mapAttrs (n: v: n + v) { a = "1"; b = "2"; }'],
  ['builtins.attrNames (builtins.mapAttrs (throw "function not forced") { a = 1; })'],
  ["builtins.mapAttrs (n: v: v) { }"],
  ['builtins.listToAttrs [ { name = "a"; value = 1; } { name = "a"; value = 2; } ]'],
  ['builtins.listToAttrs [ { name = "b"; value = 1; } { name = "a"; value = 2; } ]'],
  ['builtins.listToAttrs [ { name = "a"; value = 1; } { name = "a"; } ]'],
  ['(builtins.listToAttrs [ { name = "a"; value = throw "lazy"; } ]) ? a'],
  ["builtins.listToAttrs [ ]"],
  ['builtins.listToAttrs [ { name = "a"; } ]', "attribute 'value' missing"],
  ["builtins.zipAttrsWith (n: v: v) [ { a = 1; } { a = 2; b = 3; } ]"],
  ["builtins.zipAttrsWith (n: v: n) [ ]"],
  ['builtins.attrNames (builtins.zipAttrsWith (throw "not called") [ { a = 1; } ])'],
  ['builtins.catAttrs "a" [ { a = 1; } { b = 0; } { a = 2; } ]'],
  ['builtins.catAttrs "a" [ ]'],
  [
    "builtins.genericClosure { startSet = [ { key = 5; } ]; operator = x: if x.key == 1 then [ ] else [ { key = if x.key / 2 * 2 == x.key then x.key / 2 else 3 * x.key + 1; } ]; }",
  ],
  ['builtins.genericClosure { startSet = [ ]; operator = throw "not forced"; }', { out: "[ ]" }],
  [
    "builtins.genericClosure { startSet = [ { key = [ 1 ]; } { key = [ 1 ]; } { key = [ 0 ]; } ]; operator = x: [ ]; }",
  ],
  [
    'builtins.genericClosure { startSet = [ { key = "b"; } { key = "a"; } { key = "b"; } ]; operator = x: [ ]; }',
  ],
  [
    "builtins.genericClosure { startSet = [ { key = 1; } { key = 1.0; } { key = 2.5; } ]; operator = x: [ ]; }",
  ],
  ["builtins.genericClosure { startSet = [ { key = 1; a = 1; } { key = 1; a = 2; } ]; operator = x: [ ]; }"],
];

function run(expr) {
  try {
    return {
      out: execFileSync("nix-instantiate", ["--eval", "--strict", "-E", expr], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }).replace(/\n$/, ""),
    };
  } catch (e) {
    return { err: errorMessage(String(e.stderr)) };
  }
}

/** The error message proper, from either Nix's old ("error: msg") or new ("error:\n … \n error: msg") layout. */
export function errorMessage(stderr) {
  const lines = stderr.replace(/\n+$/, "").split("\n");
  if (lines[0] !== "error:") return lines[0].replace(/^error: /, "");
  const last = lines
    .map((l) => l.trim())
    .filter((l) => l.startsWith("error: "))
    .pop();
  return last === undefined ? "" : last.replace(/^error: /, "");
}

function record(cases) {
  return cases.map(([expr, current]) => {
    const r = run(expr);
    if (typeof current === "object") {
      if (r.out === current.out) throw new Error(`${expr}: Nix 2.8 agrees; drop the override`);
      return { expr, out: current.out, nix28: r.out ?? { err: r.err } };
    }
    if (r.out !== undefined) {
      if (current !== undefined) throw new Error(`${expr}: expected an error but Nix 2.8 printed ${r.out}`);
      return { expr, out: r.out };
    }
    if (current === undefined || current === r.err) return { expr, err: r.err };
    return { expr, err: current, nix28: r.err };
  });
}

const version = execFileSync("nix-instantiate", ["--version"], { encoding: "utf8" }).trim();
for (const [name, cases] of [
  ["lists", LISTS],
  ["attrs", ATTRS],
]) {
  const table = { recordedWith: version, cases: record(cases) };
  writeFileSync(join(here, `${name}.json`), JSON.stringify(table, null, 2) + "\n");
  console.log(`${name}.json: ${table.cases.length} cases`);
}
