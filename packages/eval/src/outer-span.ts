// Nix reports some positions at the start of the surrounding syntax that the AST
// does not keep: a parenthesised expression starts at its `(`, an interpolated one
// at its `${`. These helpers recover such positions from the source text.
import type { Source, Span } from "@tsnix/parser";

const lineStarts = new WeakMap<Source, number[]>();

function starts(source: Source): number[] {
  let s = lineStarts.get(source);
  if (s === undefined) {
    s = [0];
    const t = source.text;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10) s.push(i + 1);
      else if (c === 13) {
        if (t.charCodeAt(i + 1) === 10) i++;
        s.push(i + 1);
      }
    }
    lineStarts.set(source, s);
  }
  return s;
}

export function spanAtOffset(source: Source, offset: number, endOffset: number): Span {
  const s = starts(source);
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { source, line: lo + 1, column: offset - s[lo]! + 1, offset, endOffset };
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

/** The span including any parentheses wrapped directly around `span`'s expression. */
export function withParens(span: Span): Span {
  const t = span.source.text;
  let start = span.offset;
  let end = span.endOffset;
  for (;;) {
    let i = start - 1;
    while (i >= 0 && isSpace(t[i])) i--;
    let j = end;
    while (j < t.length && isSpace(t[j])) j++;
    if (i >= 0 && t[i] === "(" && t[j] === ")") {
      start = i;
      end = j + 1;
    } else break;
  }
  return start === span.offset ? span : spanAtOffset(span.source, start, end);
}

/** For an interpolated expression: the position of its `${`, if that is what precedes it. */
export function withInterpolation(span: Span): Span {
  const t = span.source.text;
  let i = span.offset - 1;
  while (i >= 0 && isSpace(t[i])) i--;
  if (i >= 1 && t[i] === "{" && t[i - 1] === "$") return spanAtOffset(span.source, i - 1, span.endOffset);
  return span;
}
