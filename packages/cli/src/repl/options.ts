// `tsnix repl`'s command line (as `nix repl` without flakes): files to load,
// `--file F`/`--expr E` whose attributes are added to the scope, and the
// evaluation flags (-I, --arg, --argstr, --show-trace, --option, settings).
import { SETTINGS, type AutoArg } from "../options.js";

export interface ReplOptions {
  /** Loaded with `:l` semantics at start, and again by `:r`. */
  files: string[];
  /** `--expr E`: its attributes are added to the scope at start. */
  exprs: string[];
  includes: string[];
  autoArgs: Array<{ name: string; arg: AutoArg }>;
  settings: Record<string, string>;
  help: boolean;
}

type Apply = (o: ReplOptions, args: string[]) => void;

const FLAGS: ReadonlyMap<string, { arity: number; apply: Apply }> = new Map(
  (
    [
      [["--help"], 0, (o) => void (o.help = true)],
      [["--file", "-f"], 1, (o, [f]) => void o.files.push(f!)],
      [["--expr"], 1, (o, [e]) => void o.exprs.push(e!)],
      [["--include", "-I"], 1, (o, [p]) => void o.includes.push(p!)],
      [["--arg"], 2, (o, [n, e]) => void o.autoArgs.push({ name: n!, arg: { kind: "expr", text: e! } })],
      [
        ["--argstr"],
        2,
        (o, [n, s]) => void o.autoArgs.push({ name: n!, arg: { kind: "string", value: s! } }),
      ],
      [["--option"], 2, (o, [n, v]) => void (o.settings[n!] = v!)],
      [["--impure"], 0, (o) => void (o.settings["pure-eval"] = "false")],
    ] as Array<[string[], number, Apply]>
  ).flatMap(([names, arity, apply]) => names.map((n) => [n, { arity, apply }] as const)),
);

/** `--NAME V`, `--NAME`/`--no-NAME` for booleans, as for nix-instantiate. */
function settingFlag(flag: string): { arity: number; apply: Apply } | undefined {
  const name = flag.slice(2);
  const kind = SETTINGS[name];
  if (kind === "bool") return { arity: 0, apply: (o) => void (o.settings[name] = "true") };
  if (kind === "value") return { arity: 1, apply: (o, [v]) => void (o.settings[name] = v!) };
  if (name.startsWith("no-") && SETTINGS[name.slice(3)] === "bool")
    return { arity: 0, apply: (o) => void (o.settings[name.slice(3)] = "false") };
  return undefined;
}

export function parseReplArgs(
  argv: readonly string[],
): { ok: true; options: ReplOptions } | { ok: false; message: string } {
  const o: ReplOptions = { files: [], exprs: [], includes: [], autoArgs: [], settings: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      o.files.push(arg);
      continue;
    }
    const spec = FLAGS.get(arg) ?? (arg.startsWith("--") ? settingFlag(arg) : undefined);
    if (spec === undefined) return { ok: false, message: `unrecognised flag '${arg}'` };
    if (i + spec.arity >= argv.length && spec.arity > 0)
      return { ok: false, message: `flag '${arg}' requires ${spec.arity} argument(s)` };
    spec.apply(o, argv.slice(i + 1, i + 1 + spec.arity) as string[]);
    i += spec.arity;
  }
  return { ok: true, options: o };
}

export const REPL_USAGE = `Usage: tsnix repl [FILE]... [OPTION]...

Start an interactive environment for evaluating Nix expressions (as \`nix repl\`).

  FILE, -f, --file FILE   load FILE and add its attributes to the scope (again on :r)
  --expr EXPR             add the attributes of EXPR to the scope
  --arg NAME EXPR         argument for loaded files that are functions (--argstr NAME STR: a string)
  -I PATH                 add to the search path (before NIX_PATH)
  --show-trace            show whole error traces (toggle with :te)
  --option NAME VALUE     set a Nix setting (also --NAME VALUE, --NAME / --no-NAME)

Type :? in the REPL for its commands.
`;
