// The search path for <...> lookups: `-I` entries first, then NIX_PATH (or the
// `nix-path` setting), each "prefix=path" or a bare path (prefix "").
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { SearchPathEntry } from "@tsnix/eval";

const PSEUDO_URL = /^(channel:|(https?|file|channel|git|s3|ssh|git\+[a-z]+|flake):\/\/)/;

function isPseudoUrl(s: string): boolean {
  return PSEUDO_URL.test(s) || s.startsWith("flake:");
}

/** Splits a NIX_PATH-style string on ':' except the one in a URL's "scheme:", as Nix's parseNixPath. */
export function splitNixPath(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const start = i;
    let valueStart = i;
    while (i < s.length && s[i] !== ":") {
      if (s[i] === "=") valueStart = i + 1;
      i++;
    }
    if (i === s.length) {
      if (i !== start) out.push(s.slice(start, i));
      break;
    }
    if (isPseudoUrl(s.slice(valueStart))) {
      i++;
      while (i < s.length && s[i] !== ":") i++;
    }
    out.push(s.slice(start, i));
    i++;
  }
  return out.filter((e) => e !== "");
}

export function parseSearchPathEntry(entry: string, cwd: string): SearchPathEntry {
  const eq = entry.indexOf("=");
  const prefix = eq < 0 ? "" : entry.slice(0, eq);
  const path = eq < 0 ? entry : entry.slice(eq + 1);
  const absolute = isPseudoUrl(path) || isAbsolute(path) ? path : resolve(cwd, path);
  return { prefix, path: absolute };
}

export function buildSearchPath(
  includes: readonly string[],
  nixPath: string | undefined,
  cwd: string,
): SearchPathEntry[] {
  const entries = [...includes.flatMap(splitNixPath), ...(nixPath ? splitNixPath(nixPath) : [])];
  return entries.map((e) => parseSearchPathEntry(e, cwd));
}

/** Resolves `<p/q>` against the search path, as EvalState::findFile (local paths only). */
export function findInSearchPath(searchPath: readonly SearchPathEntry[], path: string): string | null {
  for (const { prefix, path: dir } of searchPath) {
    let rest: string;
    if (prefix === "") rest = path;
    else if (path === prefix) rest = "";
    else if (path.startsWith(prefix + "/")) rest = path.slice(prefix.length + 1);
    else continue;
    if (isPseudoUrl(dir)) continue;
    const candidate = rest === "" ? dir : resolve(dir, rest);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
