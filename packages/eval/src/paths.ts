// Pure path helpers with Nix's semantics (no file system access).

/** Nix's canonPath: absolute, no `.`/`..`/empty components, no trailing slash. */
export function canonPath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

/** Nix's dirOf on a path string: everything before the last slash ("/" for top-level). */
export function dirOfString(s: string): string {
  const i = s.lastIndexOf("/");
  if (i === -1) return ".";
  if (i === 0) return "/";
  return s.slice(0, i);
}

/** Nix's baseNameOf: the last component, ignoring one trailing slash. */
export function baseNameOfString(s: string): string {
  let end = s.length;
  if (end > 0 && s[end - 1] === "/") end--;
  const i = s.lastIndexOf("/", end - 1);
  return s.slice(i + 1, end);
}

/** Resolve `rel` against directory `base` (both strings), canonically. */
export function resolvePath(base: string, rel: string): string {
  if (rel.startsWith("/")) return canonPath(rel);
  return canonPath(base + "/" + rel);
}
