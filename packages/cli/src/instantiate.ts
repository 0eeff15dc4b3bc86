// Running `nix-instantiate` (tsnix instantiate): nix-instantiate.cc's main and
// processExpr over the parser and the Evaluator. Option parsing is in options.ts.
import { readFileSync, statSync, lstatSync, readlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ParseError, parse, parseSettingsFrom, writeExpr, type Expr, type ParseOptions } from "@tsnix/parser";
import {
  Evaluator,
  createMemoryIO,
  NixError,
  type AutoArg,
  type EvalIO,
  type Lazy,
  type SearchPathEntry,
  type Value,
} from "@tsnix/eval";
import { renderEvalResult } from "./eval-command.js";
import { getDerivations } from "./get-derivations.js";
import type { SyncRealiser } from "@tsnix/glue";
import { makeRootLink, openInstantiateStore, type InstantiateStore } from "./instantiate-store.js";
import { boolSetting, loadNixConfig, applySetting, type Settings } from "./nixconf.js";
import {
  EVAL_USAGE,
  parseEvalArgs,
  parseInstantiateArgs,
  TRY_HELP,
  TRY_HELP_EVAL,
  USAGE,
  type InstantiateOptions,
} from "./options.js";
import { buildSearchPath, findInSearchPath } from "./searchpath.js";
import { ensureNewline, type Output } from "./output.js";

export const VERSION = "0.1.0";

export interface RunContext {
  env: Record<string, string | undefined>;
  cwd: string;
  out: Output;
  /** Standard input, read on demand (defaults to fd 0). */
  readStdin?: () => string;
  /**
   * An EvalIO with a store and builds (bridge-worker.ts); `follow` is given the evaluator. It should
   * write nothing when `readOnly` (nix-instantiate's read-only mode: --eval, --dry-run, --readonly-mode).
   * Absent: a LocalStore opened on first use (instantiate-store.ts).
   */
  evalSession?: (
    settings: Settings,
    opts: { readOnly: boolean },
  ) => { io: EvalIO; storeDir: string; follow(evaluator: unknown): void };
  /** Builds for the own store's import-from-derivation (not in read-only mode). Absent: none. */
  realise?: SyncRealiser;
}

/** A user-facing error printed as "error: MESSAGE" (exit code 1). */
class CliError extends Error {}

/** One expression to process: from stdin, from `-E`, or a file. */
type Source =
  { kind: "stdin"; text: string } | { kind: "string"; text: string } | { kind: "file"; path: string };

/** The two front ends over the same evaluation: nix-instantiate and (flake-less) `nix eval`. */
const PROGRAMS = {
  instantiate: { parse: parseInstantiateArgs, tryHelp: TRY_HELP, usage: USAGE, name: "nix-instantiate" },
  eval: { parse: parseEvalArgs, tryHelp: TRY_HELP_EVAL, usage: EVAL_USAGE, name: "nix" },
} as const;

export type Program = keyof typeof PROGRAMS;

export async function runInstantiate(
  argv: readonly string[],
  ctx: RunContext,
  program: Program = "instantiate",
): Promise<number> {
  const p = PROGRAMS[program];
  const parsed = p.parse(argv);
  if (!parsed.ok) {
    ctx.out.stderr(`error: ${parsed.message}\n${p.tryHelp}\n`);
    return 1;
  }
  const o = parsed.options;
  if (o.help) {
    ctx.out.stdout(p.usage);
    return 0;
  }
  if (o.version) {
    ctx.out.stdout(`${p.name} (tsnix) ${VERSION}\n`);
    return 0;
  }
  const settings = loadNixConfig(ctx.env);
  for (const [name, value] of Object.entries(o.settings)) applySetting(settings, name, value);
  const showTrace = boolSetting(settings, "show-trace", false);
  try {
    return await run(o, settings, ctx, program);
  } catch (e) {
    ctx.out.stderr(formatError(e, showTrace));
    return exitCodeOf(e);
  }
}

