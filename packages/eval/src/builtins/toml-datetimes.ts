// TOML date/time literals, kept as text. smol-toml turns them into JS Dates (millisecond
// precision), but Nix prints them with up to nanoseconds. Before parsing, every date/time literal
// in a value position is swapped for a unique placeholder string; the placeholders are turned back
// into Nix's timestamp text (toml11 < 4 style, see normalise below) or refused afterwards.
import { parse as parseToml } from "smol-toml";

const DATETIME =
  /^(\d{4}-\d{2}-\d{2})(?:([Tt ])(\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?)?|^(\d{2}:\d{2}:\d{2})(\.\d+)?/;

/** Sub-seconds as Nix prints them: 0, 3, 6 or 9 digits, by the finest non-zero group. */
function subseconds(frac: string | undefined): string {
  if (frac === undefined) return "";
  const d = frac.slice(1, 10).padEnd(9, "0");
  if (d.slice(6) !== "000") return "." + d;
  if (d.slice(3, 6) !== "000") return "." + d.slice(0, 6);
  if (d.slice(0, 3) !== "000") return "." + d.slice(0, 3);
  return "";
}

function normalise(m: RegExpExecArray): string {
  if (m[6] !== undefined) return m[6] + subseconds(m[7]);
  if (m[3] === undefined) return m[1]!;
  const offset = m[5] === undefined ? "" : /^[Zz]$|^[+-]00:00$/.test(m[5]) ? "Z" : m[5];
  return `${m[1]}T${m[3]}${subseconds(m[4])}${offset}`;
}

export interface PreparedToml {
  readonly text: string;
  /** Placeholder string → Nix's text of the date/time it replaced. */
  readonly datetimes: ReadonlyMap<string, string>;
}

/** Replace the date/time literals of `src` by placeholder strings (a light TOML scanner). */
export function extractDatetimes(src: string): PreparedToml {
  const datetimes = new Map<string, string>();
  const nonce = Math.random().toString(36).slice(2);
  const stack: ("array" | "inline")[] = [];
  let out = "";
  let expectValue = false;
  let i = 0;
  const copyTo = (j: number) => {
    out += src.slice(i, j);
    i = j;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === "#") {
      const e = src.indexOf("\n", i);
      copyTo(e < 0 ? src.length : e);
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      let j = i + (triple ? 3 : 1);
      for (; j < src.length; j++) {
        if (c === '"' && src[j] === "\\") j++;
        else if (triple ? src.startsWith(c.repeat(3), j) : src[j] === c || src[j] === "\n") break;
      }
      if (triple) while (src[j + 3] === c) j++; // up to two quotes may end the content
      copyTo(Math.min(src.length, j + (triple ? 3 : 1)));
      expectValue = false;
      continue;
    }
    const inArray = stack[stack.length - 1] === "array";
    if (expectValue || inArray) {
      const m = DATETIME.exec(src.slice(i));
      if (m !== null && /^\d/.test(c)) {
        let valid = true;
        try {
          parseToml(`x = ${m[0]}`);
        } catch {
          valid = false;
        }
        if (valid) {
          const key = `\uE000${nonce}:${datetimes.size}`;
          datetimes.set(key, normalise(m));
          out += JSON.stringify(key);
          i += m[0].length;
          expectValue = false;
          continue;
        }
      }
      if (c === "[" || c === "{") {
        stack.push(c === "[" ? "array" : "inline");
        expectValue = false;
        copyTo(i + 1);
        continue;
      }
    } else if (c === "[") {
      // a table header: copy it whole
      const e = src.indexOf("\n", i);
      copyTo(e < 0 ? src.length : e);
      continue;
    }
    if (c === "]" || c === "}") stack.pop();
    if (c === "=") expectValue = true;
    else if (c !== " " && c !== "\t") expectValue = false;
    copyTo(i + 1);
  }
  return { text: out, datetimes };
}
