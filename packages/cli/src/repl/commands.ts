// The REPL's `:` commands, as a table (names, what they do), after NixRepl::processLine.
import { NixAttrs, NixPrimop, NixString, isDerivation, showType } from "@tsnix/eval";
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

/** `:b` and friends: the value must be a derivation; building it needs the store/build wiring. */
function build(s: ReplSession, arg: string, name: string): boolean {
  const v = s.evalInput(arg);
  if (!(v instanceof NixAttrs) || !isDerivation(v))
    throw new ReplError("expression does not evaluate to a derivation, so I can't build it");
  const drvPath = v.get("drvPath");
  if (drvPath === undefined)
    throw new ReplError("expression did not evaluate to a valid derivation (no 'drvPath' attribute)");
  const p = s.guard(() => s.ev.force(drvPath));
  const path = typeof p === "string" ? p : p instanceof NixString ? p.value : "?";
  throw new ReplError(
    `'${name}' is not supported by tsnix yet: builds are not wired into the REPL (derivation '${path}')`,
  );
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
  { names: [":b", ":bl", ":i", ":sh", ":log"], run: build },
  { names: [":u"], run: unsupported("':u' (nix-shell)") },
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
