// Nix reports some positions at the start of the surrounding syntax that the AST
// does not keep: a parenthesised expression starts at its `(`, an interpolated one
// at its `${`. These helpers recover such positions from the source text.
import { spanAt, type Span } from "@tsnix/parser";

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
  return start === span.offset ? span : spanAt(span.source, start, end);
}

/** For an interpolated expression: the position of its `${`, if that is what precedes it. */
export function withInterpolation(span: Span): Span {
  const t = span.source.text;
  let i = span.offset - 1;
  while (i >= 0 && isSpace(t[i])) i--;
  if (i >= 1 && t[i] === "{" && t[i - 1] === "$") return spanAt(span.source, i - 1, span.endOffset);
  return span;
}
