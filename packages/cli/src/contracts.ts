// DEPRECATED: only bridge-worker.ts still imports this; delete the file once it uses
// `instanceof NixError` / `ParseError` (or instantiate.ts's formatError) instead.

/** An error with Nix's `format()` (NixError, ParseError), recognised structurally. */
export function isFormattable(e: unknown): e is Error & { format(opts?: { showTrace?: boolean }): string } {
  return e instanceof Error && typeof (e as { format?: unknown }).format === "function";
}
