import type { Source, Span } from "./ast.js";

export function fileSource(path: string, text: string): Source {
  return { path, origin: "file", text };
}

export function stdinSource(text: string): Source {
  return { path: null, origin: "stdin", text };
}

export function stringSource(text: string): Source {
  return { path: null, origin: "string", text };
}

/** How Nix names a source in positions: the file path, «stdin» or «string». */
export function sourceName(source: Source): string {
  if (source.path !== null) return source.path;
  return source.origin === "stdin" ? "«stdin»" : "«string»";
}

/** `FILE:LINE:COL`, as in "already defined at «stdin»:1:3". */
export function showPos(span: Span): string {
  return `${sourceName(span.source)}:${span.line}:${span.column}`;
}

const INDENT = "       ";

function sourceLines(source: Source): string[] {
  return source.text.split(/\r\n|\r|\n/);
}

/**
 * The lines Nix prints under an error message: `at FILE:LINE:COL:` and the code
 * frame (the line before, the line, a caret under the column, the line after),
 * each line indented as Nix's printCodeLines does. No trailing newline.
 */
export function formatPosition(span: Span, indent: string = INDENT): string {
  const out = [`${indent}at ${showPos(span)}:`];
  const lines = sourceLines(span.source);
  const at = (n: number) => `${indent} ${String(n).padStart(5)}| `;
  const line = (n: number) => lines[n - 1];
  if (span.line > 1 && line(span.line - 1) !== undefined)
    out.push((at(span.line - 1) + line(span.line - 1)).trimEnd());
  if (line(span.line) !== undefined) {
    out.push((at(span.line) + line(span.line)).trimEnd());
    if (span.column > 0) out.push(`${indent}      |${" ".repeat(span.column)}^`);
    if (line(span.line + 1) !== undefined) out.push((at(span.line + 1) + line(span.line + 1)).trimEnd());
  }
  return out.join("\n");
}
