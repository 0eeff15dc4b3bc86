/** Errors of packages/build. Every message names the derivation, as Nix's do. */

/** How many log lines a failure shows (Nix's `log-lines` default). */
export const DEFAULT_LOG_LINES = 10;

export type BuildErrorKind =
  | "unsupported"
  | "exit"
  | "signal"
  | "timeout"
  | "missing-output"
  | "hash-mismatch"
  | "illegal-reference"
  | "invalid-input"
  | "sandbox"
  | "cancelled"
  | "setup"
  | "dependency";

export class BuildError extends Error {
  override readonly name = "BuildError";
  constructor(
    message: string,
    readonly kind: BuildErrorKind,
    readonly drvPath: string,
    /** The end of the build log, already cut to the configured number of lines. */
    readonly logTail: readonly string[] = [],
  ) {
    super(message + formatLogTail(logTail));
  }
}

function formatLogTail(lines: readonly string[]): string {
  if (lines.length === 0) return "";
  return `;\nlast ${lines.length} log lines:\n` + lines.map((l) => `> ${l}`).join("\n");
}

/** The last `n` lines of a log (a trailing newline does not make an empty line). */
export function lastLogLines(log: string, n: number = DEFAULT_LOG_LINES): string[] {
  if (n <= 0 || log.length === 0) return [];
  const lines = log.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-n);
}
