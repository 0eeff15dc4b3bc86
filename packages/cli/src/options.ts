// nix-instantiate's command line, as data: a table of flags (name, arity,
// effect) and a table of Nix settings that may be given as `--NAME VALUE`,
// `--NAME`/`--no-NAME` (booleans) or `--extra-NAME VALUE`. Parsing only builds
// an `InstantiateOptions`; running it is instantiate.ts's job.

export type AutoArg = { kind: "expr"; text: string } | { kind: "string"; value: string };

/** What the command line says about an argument; files and stdin are read when running. */
export type CliAutoArg = AutoArg | { kind: "file"; path: string } | { kind: "stdin" };

export type OutputKind = "plain" | "json" | "xml" | "raw";

export interface InstantiateOptions {
  /** `--eval`/`--parse` set evalOnly; `--parse` also parseOnly (as Nix). */
  evalOnly: boolean;
  parseOnly: boolean;
  findFile: boolean;
  output: OutputKind;
  strict: boolean;
  /** `--xml` source locations; `--no-location` turns them off. */
  xmlLocation: boolean;
  /** `-E`/`--expr`: every positional argument is an expression. */
  fromArgs: boolean;
  /** `-` was given: read an expression from standard input. */
  readStdin: boolean;
  files: string[];
  attrPaths: string[];
  /** `--arg`/`--argstr`/`--arg-from-file`, in command-line order (a later one wins). */
  autoArgs: Array<{ name: string; arg: CliAutoArg }>;
  /** `-I PATH` entries, in order (they come before NIX_PATH). */
  includes: string[];
  /** Nix settings given on the command line (`--option N V`, `--show-trace`, `--max-call-depth N`, ...). */
  settings: Record<string, string>;
  readWrite: boolean;
  readOnly: boolean;
  dryRun: boolean;
  repair: boolean;
  /** `--add-root PATH`: link each instantiated derivation from PATH (PATH-2, ... for the next ones). */
  addRoot: string | null;
  /** Warn that results without --add-root may be garbage-collected (`--no-gc-warning` turns it off). */
  gcWarning: boolean;
  verbosity: number;
  help: boolean;
  version: boolean;
  /** `nix eval --apply FN`: a function applied to the result before printing. */
  apply: string | null;
  /** `nix eval`: the `--expr`/`--file` given (they are exclusive). */
  evalSource: { kind: "expr" | "file"; arg: string } | null;
}

export type ParseResult = { ok: true; options: InstantiateOptions } | { ok: false; message: string };

export function defaultOptions(): InstantiateOptions {
  return {
    evalOnly: false,
    parseOnly: false,
    findFile: false,
    output: "plain",
    strict: false,
    xmlLocation: true,
    fromArgs: false,
    readStdin: false,
    files: [],
    attrPaths: [],
    autoArgs: [],
    includes: [],
    settings: {},
    readWrite: false,
    gcWarning: true,
    readOnly: false,
    dryRun: false,
    repair: false,
    addRoot: null,
    verbosity: 0,
    help: false,
    version: false,
    apply: null,
    evalSource: null,
  };
}

interface FlagSpec {
  readonly names: readonly string[];
  readonly arity: number;
  readonly apply: (o: InstantiateOptions, args: string[]) => string | void;
}

const setting =
  (name: string, value?: string) =>
  (o: InstantiateOptions, args: string[]): void => {
    o.settings[name] = value ?? args[0]!;
  };