export function formatError(e: unknown, showTrace: boolean): string {
  if (e instanceof CliError) return `error: ${e.message}\n`;
  if (e instanceof NixError) return ensureNewline(e.format({ showTrace }));
  if (e instanceof ParseError) return ensureNewline(e.format());
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return "error: stack overflow (possible infinite recursion)\n";
  const detail =
    e instanceof Error ? (process.env.TSNIX_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
  return `error: internal error: ${detail}\n`;
}

function exitCodeOf(e: unknown): number {
  const status = (e as { exitCode?: unknown } | null)?.exitCode;
  return typeof status === "number" && status > 0 ? status : 1;
}

function readStdin(ctx: RunContext): string {
  return ctx.readStdin ? ctx.readStdin() : readFileSync(0, "utf8");
}

/** The expressions to process, in Nix's order; each is looked up only when its turn comes. */
function sources(
  o: InstantiateOptions,
  ctx: RunContext,
  searchPath: () => SearchPathEntry[],
): Array<() => Source> {
  const out: Array<() => Source> = [];
  if (o.readStdin) out.push(() => ({ kind: "stdin", text: readStdin(ctx) }));
  const files = !o.readStdin && o.files.length === 0 && !o.fromArgs ? ["./default.nix"] : o.files;
  for (const f of files) {
    out.push(() =>
      o.fromArgs ? { kind: "string", text: f } : { kind: "file", path: lookupFileArg(f, ctx, searchPath) },
    );
  }
  return out;
}

/** `<p>` through the search path, anything else relative to the working directory (as lookupFileArg). */
function lookupFileArg(arg: string, ctx: RunContext, searchPath: () => SearchPathEntry[]): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg))
    throw new CliError(`fetching '${arg}' is not supported by tsnix yet`);
  const m = /^<(.*)>$/.exec(arg);
  if (m) {
    const found = findInSearchPath(searchPath(), m[1]!);
    if (found === null)
      throw new CliError(
        `file '${m[1]}' was not found in the Nix search path (add it using $NIX_PATH or -I)`,
      );
    return found;
  }
  return resolve(ctx.cwd, arg);
}

/** resolveExprPath: follow symlinks of the last component; a directory means its default.nix. */
function resolveExprPath(path: string): string {
  let p = path;
  for (let follow = 0; ; follow++) {
    if (follow >= 1024)
      throw new CliError(`too many symbolic links encountered while traversing the path '${path}'`);
    let isLink: boolean;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      throw new CliError(`getting status of '${p}': No such file or directory`);
    }
    if (!isLink) break;
    p = resolve(dirname(p), readlinkSync(p));
  }
  try {
    if (statSync(p).isDirectory()) return resolve(p, "default.nix");
  } catch {
    throw new CliError(`getting status of '${p}': No such file or directory`);
  }
  return p;
}

/** nix-instantiate's read-only mode: paths are computed, nothing is written to the store. */
export function isReadOnly(o: InstantiateOptions): boolean {
  return o.readOnly || o.dryRun || (o.evalOnly && !o.readWrite);
}

async function run(
  o: InstantiateOptions,
  settings: Settings,
  ctx: RunContext,
  program: Program,
): Promise<number> {
  let cachedSearchPath: SearchPathEntry[] | null = null;
  const searchPath = () =>
    (cachedSearchPath ??= buildSearchPath(o.includes, settings["nix-path"] ?? ctx.env.NIX_PATH, ctx.cwd));

  if (o.findFile) {
    for (const f of o.files) {
      const found = findInSearchPath(searchPath(), f);
      if (found === null) throw new CliError(`unable to find '${f}'`);
      ctx.out.stdout(found + "\n");
    }
    return 0;
  }

  const srcs = sources(o, ctx, searchPath);
  if (o.parseOnly) return parseOnly(srcs, ctx, settings);

  const readOnly = isReadOnly(o);
  const given = ctx.evalSession?.(settings, { readOnly });
  const own: InstantiateStore | undefined =
    given === undefined
      ? openInstantiateStore({
          spec: settings.store,
          storeDir: ctx.env.NIX_STORE_DIR ?? "/nix/store",
          readOnly,
          env: ctx.env,
          ...(ctx.realise && !readOnly ? { realise: ctx.realise } : {}),
        })
      : undefined;
  const session = (given ?? own)!;
  try {
    const state = new Evaluator({
      io: session.io,
      storeDir: session.storeDir,
      currentSystem: settings.system ?? "x86_64-linux",
      searchPath: searchPath(),
      pureEval: boolSetting(settings, "pure-eval", false),
      ...(settings["max-call-depth"] ? { maxCallDepth: Number(settings["max-call-depth"]) } : {}),
      settings,
      onWarning: (m) => ctx.out.stderr(ensureNewline(m)),
      onTrace: (m) => ctx.out.stderr(ensureNewline(m)),
      abortOnWarn: boolSetting(settings, "abort-on-warn", false) || ctx.env.NIX_ABORT_ON_WARN === "1",
      traceVerbose: boolSetting(settings, "trace-verbose", false),
    });
    session.follow(state);
    const autoArgs = resolveAutoArgs(o, ctx);
    const roots = new RootLinks(o, ctx, settings, (p) => own?.realPath(p) ?? p);
    for (const next of srcs) {
      const src = next();
      const root =
        src.kind === "file"
          ? state.evalFile(src.path)
          : state.evalString(src.text, { baseDir: ctx.cwd, origin: src.kind });
      processExpr(state, o, autoArgs, root, ctx, roots, program);
    }
    return 0;
  } finally {
    own?.close();
  }
}

