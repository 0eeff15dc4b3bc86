/** One entry of the search path: `-I prefix=path`, `-I path` (prefix ""), or a NIX_PATH element. */
export interface SearchPathEntry {
  prefix: string;
  path: string;
}

/** Parse a NIX_PATH-style string ("a=/x:/y"); URLs like https://… are kept whole. */
export function parseSearchPath(s: string): SearchPathEntry[] {
  const out: SearchPathEntry[] = [];
  const parts = s.split(/:(?!\/\/)/).filter((p) => p !== "");
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq === -1) out.push({ prefix: "", path: p });
    else out.push({ prefix: p.slice(0, eq), path: p.slice(eq + 1) });
  }
  return out;
}
