// Builtins: match and split, over POSIX extended regular expressions as Nix
// reads them (see posix-regex.ts). Compiled patterns are cached by source.
import { evalError } from "../errors.js";
import { forceStringNoCtx, forceStringValue } from "../check.js";
import type { Lazy, Value } from "../values.js";
import { PosixRegex, RegexError } from "./posix-regex.js";
import { registerPrimops } from "./registry.js";

const cache = new Map<string, PosixRegex | RegexError>();
const CACHE_LIMIT = 20000;

/** The compiled pattern, or Nix's error for an invalid one. */
export function compileRegex(re: string): PosixRegex {
  let r = cache.get(re);
  if (r === undefined) {
    try {
      r = new PosixRegex(re);
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      r = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(re, r);
  }
  if (r instanceof RegexError) {
    throw evalError(
      r.space ? `memory limit exceeded by regular expression '${re}'` : `invalid regular expression '${re}'`,
    );
  }
  return r;
}

const groupsToList = (gs: (string | null)[]): Lazy[] => gs;

registerPrimops([
  {
    name: "match",
    arity: 2,
    args: ["regex", "str"],
    doc: "The capture groups (null for unmatched ones) if the POSIX extended regex matches the whole string, else null.",
    impl: (_rt, [reL, sL], span): Value => {
      const re = compileRegex(
        forceStringNoCtx(reL!, span, "while evaluating the first argument passed to builtins.match"),
      );
      const sv = forceStringValue(sL!, span, "while evaluating the second argument passed to builtins.match");
      const m = re.match(typeof sv === "string" ? sv : sv.value);
      return m === null ? null : groupsToList(m);
    },
  },
  {
    name: "split",
    arity: 2,
    args: ["regex", "str"],
    doc: "The string split at the regex's matches: unmatched strings interleaved with lists of capture groups.",
    impl: (_rt, [reL, sL], span): Value => {
      const re = compileRegex(
        forceStringNoCtx(reL!, span, "while evaluating the first argument passed to builtins.split"),
      );
      const sv = forceStringValue(sL!, span, "while evaluating the second argument passed to builtins.split");
      const r = re.split(typeof sv === "string" ? sv : sv.value);
      if (r === null) return [sv]; // Nix returns the argument itself, context included
      const out: Lazy[] = [];
      for (const p of r.pieces) out.push(p.before, groupsToList(p.groups));
      out.push(r.after);
      return out;
    },
  },
]);
