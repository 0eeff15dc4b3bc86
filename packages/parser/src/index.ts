// @tsnix/parser: Nix source text → the typed AST of ast.ts.
import type { Expr, Source } from "./ast.js";
import type { ParseLints } from "./diagnostics.js";
import { ParseError } from "./errors.js";
import { NixParser } from "./parser.js";
import { checkScopes } from "./scope.js";
import { showExpr as showExprRaw, writeExpr as writeExprRaw } from "./show.js";
import { spanAt } from "./spans.js";

export type * from "./ast.js";
export { fileSource, stdinSource, stringSource, sourceName, showPos, formatPosition } from "./source.js";
export { ParseError } from "./errors.js";
export { showString, showIdentifier, showFloat, showAttrPath } from "./show.js";
export { checkScopes } from "./scope.js";
export {
  experimentalFeatures,
  parseSettingsFrom,
  type LintLevel,
  type ParseLints,
  type ParseSettings,
} from "./diagnostics.js";
export { OPERATOR_TABLE, type OperatorRow } from "./precedence.js";
export { spanAt };

export interface ParseOptions {
  /** Absolute path of the file; null for stdin and strings. */
  path?: string | null;
  origin?: "file" | "stdin" | "string";
  /** Directory relative path literals resolve against. */
  baseDir: string;
  /** Where `~/` points; defaults to $HOME when running under Node. */
  homeDir?: string;
  /**
   * When given, also report undefined variables as `nix-instantiate --parse`
   * does (Nix binds variables right after parsing). `isGlobal` tells which
   * names the base environment defines (builtins, true, false, null, …).
   */
  isGlobal?: (name: string) => boolean;
  /**
   * Experimental features that are on (Nix's `experimental-features`):
   * `pipe-operators` allows `|>` and `<|`. Off by default, as in Nix.
   * `parseSettingsFrom(settings)` reads them from a settings table.
   */
  experimentalFeatures?: ReadonlySet<string>;
  /** The `lint-*` settings (default: all ignored). */
  lints?: ParseLints;
  /** Receives parse-time warnings, each the whole text Nix prints (`warning: …`, no trailing newline). */
  onWarning?: (text: string) => void;
}

let shared: NixParser | null = null;

/** The one parser instance (building it analyses the grammar, which is slow). */
export function getParser(): NixParser {
  return (shared ??= new NixParser());
}

function defaultHome(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.HOME ?? "/homeless-shelter";
}

/** Nesting deeper than the JS stack: reported as Nix reports running out of stack. */
function stackOverflow(source: Source): ParseError {
  return new ParseError("stack overflow; max-call-depth exceeded", spanAt(source, 0, 0));
}

/** Exactly what `nix-instantiate --parse` prints for `e`; throws ParseError if `e` is nested too deeply to print. */
export function showExpr(e: Expr): string {
  try {
    return showExprRaw(e);
  } catch (err) {
    if (err instanceof RangeError) throw stackOverflow(e.span.source);
    throw err;
  }
}

/**
 * showExpr's text as UTF-8, handed to `write` in pieces as it is printed (for big ASTs: the whole
 * text is never held). Each piece ends on a character boundary and is only valid during the call.
 * Throws ParseError if `e` is nested too deeply to print.
 */
export function writeExpr(e: Expr, write: (chunk: Uint8Array) => void): void {
  try {
    writeExprRaw(e, write);
  } catch (err) {
    if (err instanceof RangeError) throw stackOverflow(e.span.source);
    throw err;
  }
}

/** Parse Nix source text. Throws ParseError (never anything else) for bad input. */
export function parse(text: string, opts: ParseOptions): Expr {
  const path = opts.path ?? null;
  const origin = opts.origin ?? (path !== null ? "file" : "string");
  const source: Source = { path, origin, text };
  let expr: Expr;
  try {
    expr = getParser().parseSource({
      source,
      baseDir: opts.baseDir,
      homeDir: opts.homeDir ?? defaultHome(),
      pipeOperators: opts.experimentalFeatures?.has("pipe-operators") === true,
      ...(opts.lints !== undefined ? { lints: opts.lints } : {}),
      warn: opts.onWarning ?? null,
    });
    if (opts.isGlobal !== undefined) checkScopes(expr, opts.isGlobal);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    if (e instanceof RangeError) throw stackOverflow(source);
    throw e;
  }
  return expr;
}
