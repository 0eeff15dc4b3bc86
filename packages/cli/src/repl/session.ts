// The REPL's evaluation state (runs in the worker): NixRepl from Nix's
// libcmd/repl.cc. A scope of REPL variables on top of the evaluator's base
// scope (later bindings shadow earlier ones, as Nix's displacement-indexed
// env), input parsed and compiled in that scope, values printed with Nix's
// printer (maxDepth 1 for plain input, unlimited for :p).
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import {
  NixAttrs,
  escapeString,
  forceAttrs,
  type AutoArg,
  type Evaluator,
  type Lazy,
  type Value,
  type Variables,
} from "@tsnix/eval";
import { parse, type Expr } from "@tsnix/parser";
import { formatError } from "../instantiate.js";
import type { Output } from "../output.js";
import { findInSearchPath } from "../searchpath.js";
import { runCommand } from "./commands.js";
import type { LineOutcome } from "./protocol.js";
import type { ReplBuilds } from "./builds.js";
import { REPL_PRINT, ValuePrinter, isVarName } from "./value-printer.js";

/** A user-facing error printed as "error: MESSAGE". */
export class ReplError extends Error {}

/** The input ended inside an expression: wait for more lines. */
class IncompleteInput extends Error {}

export interface SessionOptions {
  cwd: string;
  homeDir: string;
  searchPath: Array<{ prefix: string; path: string }>;
  autoArgs: Map<string, AutoArg>;
  showTrace: boolean;
  colors: boolean;
  /** The store and builds (`:b`, `:bl`, `:log`); absent: those commands say builds are unavailable. */
  builds?: ReplBuilds;
}

export class ReplSession {
  /** REPL variables, over the evaluator's global scope. */
  private vars!: Variables;
  loadedFiles: string[] = [];
  lastLoaded: string[] = [];
  showTrace: boolean;
  /** When false (replaying after a restart), nothing is written. */
  verbose = true;

  constructor(
    readonly ev: Evaluator,
    readonly options: SessionOptions,
    private readonly out: Output,
  ) {
    this.showTrace = options.showTrace;
    this.initEnv();
  }

  stdout(text: string): void {
    if (this.verbose) this.out.stdout(text);
  }

  /** Nix's notice(): informational lines on stderr. */
  notice(text: string): void {
    if (this.verbose) this.out.stderr(text + "\n");
  }

  initEnv(): void {
    this.vars = this.ev.newVariables();
  }

  /** NixRepl::mainLoop's handling of one input: process it, then an empty line unless it quit. */
  handleInput(input: string): LineOutcome {
    const outcome = this.processLine(input);
    if (outcome.kind === "done") this.stdout("\n");
    return outcome;
  }

  /** Processes one complete input (possibly several lines); NixRepl::processLine. */
  private processLine(input: string): LineOutcome {
    const line = input.trim();
    if (line === "") return { kind: "done", replay: false };
    try {
      if (line.startsWith(":")) {
        const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
        return runCommand(this, m[1]!, m[2]!.trim());
      }
      const binding = this.bindingOf(line);
      if (binding !== null) {
        const value = this.vars.lazy(this.parse(binding.expr));
        this.addVar(binding.name, value);
        return { kind: "done", replay: true };
      }
      this.printResult(this.evalInput(line), 1);
      return { kind: "done", replay: false };
    } catch (e) {
      if (e instanceof IncompleteInput) return { kind: "incomplete" };
      this.reportError(e);
      return { kind: "done", replay: false };
    }
  }

  reportError(e: unknown): void {
    if (!this.verbose) return;
    const text = e instanceof ReplError ? `error: ${e.message}\n` : formatError(e, this.showTrace);
    this.out.stderr(text);
  }

  /** `x = expr` (Nix: the first '=' not followed by '=', with a variable name before it). */
  private bindingOf(line: string): { name: string; expr: string } | null {
    const p = line.indexOf("=");
    if (p < 0 || line[p + 1] === "=") return null;
    const name = line.slice(0, p).trim();
    return isVarName(name) ? { name, expr: line.slice(p + 1) } : null;
  }

  private parse(text: string): Expr {
    try {
      return parse(text, {
        path: null,
        origin: "string",
        baseDir: this.options.cwd,
        homeDir: this.options.homeDir,
      });
    } catch (e) {
      if (e instanceof Error && e.message.includes("unexpected end of file")) throw new IncompleteInput();
      throw e;
    }
  }

  /** Run `f` as the evaluator runs its own work (stack exhaustion and stray errors become NixErrors). */
  guard<T>(f: () => T): T {
    let own: Error | null = null; // the REPL's own errors pass through unchanged
    try {
      return this.ev.run(() => {
        try {
          return f();
        } catch (e) {
          if (e instanceof IncompleteInput || e instanceof ReplError) own = e;
          throw e;
        }
      });
    } catch (e) {
      throw own ?? e;
    }
  }

  /** Parse, compile in the REPL scope, evaluate to weak head normal form. */
  evalInput(text: string): Value {
    return this.vars.eval(this.parse(text));
  }

