// The REPL's `:` commands, as a table (names, what they do), after NixRepl::processLine.
import { resolve } from "node:path";
import { NixAttrs, NixPrimop, NixString, isDerivation, showType } from "@tsnix/eval";
import { makeRootLink } from "../instantiate-store.js";
import type { ReplBuilds } from "./builds.js";
import type { LineOutcome } from "./protocol.js";
import { ReplError, type ReplSession } from "./session.js";

interface Command {
  readonly names: readonly string[];
  /** Returns whether the command changed the scope or settings (replayed after a restart). */
  readonly run: (s: ReplSession, arg: string, name: string) => boolean | "quit";
}

export const HELP = `The following commands are available:

  <expr>                       Evaluate and print expression
  <x> = <expr>                 Bind expression to variable
  :a, :add <expr>              Add attributes from resulting set to scope
  :b <expr>                    Build a derivation
  :bl <expr>                   Build a derivation, creating GC roots in the
                               working directory
  :e, :edit <expr>             Open package or function in $EDITOR
  :i <expr>                    Build derivation, then install result into
                               current profile
  :l, :load <path>             Load Nix expression and add it to scope
  :lf, :load-flake <ref>       Load Nix flake and add it to scope
  :ll, :last-loaded            Show most recently loaded variables added to scope
  :p, :print <expr>            Evaluate and print expression recursively
                               Strings are printed directly, without escaping.
  :q, :quit                    Exit nix-repl
  :r, :reload                  Reload all files
  :sh <expr>                   Build dependencies of derivation, then start
                               nix-shell
  :t <expr>                    Describe result of evaluation
  :u <expr>                    Build derivation, then start nix-shell
  :doc <expr>                  Show documentation of a builtin function
  :log <expr>                  Show logs for a derivation
  :te, :trace-enable [bool]    Enable, disable or toggle showing traces for
                               errors
  :?, :help                    Brings up this help menu
`;

/** NixRepl::getDerivationPath: the value must be a derivation whose .drv is in the store. */
function derivationPath(s: ReplSession, arg: string): { drvPath: string; builds: ReplBuilds } {
  const v = s.evalInput(arg);
  if (!(v instanceof NixAttrs) || !isDerivation(v))
    throw new ReplError("expression does not evaluate to a derivation, so I can't build it");
  const drvPathValue = v.get("drvPath");
  if (drvPathValue === undefined)
    throw new ReplError("expression did not evaluate to a valid derivation (no 'drvPath' attribute)");
  const p = s.guard(() => s.ev.force(drvPathValue));
  const drvPath = typeof p === "string" ? p : p instanceof NixString ? p.value : undefined;
  if (drvPath === undefined)
    throw new ReplError("expression did not evaluate to a valid derivation ('drvPath' is not a string)");
  const builds = s.options.builds;
  if (builds === undefined) throw new ReplError("this REPL session has no store, so it cannot build");
  if (!storeCall(() => builds.isValidPath(drvPath)))
    throw new ReplError(`expression evaluated to invalid derivation '${drvPath}'`);
  return { drvPath, builds };
}

/**
 * A store or build failure as a REPL error, not a stack trace; later lines of the message (the log
 * tail) are indented under the first, as Nix prints `error: builder for '…' failed with …`.
 */
function storeCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ReplError(message.replace(/\n/g, "\n       "));
  }
}

/** `:b` / `:bl`: build every output, then list them (`:bl`: with `repl-result-<output>` GC roots). */
function build(s: ReplSession, arg: string, name: string): boolean {
  const { drvPath, builds } = derivationPath(s, arg);
  const outputs = storeCall(() => builds.realise(drvPath));
  const lines = ["", "This derivation produced the following outputs:"];
  for (const output of Object.keys(outputs).sort()) {
    const path = outputs[output]!;
    if (name === ":bl") {
      const link = `repl-result-${output}`;
      storeCall(() => makeRootLink(builds.realPath(path), resolve(s.options.cwd, link)));
      lines.push(`  ./${link} -> ${path}`);
    } else lines.push(`  ${output} -> ${path}`);
  }
  s.stdout(lines.join("\n") + "\n");
  return false;
}

