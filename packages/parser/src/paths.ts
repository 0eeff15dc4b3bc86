// Path literals become absolute and canonical at parse time, as Nix's absPath/canonPath do.

/** Nix's canonPath without symlink resolution: collapse `//`, drop `.`, resolve `..`; no trailing slash. */
export function canonPath(path: string): string {
  // Already canonical: absolute, no empty, `.` or `..` segment, no trailing slash.
  if (path.charCodeAt(0) === 47 && !/\/\/|\/\.\.?(\/|$)|.\/$/.test(path)) return path;
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

/** A `./a`, `a/b` or `/a` literal relative to `baseDir`; a trailing slash of the literal is kept. */
export function resolvePathLiteral(literal: string, baseDir: string): string {
  let path = canonPath(literal.startsWith("/") ? literal : `${baseDir}/${literal}`);
  if (literal.length > 1 && literal.endsWith("/")) path += "/";
  return path;
}

/** A `~/a` literal: HOME + the rest, not canonicalised (as Nix). */
export function resolveHomePath(literal: string, homeDir: string): string {
  return homeDir + literal.slice(1);
}
