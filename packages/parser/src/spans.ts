// Spans with lazily computed line/column. The parser only records offsets; a
// per-source table of line starts turns an offset into Nix's 1-based line and
// column when someone asks (errors, unsafeGetAttrPos), so parsing stays cheap.
import type { Source, Span } from "./ast.js";

const lineTables = new WeakMap<Source, Int32Array>();

/** Offsets at which each line starts. `\n`, `\r\n` and a lone `\r` end a line, as in Nix's code frames. */
export function lineStarts(source: Source): Int32Array {
  let table = lineTables.get(source);
  if (table !== undefined) return table;
  const text = source.text;
  const starts: number[] = [0];
  // indexOf is much quicker than a loop over every character; `\r\n` ends one line.
  let lf = text.indexOf("\n");
  let cr = text.indexOf("\r");
  while (lf >= 0 || cr >= 0) {
    if (cr < 0 || (lf >= 0 && lf < cr)) {
      starts.push(lf + 1);
      lf = text.indexOf("\n", lf + 1);
    } else {
      if (lf === cr + 1) {
        starts.push(cr + 2);
        lf = text.indexOf("\n", cr + 2);
      } else starts.push(cr + 1);
      cr = text.indexOf("\r", cr + 1);
    }
  }
  table = Int32Array.from(starts);
  lineTables.set(source, table);
  return table;
}

function lineIndex(source: Source, offset: number): number {
  const starts = lineStarts(source);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Nix counts columns in bytes of UTF-8, so a non-ASCII prefix widens the column. */
function utf8Column(text: string, from: number, to: number): number {
  let col = 1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) col += 1;
    else if (c < 0x800) col += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      col += 4;
      i++;
    } else col += 3;
  }
  return col;
}

export class NodeSpan implements Span {
  constructor(
    readonly source: Source,
    readonly offset: number,
    /** Only the parser moves it (a call growing an argument). */
    public endOffset: number,
  ) {}

  get line(): number {
    return lineIndex(this.source, this.offset) + 1;
  }

  get column(): number {
    const starts = lineStarts(this.source);
    const start = starts[lineIndex(this.source, this.offset)]!;
    return utf8Column(this.source.text, start, this.offset);
  }

  toJSON(): object {
    return { line: this.line, column: this.column, offset: this.offset, endOffset: this.endOffset };
  }
}

export function spanAt(source: Source, offset: number, endOffset: number = offset): Span {
  return new NodeSpan(source, offset, endOffset);
}
