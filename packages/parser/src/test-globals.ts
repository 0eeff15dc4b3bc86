// Names the tests treat as defined by Nix's base environment. The real list
// belongs to the evaluator (its builtins); this one is enough for the tests.
const NAMES = new Set([
  "true",
  "false",
  "null",
  "builtins",
  "import",
  "abort",
  "throw",
  "toString",
  "map",
  "derivation",
  "baseNameOf",
  "dirOf",
  "isNull",
  "removeAttrs",
  "scopedImport",
  "placeholder",
  "fetchTarball",
  "fetchGit",
]);

export function TEST_GLOBALS(name: string): boolean {
  return NAMES.has(name) || name.startsWith("__");
}
