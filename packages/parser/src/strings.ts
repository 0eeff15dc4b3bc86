// String decoding as Nix's lexer and parser do it: escapes in "…" strings,
// the ''…'' escapes, and the indentation stripping of indented strings.

/** Nix's unescapeStr: `\n \r \t` and `\x` → x; CR and CR/LF become LF. */
export function unescapeString(raw: string): string {
  if (raw.indexOf("\\") < 0 && raw.indexOf("\r") < 0) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\") {
      const d = raw[++i];
      if (d === undefined) break;
      out += d === "n" ? "\n" : d === "r" ? "\r" : d === "t" ? "\t" : d;
    } else if (c === "\r") {
      out += "\n";
      if (raw[i + 1] === "\n") i++;
    } else out += c;
  }
  return out;
}

/** One part of an indented string before stripping: literal text or an interpolated expression. */
export type IndPart<E> =
  | { readonly text: string; readonly hasIndentation: boolean; readonly offset: number }
  | { readonly expr: E; readonly offset: number };

/**
 * ParserState::stripIndentation: find the minimum indentation of the lines
 * (interpolations and escapes end the leading whitespace), drop that many
 * spaces from each line, drop a final whitespace-only line, and skip empty
 * pieces. Returns the surviving parts in order.
 */
export function stripIndentation<E>(
  parts: readonly IndPart<E>[],
): Array<{ text: string; offset: number } | { expr: E; offset: number }> {
  let atStartOfLine = true;
  let minIndent = 1000000;
  let curIndent = 0;
  for (const part of parts) {
    if (!("text" in part) || !part.hasIndentation) {
      if (atStartOfLine) {
        atStartOfLine = false;
        if (curIndent < minIndent) minIndent = curIndent;
      }
      continue;
    }
    const s = part.text;
    for (let j = 0; j < s.length; j++) {
      if (atStartOfLine) {
        const c = s.charCodeAt(j);
        if (c === 32) curIndent++;
        else if (c === 10) curIndent = 0;
        else {
          atStartOfLine = false;
          if (curIndent < minIndent) minIndent = curIndent;
        }
      } else {
        // Inside a line only the next newline matters.
        const nl = s.indexOf("\n", j);
        if (nl < 0) break;
        j = nl;
        atStartOfLine = true;
        curIndent = 0;
      }
    }
  }

  const out: Array<{ text: string; offset: number } | { expr: E; offset: number }> = [];
  atStartOfLine = true;
  let curDropped = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (!("text" in part)) {
      atStartOfLine = false;
      curDropped = 0;
      out.push(part);
      continue;
    }
    const t = part.text;
    let s2 = "";
    let j = 0;
    while (j < t.length) {
      if (atStartOfLine) {
        let e = j;
        while (e < t.length && t.charCodeAt(e) === 32) e++;
        const drop = Math.min(e - j, Math.max(0, minIndent - curDropped));
        curDropped += e - j;
        if (j + drop < e) s2 += t.slice(j + drop, e);
        j = e;
        if (j >= t.length) break;
        if (t.charCodeAt(j) === 10) {
          curDropped = 0;
          s2 += "\n";
          j++;
          continue;
        }
        atStartOfLine = false;
        curDropped = 0;
      } else {
        const nl = t.indexOf("\n", j);
        if (nl < 0) {
          s2 += j === 0 ? t : t.slice(j);
          j = t.length;
        } else {
          s2 += t.slice(j, nl + 1);
          j = nl + 1;
          atStartOfLine = true;
        }
      }
    }
    if (k === parts.length - 1) {
      const p = s2.lastIndexOf("\n");
      if (p >= 0 && /^ *$/.test(s2.slice(p + 1))) s2 = s2.slice(0, p + 1);
    }
    if (s2 !== "") out.push({ text: s2, offset: part.offset });
  }
  return out;
}