/** nix-instantiate's own flags, then LegacyArgs / MixEvalArgs / MixCommonArgs ones. */
export const FLAGS: readonly FlagSpec[] = [
  { names: ["--help"], arity: 0, apply: (o) => void (o.help = true) },
  { names: ["--version"], arity: 0, apply: (o) => void (o.version = true) },
  { names: ["-"], arity: 0, apply: (o) => void (o.readStdin = true) },
  { names: ["--expr", "-E"], arity: 0, apply: (o) => void (o.fromArgs = true) },
  { names: ["--eval", "--eval-only"], arity: 0, apply: (o) => void (o.evalOnly = true) },
  { names: ["--parse", "--parse-only"], arity: 0, apply: (o) => void (o.parseOnly = o.evalOnly = true) },
  { names: ["--find-file"], arity: 0, apply: (o) => void (o.findFile = true) },
  { names: ["--read-write-mode"], arity: 0, apply: (o) => void (o.readWrite = true) },
  { names: ["--readonly-mode"], arity: 0, apply: (o) => void (o.readOnly = true) },
  { names: ["--attr", "-A"], arity: 1, apply: (o, [p]) => void o.attrPaths.push(p!) },
  { names: ["--add-root"], arity: 1, apply: (o, [p]) => void (o.addRoot = p!) },
  { names: ["--indirect"], arity: 0, apply: () => {} },
  { names: ["--xml"], arity: 0, apply: (o) => void (o.output = "xml") },
  { names: ["--json"], arity: 0, apply: (o) => void (o.output = "json") },
  { names: ["--raw"], arity: 0, apply: (o) => void (o.output = "raw") },
  { names: ["--no-location"], arity: 0, apply: (o) => void (o.xmlLocation = false) },
  { names: ["--strict"], arity: 0, apply: (o) => void (o.strict = true) },
  { names: ["--repair"], arity: 0, apply: (o) => void (o.repair = true) },
  { names: ["--dry-run"], arity: 0, apply: (o) => void (o.dryRun = true) },
  // MixEvalArgs
  {
    names: ["--arg"],
    arity: 2,
    apply: (o, [n, e]) => void o.autoArgs.push({ name: n!, arg: { kind: "expr", text: e! } }),
  },
  {
    names: ["--argstr"],
    arity: 2,
    apply: (o, [n, s]) => void o.autoArgs.push({ name: n!, arg: { kind: "string", value: s! } }),
  },
  {
    names: ["--arg-from-file"],
    arity: 2,
    apply: (o, [n, p]) => void o.autoArgs.push({ name: n!, arg: { kind: "file", path: p! } }),
  },
  {
    names: ["--arg-from-stdin"],
    arity: 1,
    apply: (o, [n]) => void o.autoArgs.push({ name: n!, arg: { kind: "stdin" } }),
  },
  { names: ["--include", "-I"], arity: 1, apply: (o, [p]) => void o.includes.push(p!) },
  { names: ["--impure"], arity: 0, apply: setting("pure-eval", "false") },
  { names: ["--eval-store"], arity: 1, apply: setting("eval-store") },
  { names: ["--override-flake"], arity: 2, apply: () => {} },
  { names: ["--debugger"], arity: 0, apply: () => {} },
  // MixCommonArgs / LegacyArgs
  {
    names: ["--option"],
    arity: 2,
    apply: (o, [n, v]) => void (o.settings[n!] = v!),
  },
  { names: ["--verbose", "-v"], arity: 0, apply: (o) => void o.verbosity++ },
  { names: ["--quiet"], arity: 0, apply: (o) => void o.verbosity-- },
  { names: ["--debug"], arity: 0, apply: (o) => void (o.verbosity = 7) },
  { names: ["--log-format"], arity: 1, apply: () => {} },
  { names: ["--print-build-logs", "-L"], arity: 0, apply: () => {} },
  { names: ["--no-build-output", "-Q"], arity: 0, apply: () => {} },
  // Short names of settings (the long ones come from SETTINGS).
  { names: ["-K"], arity: 0, apply: setting("keep-failed", "true") },
  { names: ["-k"], arity: 0, apply: setting("keep-going", "true") },
  { names: ["-j"], arity: 1, apply: setting("max-jobs") },
  { names: ["--no-gc-warning"], arity: 0, apply: (o) => void (o.gcWarning = false) },
];

type SettingKind = "bool" | "value";