/** `:log`: the kept log of the derivation's last build. */
function showLog(s: ReplSession, arg: string): boolean {
  const { drvPath, builds } = derivationPath(s, arg);
  const log = storeCall(() => builds.readLog(drvPath));
  if (log === undefined) throw new ReplError(`build log of '${drvPath}' is not available`);
  s.notice(`got build log for '${drvPath}' from '${builds.storeName}'`);
  s.stdout(log);
  return false;
}

/** `:i` (nix-env -i) and `:sh` (nix-shell): the derivation is checked, then they are refused. */
function notSupported(s: ReplSession, arg: string, name: string): boolean {
  const { drvPath } = derivationPath(s, arg);
  const what = name === ":i" ? "installing into a profile" : "starting nix-shell";
  throw new ReplError(`'${name}' (${what}) is not supported by tsnix yet (derivation '${drvPath}')`);
}

const unsupported = (what: string) => (): boolean => {
  throw new ReplError(`${what} is not supported by tsnix yet`);
};

const COMMANDS: readonly Command[] = [
  {
    names: [":?", ":help"],
    run: (s) => {
      s.stdout(HELP);
      return false;
    },
  },
  {
    names: [":a", ":add"],
    run: (s, arg) => {
      s.addAttrsToScope(s.evalInput(arg));
      return true;
    },
  },
  {
    names: [":l", ":load"],
    run: (s, arg) => {
      s.resetFileCache();
      s.loadFile(arg);
      return true;
    },
  },
  {
    names: [":r", ":reload"],
    run: (s) => {
      s.reloadFiles();
      return true;
    },
  },
  {
    names: [":ll", ":last-loaded"],
    run: (s) => {
      for (const n of s.lastLoaded) s.stdout(n + "\n");
      return false;
    },
  },
  {
    names: [":t"],
    run: (s, arg) => {
      s.stdout(showType(s.evalInput(arg)) + "\n");
      return false;
    },
  },
  {
    names: [":p", ":print"],
    run: (s, arg) => {
      const v = s.evalInput(arg);
      if (typeof v === "string") s.stdout(v + "\n");
      else if (v instanceof NixString) s.stdout(v.value + "\n");
      else s.printResult(v, Infinity);
      return false;
    },
  },
  { names: [":q", ":quit"], run: () => "quit" },
  {
    names: [":doc"],
    run: (s, arg) => {
      const v = s.evalInput(arg);
      const def = v instanceof NixPrimop ? v.def : undefined;
      if (def?.doc === undefined) throw new ReplError("value does not have documentation");
      const args = (def.args ?? []).map((a) => `*${a}*`).join(" ");
      s.stdout(`Synopsis: builtins.${def.name} ${args}\n\n${def.doc.trim()}\n`);
      return false;
    },
  },
  {
    names: [":te", ":trace-enable"],
    run: (s, arg, name) => {
      if (arg === "false" || (arg === "" && s.showTrace)) {
        s.stdout("not showing error traces\n");
        s.showTrace = false;
      } else if (arg === "true" || (arg === "" && !s.showTrace)) {
        s.stdout("showing error traces\n");
        s.showTrace = true;
      } else throw new ReplError(`unexpected argument '${arg}' to ${name}`);
      return true;
    },
  },
  { names: [":b", ":bl"], run: build },
  { names: [":log"], run: showLog },
  { names: [":i", ":sh"], run: notSupported },
  { names: [":u"], run: unsupported("':u' (starting nix-shell)") },
  { names: [":e", ":edit"], run: unsupported("':edit'") },
  { names: [":lf", ":load-flake"], run: unsupported("loading flakes") },
];

const BY_NAME: ReadonlyMap<string, Command> = new Map(COMMANDS.flatMap((c) => c.names.map((n) => [n, c])));

export function runCommand(s: ReplSession, name: string, arg: string): LineOutcome {
  const command = BY_NAME.get(name);
  if (command === undefined) throw new ReplError(`unknown command '${name}'`);
  const r = command.run(s, arg, name);
  return r === "quit" ? { kind: "quit" } : { kind: "done", replay: r };
}
