// The parts of @tsnix/parser and @tsnix/eval the CLI uses, written down from
// their contracts (packages/parser/src/ast.ts, /work/brief/EVAL-API.md) and
// loaded with a dynamic import. The CLI therefore builds and runs its other
// commands (`--parse`, `test-lang`) even while the evaluator is still missing,
// and reports a clear error instead of crashing when it is.

export interface EvalIO {
  readFile(path: string): string;
  readFileBytes(path: string): Uint8Array;
  pathExists(path: string): boolean;
  readFileType(path: string): "regular" | "directory" | "symlink" | "unknown";
  readDir(path: string): Map<string, "regular" | "directory" | "symlink" | "unknown">;
  getEnv(name: string): string | undefined;
  realPath?(path: string): string;
}

export interface SearchPathEntry {
  prefix: string;
  path: string;
}

export type AutoArg = { kind: "expr"; text: string } | { kind: "string"; value: string };

export interface EvaluatorOptions {
  io: EvalIO;
  storeDir?: string;
  currentSystem?: string;
  searchPath?: SearchPathEntry[];
  pureEval?: boolean;
  maxCallDepth?: number;
  settings?: Record<string, string>;
  onWarning?: (message: string) => void;
  onTrace?: (message: string) => void;
  abortOnWarn?: boolean;
  traceVerbose?: boolean;
}

/** An evaluator value: opaque to the CLI. */
export type Value = unknown;

export interface Evaluator {
  evalFile(path: string): Value;
  evalString(text: string, opts?: { baseDir?: string; origin?: "string" | "stdin" }): Value;
  autoCall(fn: Value, args: Map<string, AutoArg>): Value;
  selectAttrPath(v: Value, attrPath: string): Value;
  force(v: Value): Value;
  forceDeep(v: Value): Value;
  print(v: Value, opts?: { strict?: boolean }): string;
  toJSON(v: Value): string;
  toXML(v: Value, opts?: { location?: boolean }): string;
  call(fn: Value, ...args: Value[]): Value;
}

export interface EvalModule {
  Evaluator: new (options: EvaluatorOptions) => Evaluator;
  NixError: abstract new (...args: never[]) => Error & { format(opts?: { showTrace?: boolean }): string };
}

export interface ParseOptions {
  path: string | null;
  origin: "file" | "stdin" | "string";
  baseDir: string;
  homeDir: string;
}

export interface ParserModule {
  parse(text: string, opts: ParseOptions): unknown;
  showExpr(expr: unknown): string;
  ParseError: abstract new (...args: never[]) => Error & { format(): string };
}

export async function loadParser(): Promise<ParserModule> {
  const { loadEngines } = await import("./engines.js");
  return (await loadEngines()).parser;
}

export async function loadEval(): Promise<EvalModule> {
  const { loadEngines } = await import("./engines.js");
  const e = (await loadEngines()).evaluator;
  if (e === null) throw new Error("the evaluator (@tsnix/eval) is not built");
  return e;
}

/** An error with Nix's `format()` (NixError, ParseError), recognised structurally. */
export function isFormattable(e: unknown): e is Error & { format(opts?: { showTrace?: boolean }): string } {
  return e instanceof Error && typeof (e as { format?: unknown }).format === "function";
}

export interface GlueModule {
  createNodeIO(opts?: { env?: Record<string, string | undefined> }): EvalIO;
}

/** @tsnix/glue's Node EvalIO when glue is built, else null (the CLI then uses its own minimal one). */
export async function loadGlue(): Promise<GlueModule | null> {
  const { loadEngines } = await import("./engines.js");
  return (await loadEngines()).glue;
}
