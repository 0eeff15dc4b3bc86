import type { Span } from "./ast.js";
import { formatPosition } from "./source.js";

/** A syntax or static error found while parsing, with Nix's message and position. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
    this.name = "ParseError";
  }

  /** The whole text Nix prints on stderr for this error (no trailing newline). */
  format(): string {
    // Continuation lines of the message are indented as Nix's showErrorInfo does.
    return `error: ${this.message.replace(/\n/g, "\n       ")}\n${formatPosition(this.span)}`;
  }
}