/** Nix settings accepted as flags. Booleans take `--X`/`--no-X`; others `--X VALUE`; all `--extra-X VALUE`. */
export const SETTINGS: Readonly<Record<string, SettingKind>> = {
  "show-trace": "bool",
  "pure-eval": "bool",
  "restrict-eval": "bool",
  "trace-verbose": "bool",
  "abort-on-warn": "bool",
  "allow-import-from-derivation": "bool",
  "eval-cache": "bool",
  "debugger-on-trace": "bool",
  "debugger-on-warn": "bool",
  "ignore-try": "bool",
  "keep-failed": "bool",
  "keep-going": "bool",
  "keep-derivations": "bool",
  "keep-outputs": "bool",
  fallback: "bool",
  sandbox: "value",
  "fsync-metadata": "bool",
  "print-missing": "bool",
  "warn-dirty": "bool",
  "accept-flake-config": "bool",
  "require-sigs": "bool",
  "use-xdg-base-directories": "bool",
  "builders-use-substitutes": "bool",
  "auto-optimise-store": "bool",
  "max-call-depth": "value",
  "experimental-features": "value",
  "nix-path": "value",
  "allowed-uris": "value",
  system: "value",
  "eval-system": "value",
  "extra-platforms": "value",
  "system-features": "value",
  "max-jobs": "value",
  cores: "value",
  "max-silent-time": "value",
  timeout: "value",
  store: "value",
  substituters: "value",
  "trusted-substituters": "value",
  "trusted-public-keys": "value",
  "build-dir": "value",
  "sandbox-paths": "value",
  builders: "value",
  "build-users-group": "value",
  "gc-reserved-space": "value",
  "trusted-users": "value",
  "log-lines": "value",
  "tarball-ttl": "value",
  "netrc-file": "value",
  "flake-registry": "value",
  "plugin-files": "value",
  "post-build-hook": "value",
  "lint-absolute-path-literals": "value",
  "lint-short-path-literals": "value",
  "lint-url-literals": "value",
};

function indexFlags(specs: readonly FlagSpec[]): ReadonlyMap<string, FlagSpec> {
  return new Map(specs.flatMap((spec) => spec.names.map((name) => [name, spec] as const)));
}

const FLAG_INDEX = indexFlags(FLAGS);

/** Flags `nix eval` shares with nix-instantiate (MixEvalArgs, MixCommonArgs). */
const SHARED_WITH_EVAL = new Set([
  "--help",
  "--version",
  "--arg",
  "--argstr",
  "--arg-from-file",
  "--arg-from-stdin",
  "--include",
  "--impure",
  "--eval-store",
  "--override-flake",
  "--debugger",
  "--option",
  "--verbose",
  "--quiet",
  "--debug",
  "--log-format",
  "--print-build-logs",
  "-K",
  "-k",
  "-j",
]);

const exclusiveSource =
  (kind: "expr" | "file") =>
  (o: InstantiateOptions, [v]: string[]): string | void => {
    if (o.evalSource !== null && o.evalSource.kind !== kind) return "'--file' and '--expr' are exclusive";
    o.evalSource = { kind, arg: v! };
    o.fromArgs = kind === "expr";
  };

/** `nix eval`'s flags (without flakes): its own, then the shared ones. */
export const EVAL_FLAGS: readonly FlagSpec[] = [
  { names: ["--expr"], arity: 1, apply: exclusiveSource("expr") },
  { names: ["--file", "-f"], arity: 1, apply: exclusiveSource("file") },
  { names: ["--json"], arity: 0, apply: (o) => void (o.output = "json") },
  { names: ["--raw"], arity: 0, apply: (o) => void (o.output = "raw") },
  { names: ["--apply"], arity: 1, apply: (o, [f]) => void (o.apply = f!) },
  { names: ["--read-only"], arity: 0, apply: (o) => void (o.readOnly = true) },
  ...FLAGS.filter((f) => f.names.some((n) => SHARED_WITH_EVAL.has(n))),
];

const EVAL_FLAG_INDEX = indexFlags(EVAL_FLAGS);

/** `--NAME`, `--no-NAME`, `--extra-NAME` for a setting in SETTINGS, as a FlagSpec. */
function settingFlag(flag: string): FlagSpec | undefined {
  if (!flag.startsWith("--")) return undefined;
  const name = flag.slice(2);
  const kind = SETTINGS[name];
  if (kind === "bool") return { names: [flag], arity: 0, apply: setting(name, "true") };
  if (kind === "value") return { names: [flag], arity: 1, apply: setting(name) };
  if (name.startsWith("no-") && SETTINGS[name.slice(3)] === "bool")
    return { names: [flag], arity: 0, apply: setting(name.slice(3), "false") };
  if (name.startsWith("extra-") && SETTINGS[name.slice(6)] !== undefined) {
    const base = name.slice(6);
    return {
      names: [flag],
      arity: 1,
      apply: (o, [v]) => void (o.settings[base] = o.settings[base] ? `${o.settings[base]} ${v!}` : v!),
    };
  }
  return undefined;
}

