/**
 * The one error type this package throws for malformed input (bad hashes, bad store paths,
 * malformed ATerm / NAR / JSON). Callers turn it into a Nix-style error with their own position.
 */
export class NixFormatError extends Error {
  override name = "NixFormatError";
}

export function formatError(message: string): never {
  throw new NixFormatError(message);
}
