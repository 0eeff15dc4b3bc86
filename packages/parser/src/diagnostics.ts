// Parse-time diagnostics Nix emits besides syntax errors: the lint settings
// (`lint-absolute-path-literals`, `lint-short-path-literals`,
// `lint-url-literals`), the experimental-feature check of the pipe operators
// and the "cursed or" warning. Which of them are on comes from Nix settings.
import type { Span } from "./ast.js";
import { ParseError } from "./errors.js";
import { formatPosition, showPos } from "./source.js";

/** A lint setting's value, as Nix spells it. */
export type LintLevel = "ignore" | "warn" | "fatal";

export interface ParseLints {
  /** `lint-absolute-path-literals`: `/abs` and `~/home` path literals. */
  readonly absolutePathLiterals?: LintLevel;
  /** `lint-short-path-literals`: relative path literals not starting with `.`. */
  readonly shortPathLiterals?: LintLevel;
  /** `lint-url-literals`: unquoted URLs. */
  readonly urlLiterals?: LintLevel;
}

/** The parse options that Nix takes from its settings. */
export interface ParseSettings {
  readonly experimentalFeatures: ReadonlySet<string>;
  readonly lints: ParseLints;
}

const LINT_SETTINGS: ReadonlyArray<readonly [keyof ParseLints, string]> = [
  ["absolutePathLiterals", "lint-absolute-path-literals"],
  ["shortPathLiterals", "lint-short-path-literals"],
  ["urlLiterals", "lint-url-literals"],
];

function lintLevel(v: string | undefined): LintLevel | undefined {
  const s = v?.trim();
  return s === "ignore" || s === "warn" || s === "fatal" ? s : undefined;
}

/**
 * The parse options in a table of Nix settings (`experimental-features` and
 * `extra-experimental-features`, the `lint-*` settings), as the CLI and the
 * evaluator hold them.
 */
export function parseSettingsFrom(settings: Readonly<Record<string, string | undefined>>): ParseSettings {
  const lints: { -readonly [K in keyof ParseLints]: LintLevel } = {};
  for (const [key, name] of LINT_SETTINGS) {
    const level = lintLevel(settings[name]);
    if (level !== undefined) lints[key] = level;
  }
  return { experimentalFeatures: experimentalFeatures(settings), lints };
}

/** The experimental features a table of Nix settings turns on (`experimental-features` and `extra-…`). */
export function experimentalFeatures(settings: Readonly<Record<string, string | undefined>>): Set<string> {
  const listed = `${settings["experimental-features"] ?? ""} ${settings["extra-experimental-features"] ?? ""}`;
  return new Set(listed.split(/\s+/).filter((f) => f !== ""));
}

/** The error Nix's `experimentalFeatureSettings.require` raises, at `span`. */
export function missingFeature(feature: string, span: Span): ParseError {
  return new ParseError(
    `experimental Nix feature '${feature}' is disabled; add '--extra-experimental-features ${feature}' to enable it`,
    span,
  );
}

/**
 * Nix's `diagnose(setting, ...)`: nothing when the lint is off, a warning with
 * the code frame when it warns, a parse error when it is fatal. `message` gets
 * the setting's name appended, as Nix does.
 */
export function diagnose(
  level: LintLevel | undefined,
  setting: string,
  message: (fatal: boolean) => string,
  span: Span,
  warn: ((text: string) => void) | null,
): void {
  if (level === undefined || level === "ignore") return;
  const fatal = level === "fatal";
  const text = `${message(fatal)} (${setting})`;
  if (fatal) throw new ParseError(text, span);
  warn?.(`warning: ${text}\n${formatPosition(span, "         ")}`);
}

/** The "cursed or" warning for `e or` used as an argument or list element (Nix's warnIfCursedOr). */
export function cursedOrWarning(span: Span, snippet: string): string {
  return (
    `warning: at ${showPos(span)}: This expression uses \`or\` as an identifier in a way that will change in a future Nix release.\n` +
    "Wrap this entire expression in parentheses to preserve its current meaning:\n" +
    `    (${snippet})\n` +
    "Give feedback at https://github.com/NixOS/nix/pull/11121"
  );
}