function resolveAutoArgs(o: InstantiateOptions, ctx: RunContext): Map<string, AutoArg> {
  const args = new Map<string, AutoArg>();
  for (const { name, arg } of o.autoArgs) {
    if (arg.kind === "file")
      args.set(name, { kind: "string", value: readFileSync(resolve(ctx.cwd, arg.path), "utf8") });
    else if (arg.kind === "stdin") args.set(name, { kind: "string", value: readStdin(ctx) });
    else args.set(name, arg);
  }
  return args;
}

/**
 * What nix-instantiate prints for each derivation: its drv path, or with `--add-root PATH` the
 * root link made to it (PATH, then PATH-2, PATH-3, ...), and `!OUTPUT` unless the output is `out`.
 * Without --add-root Nix warns once that the result may be garbage-collected.
 */
class RootLinks {
  private count = 0;
  private warned = false;

  constructor(
    private readonly o: InstantiateOptions,
    private readonly ctx: RunContext,
    private readonly settings: Settings,
    private readonly realPath: (storePath: string) => string,
  ) {}

  line(drvPath: string, outputName: string): string {
    let shown = drvPath;
    if (this.o.addRoot === null) {
      if (!this.warned && this.o.gcWarning && boolSetting(this.settings, "gc-warning", true)) {
        this.warned = true;
        this.ctx.out.stderr(
          "warning: you did not specify '--add-root'; the result might be removed by the garbage collector\n",
        );
      }
    } else {
      let link = resolve(this.ctx.cwd, this.o.addRoot);
      if (++this.count > 1) link += `-${this.count}`;
      makeRootLink(this.realPath(drvPath), link);
      shown = link;
    }
    return `${shown}${outputName !== "out" ? `!${outputName}` : ""}\n`;
  }
}

function processExpr(
  state: Evaluator,
  o: InstantiateOptions,
  autoArgs: Map<string, AutoArg>,
  root: Value,
  ctx: RunContext,
  roots: RootLinks,
  program: Program,
): void {
  const attrPaths = o.attrPaths.length === 0 ? [""] : o.attrPaths;
  for (const attrPath of attrPaths) {
    // findAlongAttrPath auto-calls the value before each selection.
    const v = state.force(
      attrPath === "" ? root : state.selectAttrPath(state.autoCall(root, autoArgs), attrPath),
    );
    if (!o.evalOnly) {
      for (const drv of getDerivations(state, v, autoArgs)) {
        if (drv.outputName === "")
          throw new CliError(`derivation '${drv.drvPath}' lacks an 'outputName' attribute`);
        ctx.out.stdout(roots.line(drv.drvPath, drv.outputName));
      }
      continue;
    }
    let result: Value = autoArgs.size === 0 ? v : state.force(state.autoCall(v, autoArgs));
    if (o.apply !== null) result = state.call(state.evalString(o.apply, { baseDir: ctx.cwd }), result);
    ctx.out.stdout(program === "eval" ? renderEvalResult(state, o.output, result) : render(state, o, result));
  }
}

function render(state: Evaluator, o: InstantiateOptions, v: Lazy): string {
  switch (o.output) {
    case "xml":
      return ensureNewline(state.toXML(v, { location: o.xmlLocation }));
    case "json":
      return state.toJSON(v) + "\n";
    case "raw": {
      const js = state.toJS(state.forceDeep(v));
      if (typeof js !== "string") throw new CliError("--raw needs the result to be a string");
      return js;
    }
    case "plain":
      return state.print(v, { strict: o.strict }) + "\n";
  }
}

function parseOnly(srcs: Array<() => Source>, ctx: RunContext, settings: Settings): number {
  // Nix binds variables right after parsing, so `--parse` reports undefined
  // variables against the real base environment, with the same parse settings.
  const globals = new Evaluator({ io: createMemoryIO({}), settings });
  const common: Pick<ParseOptions, "homeDir" | "isGlobal" | "onWarning"> &
    ReturnType<typeof parseSettingsFrom> = {
    homeDir: ctx.env.HOME ?? "/",
    isGlobal: (name) => globals.isGlobal(name),
    ...parseSettingsFrom(settings),
    onWarning: (w) => ctx.out.stderr(ensureNewline(w)),
  };
  for (const next of srcs) {
    const src = next();
    let expr: Expr;
    if (src.kind === "file") {
      const path = resolveExprPath(src.path);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        throw new CliError(`opening file '${path}': No such file or directory`);
      }
      expr = parse(text, { ...common, path, origin: "file", baseDir: dirname(path) });
    } else {
      expr = parse(src.text, { ...common, path: null, origin: src.kind, baseDir: ctx.cwd });
    }
    writeExpr(expr, (chunk) => ctx.out.stdout(chunk));
    ctx.out.stdout("\n");
  }
  return 0;
}
