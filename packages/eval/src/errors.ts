// Nix evaluation errors and their formatting (as Nix's showErrorInfo).
import type { Span } from "@tsnix/parser";
import { formatPosition } from "@tsnix/parser";

/**
 * What kind of error this is. `tryEval` catches "throw" and "assert" only, as Nix
 * (ThrownError derives from AssertionError there).
 */
export type NixErrorKind =
  "eval" | "type" | "throw" | "assert" | "abort" | "infinite-recursion" | "stack-overflow";

export interface TraceFrame {
  readonly span: Span | null;
  readonly message: string;
  /** Frames Nix only records under --show-trace (function-call frames). */
  readonly showTraceOnly?: boolean;
  /** Printed even after the trace is truncated (builtins.addErrorContext). */
  readonly always?: boolean;
}

export class NixError extends Error {
  /** Innermost first (the order they were added while unwinding). */
  readonly traces: TraceFrame[] = [];
  suggestions: string[] = [];
  /** For infinite recursion: the thunk that was re-entered (internal). */
  recursionThunk: unknown = null;

  constructor(
    message: string,
    public span: Span | null = null,
    readonly kind: NixErrorKind = "eval",
  ) {
    super(message);
    this.name = "NixError";
  }

  addTrace(span: Span | null, message: string): this {
    this.traces.push({ span, message });
    return this;
  }

  /** A frame that is printed even when the trace is truncated (TracePrint::Always). */
  addAlwaysTrace(span: Span | null, message: string): this {
    this.traces.push({ span, message, always: true });
    return this;
  }

  /** A frame Nix adds only with --show-trace ("while calling 'f'", "from call site" of lambdas). */
  addCallTrace(span: Span | null, message: string): this {
    this.traces.push({ span, message, showTraceOnly: true });
    return this;
  }

  withSuggestions(candidates: Iterable<string>, query: string): this {
    this.suggestions = bestMatches(candidates, query);
    return this;
  }

  /** The whole text Nix prints on stderr for this error (no trailing newline). */
  format(opts: { showTrace?: boolean } = {}): string {
    return formatError(this, opts.showTrace ?? false);
  }
}

export function evalError(message: string, span: Span | null = null): NixError {
  return new NixError(message, span, "eval");
}

export function typeError(message: string, span: Span | null = null): NixError {
  return new NixError(message, span, "type");
}

export const STACK_OVERFLOW_MESSAGE = "stack overflow; max-call-depth exceeded";

/**
 * Turn anything thrown during evaluation into a NixError: a JS RangeError from
 * stack exhaustion becomes Nix's stack overflow error.
 */
export function toNixError(e: unknown): NixError {
  if (e instanceof NixError) return e;
  if (e instanceof RangeError) {
    // Careful: we may be right at the stack limit, where even a regex test throws.
    let isStack: boolean;
    try {
      isStack = e.message.indexOf("call stack") >= 0;
    } catch {
      isStack = true;
    }
    if (isStack) return new NixError(STACK_OVERFLOW_MESSAGE, null, "stack-overflow");
  }
  if (e instanceof Error && e.name === "ParseError" && "span" in e) {
    // A syntax error in an imported file: same message and position, and it collects traces.
    return new NixError(e.message, (e as { span: Span }).span, "eval");
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new NixError(msg, null, "eval");
}

// ---- formatting -------------------------------------------------------------

function codeFrame(span: Span): string {
  return formatPosition(span, "");
}

function traceKey(t: TraceFrame): string {
  const s = t.span;
  const where = s === null ? "" : `${s.source.path ?? s.source.origin}:${s.offset}:${s.line}:${s.column}`;
  return where + "\u0000" + t.message;
}

function formatError(err: NixError, showTrace: boolean): string {
  let out = "";
  const traces = err.traces
    .slice()
    .reverse()
    .filter((t) => t.message !== "" && (showTrace || t.showTraceOnly !== true));
  if (traces.length > 0) {
    const seen = new Set<string>();
    let skipped: TraceFrame[] = [];
    let count = 0;
    let truncate = false;
    const printTrace = (t: TraceFrame) => {
      // Without --show-trace Nix stops after a few traces; one with a position counts double.
      out += "\n… " + t.message + "\n";
      count++;
      if (t.span !== null) {
        out += "  " + codeFrame(t.span) + "\n";
        count++;
      }
    };
    const flushSkipped = () => {
      if (skipped.length > 0) {
        if (skipped.length <= 5) for (const t of skipped) printTrace(t);
        else {
          // Nix means to clear the seen set here but passes it by value, so it never does.
          out += `\n(${skipped.length} duplicate frames omitted)\n`;
        }
      }
      skipped = [];
    };
    for (const t of traces) {
      if (!showTrace && count > 3) truncate = true;
      if (truncate && t.always !== true) continue;
      const key = traceKey(t);
      if (seen.has(key)) {
        skipped.push(t);
        continue;
      }
      seen.add(key);
      flushSkipped();
      printTrace(t);
    }
    flushSkipped();
    if (truncate) out += "\n(stack trace truncated; use '--show-trace' to show the full, detailed trace)\n";
    out += "\n";
  }
  out += "\u0001" + err.message + "\n";
  if (err.span !== null) out += codeFrame(err.span) + "\n";
  if (err.suggestions.length > 0) out += showSuggestions(err.suggestions) + "\n";
  // indent as Nix's indent("error: ", "       ", chomp(text))
  const lines = out.replace(/\n+$/, "").split("\n");
  const result: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const isMessage = line.startsWith("\u0001");
    if (isMessage) line = (traces.length > 0 ? "error: " : "") + line.slice(1);
    if (i === 0)
      result.push(line === "" ? "error:" : traces.length > 0 ? "error: " + line : "error: " + line);
    else result.push(line === "" ? "" : "       " + line);
  }
  return result.join("\n");
}

export function showSuggestions(s: readonly string[]): string {
  if (s.length === 1) return `Did you mean ${s[0]}?`;
  return `Did you mean one of ${s.slice(0, -1).join(", ")} or ${s[s.length - 1]}?`;
}

export function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Nix's Suggestions::bestMatches(...).trim(): up to 5 names at edit distance <= 2, by (distance, name). */
export function bestMatches(
  candidates: Iterable<string>,
  query: string,
  limit = 5,
  maxDistance = 2,
): string[] {
  const scored: [number, string][] = [];
  for (const c of candidates) scored.push([levenshtein(query, c), c]);
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  const res: string[] = [];
  for (const [d, c] of scored) {
    if (res.length >= limit || d > maxDistance) break;
    res.push(c);
  }
  return res;
}