  printResult(v: Value, maxDepth: number): void {
    const printer = new ValuePrinter(this.ev, {
      ...REPL_PRINT,
      maxDepth,
      ansiColors: this.options.colors,
    });
    const text = this.guard(() => printer.print(v));
    this.stdout(text + "\n");
  }

  addVar(name: string, v: Lazy): void {
    this.vars.bind(name, v);
  }

  /** NixRepl::addAttrsToScope. */
  addAttrsToScope(v: Value): void {
    const attrs = this.guard(() =>
      forceAttrs(v, null, "while evaluating an attribute set to be merged in the global scope"),
    );
    const names = [...attrs.keys()];
    for (const name of names) this.addVar(name, attrs.get(name)!);
    this.lastLoaded = names;
    this.notice(`Added ${names.length} variables.`);
    const shown = names.slice(0, 20).map((n) => (isVarName(n) ? n : escapeString(n)));
    this.notice(shown.join(", "));
    if (names.length > 20) this.notice(`... and ${names.length - 20} more; view with :ll`);
  }

  /** NixRepl::loadFile: evaluate, auto-call with --arg/--argstr, add the attributes. */
  loadFile(arg: string): void {
    this.loadedFiles = this.loadedFiles.filter((f) => f !== arg);
    this.loadedFiles.push(arg);
    const path = this.lookupFileArg(arg);
    const v = this.guard(() => this.ev.autoCall(this.ev.evalFile(path), this.options.autoArgs));
    this.addAttrsToScope(v);
  }

  reloadFiles(): void {
    this.ev.forgetFiles();
    this.initEnv();
    const files = this.loadedFiles;
    this.loadedFiles = [];
    for (const f of files) {
      this.notice(`Loading '${f}'...`);
      this.loadFile(f);
    }
  }

  resetFileCache(): void {
    this.ev.forgetFiles();
  }

  private lookupFileArg(arg: string): string {
    const m = /^<(.*)>$/.exec(arg);
    if (m === null) return resolve(this.options.cwd, arg);
    const found = findInSearchPath(this.options.searchPath, m[1]!);
    if (found === null)
      throw new ReplError(
        `file '${m[1]}' was not found in the Nix search path (add it using $NIX_PATH or -I)`,
      );
    return found;
  }

  /** Names for completion: the base scope's and the REPL's variables. */
  varNames(): string[] {
    return [...new Set([...this.ev.globalNames(), ...this.vars.names()])].sort();
  }

  /**
   * NixRepl::completePrefix, relative to the word being completed: a path
   * (after '/'), an attribute of an expression (after its last '.'), or a name.
   */
  complete(prefix: string): { word: string; items: string[] } {
    const start = Math.max(...[..." \n\r\t(){}[]"].map((c) => prefix.lastIndexOf(c)));
    const word = prefix.slice(start + 1);
    try {
      if (word.includes("/")) return { word, items: completePath(word) };
      const dot = this.completionDot(word);
      if (dot === null) return { word, items: this.varNames().filter((n) => n.startsWith(word)) };
      const expr = word.slice(0, dot);
      const typed = word.slice(dot + 1);
      // `foo."a b<TAB>`: a quoted prefix (Nix's parseAttrPrefix); completions stay quoted.
      const quoted = typed.startsWith('"');
      const attrPrefix = quoted ? unquotePrefix(typed) : typed;
      if (attrPrefix === null) return { word, items: [] };
      const v = this.evalInput(expr);
      if (!(v instanceof NixAttrs)) return { word, items: [] };
      const items = [...v.keys()]
        .filter((n) => n.startsWith(attrPrefix))
        .map((n) => `${expr}.${!quoted && isVarName(n) ? n : escapeString(n)}`);
      return { word, items };
    } catch {
      return { word, items: [] };
    }
  }

  /** The last '.' whose left side parses as an expression. */
  private completionDot(word: string): number | null {
    for (let i = word.lastIndexOf("."); i > 0; i = word.lastIndexOf(".", i - 1)) {
      try {
        this.parse(word.slice(0, i));
        return i;
      } catch {
        // an earlier separator, then
      }
    }
    return null;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t" };

/** The text of a quoted attribute prefix (`"a\"b`), or null if it holds an interpolation. */
function unquotePrefix(typed: string): string | null {
  let out = "";
  for (let i = 1; i < typed.length; i++) {
    const c = typed[i]!;
    if (c === "\\" && i + 1 < typed.length) out += ESCAPES[typed[++i]!] ?? typed[i];
    else if (c === '"') break;
    else if (c === "$" && typed[i + 1] === "{") return null;
    else out += c;
  }
  return out;
}

function completePath(word: string): string[] {
  const slash = word.lastIndexOf("/");
  const dir = word.slice(0, slash);
  const base = word.slice(slash + 1);
  try {
    return readdirSync(dir === "" ? "/" : dir, { withFileTypes: true })
      .filter((d) => !d.name.startsWith(".") && d.name.startsWith(base))
      .map((d) => `${dir}/${d.name}${d.isDirectory() ? "/" : ""}`)
      .sort();
  } catch {
    return [];
  }
}