/** `-qlf` -> `-q -l -f`, as Nix's Args::parseCmdline does for compound short flags. */
function expandCompound(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-" && /[a-zA-Z]/.test(arg[1]!)) {
      for (const c of arg.slice(1)) out.push(`-${c}`);
    } else out.push(arg);
  }
  return out;
}

export function parseInstantiateArgs(argv: readonly string[]): ParseResult {
  return parseArgs(argv, FLAG_INDEX, defaultOptions());
}

/**
 * `tsnix eval` (as `nix eval`, without flakes): `--expr E` or `--file F`, then
 * an optional attribute path; the result is printed strictly, or as --json/--raw.
 */
export function parseEvalArgs(argv: readonly string[]): ParseResult {
  const r = parseArgs(argv, EVAL_FLAG_INDEX, { ...defaultOptions(), evalOnly: true, strict: true });
  if (!r.ok || r.options.help || r.options.version) return r;
  const o = r.options;
  // Positionals are installables: with --expr/--file, attribute paths into it.
  const installables = o.files;
  if (o.evalSource === null)
    return {
      ok: false,
      message: installables.length
        ? `flake references ('${installables[0]}') are not supported by tsnix yet; use --expr or --file`
        : "no expression given; use --expr EXPR or --file FILE",
    };
  if (installables.length > 1) return { ok: false, message: `unexpected argument '${installables[1]}'` };
  o.files = [o.evalSource.arg];
  o.attrPaths = installables;
  return r;
}

function parseArgs(
  argv: readonly string[],
  flags: ReadonlyMap<string, FlagSpec>,
  o: InstantiateOptions,
): ParseResult {
  const args = expandCompound(argv);
  let dashDash = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (dashDash || arg[0] !== "-") {
      o.files.push(arg);
      continue;
    }
    if (arg === "--") {
      dashDash = true;
      continue;
    }
    const spec = flags.get(arg) ?? settingFlag(arg);
    if (spec === undefined) return { ok: false, message: `unrecognised flag '${arg}'` };
    if (i + spec.arity >= args.length && spec.arity > 0)
      return { ok: false, message: `flag '${arg}' requires ${spec.arity} argument(s)` };
    const values = args.slice(i + 1, i + 1 + spec.arity);
    i += spec.arity;
    const err = spec.apply(o, values);
    if (typeof err === "string") return { ok: false, message: err };
  }
  return { ok: true, options: o };
}

export const TRY_HELP = "Try 'nix-instantiate --help' for more information.";
export const TRY_HELP_EVAL = "Try 'nix --help' for more information.";

export const USAGE = `Usage: nix-instantiate [OPTION]... [FILE]...

Evaluate Nix expressions and (with a store) instantiate store derivations.

  --eval             evaluate and print the result instead of instantiating
  --parse            parse and print the expression (as Nix shows it)
  --strict           with --eval: evaluate the result deeply
  --json, --xml      print the result as JSON or XML (--no-location: no XML positions)
  --raw              print the result, a string, without quotes or newline
  -E, --expr         the arguments are expressions, not files
  -                  read an expression from standard input
  -A, --attr PATH    select an attribute (repeatable)
  --arg NAME EXPR    pass a Nix expression to a function's formal argument
  --argstr NAME STR  pass a string to a function's formal argument
  -I PATH            add to the search path (before NIX_PATH)
  --find-file        print where <PATH> arguments resolve
  --show-trace       show the whole evaluation trace on errors
  --option NAME VAL  set a Nix setting (also --NAME VAL, --NAME / --no-NAME)
  --read-write-mode, --readonly-mode, --dry-run, --add-root PATH, --store URI
`;

export const EVAL_USAGE = `Usage: tsnix eval (--expr EXPR | --file FILE) [ATTRPATH] [OPTION]...

Evaluate an expression (as \`nix eval\`, without flakes) and print the result.

  --expr EXPR        the expression to evaluate
  -f, --file FILE    evaluate FILE (with ATTRPATH: an attribute of it)
  --json, --raw      print the result as JSON, or a string as it is (no newline)
  --apply FN         apply the function FN to the result first
  --arg, --argstr, -I, --impure, --show-trace, --option NAME VALUE   as for nix-instantiate
`;
