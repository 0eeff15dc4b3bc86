// Builtins: versions (splitVersion compareVersions parseDrvName), with Nix's
// algorithms from libstore/names.cc: components are maximal runs of digits or
// of non-digit non-separator characters; "." and "-" separate; numbers are
// compared as ints (a run of digits that overflows a 32-bit int is compared as
// a string, as Nix's string2Int<int>); "pre" sorts before anything else; a
// missing component sorts before a number; otherwise byte-wise.
import { forceStringNoCtx } from "../check.js";
import { compareBytes } from "../ops.js";
import { mkAttrs } from "../values.js";
import { registerPrimops } from "./registry.js";

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSep = (c: number) => c === 46 || c === 45; // . -

/** The next component of `v` starting at `pos[0]` (advances it); "" at the end. */
function nextComponent(v: string, pos: { i: number }): string {
  let p = pos.i;
  const n = v.length;
  while (p < n && isSep(v.charCodeAt(p))) p++;
  const s = p;
  if (p < n) {
    if (isDigit(v.charCodeAt(p))) while (p < n && isDigit(v.charCodeAt(p))) p++;
    else while (p < n && !isDigit(v.charCodeAt(p)) && !isSep(v.charCodeAt(p))) p++;
  }
  pos.i = p;
  return v.slice(s, p);
}

/** string2Int<int>: all digits (components never carry a sign) and within int32. */
function asInt(c: string): number | null {
  if (c === "" || !isDigit(c.charCodeAt(0))) return null;
  const n = Number(c);
  return n <= 2147483647 ? n : null;
}

function componentsLT(c1: string, c2: string): boolean {
  const n1 = asInt(c1);
  const n2 = asInt(c2);
  if (n1 !== null && n2 !== null) return n1 < n2;
  if (c1 === "" && n2 !== null) return true;
  if (c1 === "pre" && c2 !== "pre") return true;
  if (c2 === "pre") return false;
  if (n2 !== null) return true;
  if (n1 !== null) return false;
  return compareBytes(c1, c2) < 0;
}

export function compareVersions(v1: string, v2: string): number {
  const p1 = { i: 0 };
  const p2 = { i: 0 };
  while (p1.i < v1.length || p2.i < v2.length) {
    const c1 = nextComponent(v1, p1);
    const c2 = nextComponent(v2, p2);
    if (componentsLT(c1, c2)) return -1;
    if (componentsLT(c2, c1)) return 1;
  }
  return 0;
}

export function splitVersion(v: string): string[] {
  const out: string[] = [];
  const p = { i: 0 };
  while (p.i < v.length) {
    const c = nextComponent(v, p);
    if (c === "") break;
    out.push(c);
  }
  return out;
}

/** Nix's DrvName: the name ends at the first dash not followed by a letter. */
export function parseDrvName(s: string): { name: string; version: string } {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 45 && i + 1 < s.length && !isAlpha(s.charCodeAt(i + 1))) {
      return { name: s.slice(0, i), version: s.slice(i + 1) };
    }
  }
  return { name: s, version: "" };
}

registerPrimops([
  {
    name: "compareVersions",
    arity: 2,
    args: ["s1", "s2"],
    doc: "-1, 0 or 1 as version s1 is older than, the same as, or newer than s2.",
    impl: (_rt, [a, b], span) => {
      const v1 = forceStringNoCtx(
        a!,
        span,
        "while evaluating the first argument passed to builtins.compareVersions",
      );
      const v2 = forceStringNoCtx(
        b!,
        span,
        "while evaluating the second argument passed to builtins.compareVersions",
      );
      return compareVersions(v1, v2);
    },
  },
  {
    name: "splitVersion",
    arity: 1,
    args: ["s"],
    doc: "Split a version string into its components.",
    impl: (_rt, [a], span) =>
      splitVersion(
        forceStringNoCtx(a!, span, "while evaluating the first argument passed to builtins.splitVersion"),
      ),
  },
  {
    name: "parseDrvName",
    arity: 1,
    args: ["s"],
    doc: "Split a package name into { name, version }.",
    impl: (_rt, [a], span) => {
      const d = parseDrvName(
        forceStringNoCtx(a!, span, "while evaluating the first argument passed to builtins.parseDrvName"),
      );
      return mkAttrs([
        ["name", d.name],
        ["version", d.version],
      ]);
    },
  },
]);
