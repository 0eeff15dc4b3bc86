// The nix-lang runner: evaluates each eval-okay/eval-fail case and compares with
// the expected output. Bundled by lang-suite.test.ts and run in a worker with a
// big stack (as the CLI runs evaluation), so deep-recursion cases behave as there.
import * as fs from "node:fs";
import * as path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeIO } from "../../glue/src/nodeIO.js";
import { Evaluator, type AutoArg, type NixError, type EvalIO, type SearchPathEntry } from "../src/index.js";

/** The suite's directory, given by lang-suite.test.ts (this file runs bundled, from a temporary file). */
let SUITE = "";
const VIRTUAL = "/pwd/lang";

function mappedIO(): EvalIO {
  const env: Record<string, string> = {
    HOME: "/fake-home",
    TEST_VAR: "foo",
    NIX_STORE_DIR: "/nix/store",
    PWD: "/pwd",
  };
  const real = createNodeIO({ env });
  const toReal = (p: string) =>
    p === VIRTUAL || p.startsWith(VIRTUAL + "/") ? SUITE + p.slice(VIRTUAL.length) : p;
  const toVirtual = (p: string) =>
    p === SUITE || p.startsWith(SUITE + "/") ? VIRTUAL + p.slice(SUITE.length) : p;
  return {
    readFile: (p) => real.readFile(toReal(p)),
    readFileBytes: (p) => real.readFileBytes(toReal(p)),
    pathExists: (p) => real.pathExists(toReal(p)),
    readFileType: (p) => real.readFileType(toReal(p)),
    readDir: (p) => real.readDir(toReal(p)),
    getEnv: (n) => real.getEnv(n),
    realPath: (p) => toVirtual(real.realPath!(toReal(p))),
  };
}

export interface CaseResult {
  name: string;
  status: "pass" | "fail" | "skip";
  detail?: string;
}

interface Flags {
  searchPath: SearchPathEntry[];
  maxCallDepth?: number;
  showTrace: boolean;
  ok: boolean;
  autoArgs: Map<string, AutoArg>;
  attrPath: string | null;
  /** Nix settings given as `--NAME VALUE`, `--extra-NAME VALUE` or `--option NAME VALUE`. */
  settings: Record<string, string>;
}

/** Settings the cases pass as flags (the others make a case skipped). */
const VALUE_SETTINGS = new Set([
  "experimental-features",
  "lint-absolute-path-literals",
  "lint-short-path-literals",
  "lint-url-literals",
]);

function parseFlags(flags: string): Flags {
  const words = flags
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  const searchPath: SearchPathEntry[] = [];
  let maxCallDepth: number | undefined;
  let showTrace = true;
  let ok = true;
  const autoArgs = new Map<string, AutoArg>();
  let attrPath: string | null = null;
  const settings: Record<string, string> = {};
  const setSetting = (name: string, value: string) => {
    if (name.startsWith("extra-") && VALUE_SETTINGS.has(name.slice("extra-".length)))
      settings[name] = settings[name] !== undefined ? `${settings[name]} ${value}` : value;
    else if (VALUE_SETTINGS.has(name)) settings[name] = value;
    else ok = false;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "-I") {
      const v = words[++i]!;
      const eq = v.indexOf("=");
      const toAbs = (p: string) => (p.startsWith("lang/") ? "/pwd/" + p : p);
      searchPath.push(
        eq === -1 ? { prefix: "", path: toAbs(v) } : { prefix: v.slice(0, eq), path: toAbs(v.slice(eq + 1)) },
      );
    } else if (w === "--max-call-depth") maxCallDepth = Number(words[++i]);
    else if (w === "--no-show-trace") showTrace = false;
    else if (w === "--arg") {
      const argName = words[++i]!;
      autoArgs.set(argName, { kind: "expr", text: words[++i]! });
    } else if (w === "--argstr") {
      const argName = words[++i]!;
      autoArgs.set(argName, { kind: "string", value: words[++i]! });
    } else if (w === "-A") attrPath = words[++i]!;
    else if (w === "--eval" || w === "--strict" || w === "--impure") continue;
    else if (w === "--option") {
      const settingName = words[++i]!;
      setSetting(settingName, words[++i]!);
    } else if (w.startsWith("--") && i + 1 < words.length) setSetting(w.slice(2), words[++i]!);
    else ok = false;
  }
  return { searchPath, maxCallDepth, showTrace, ok, autoArgs, attrPath, settings };
}

export function runCase(file: string): CaseResult {
  const name = file.replace(/\.nix$/, "");
  const base = path.join(SUITE, name);
  const isOkay = name.startsWith("eval-okay-");
  if (fs.existsSync(base + ".exp-disabled") || fs.existsSync(base + ".postprocess"))
    return { name, status: "skip", detail: "disabled/postprocess" };
  const flagsText = fs.existsSync(base + ".flags") ? fs.readFileSync(base + ".flags", "utf8") : "";
  const flags = parseFlags(flagsText);
  if (!flags.ok) return { name, status: "skip", detail: "flags: " + flagsText.trim() };
  const stderr: string[] = [];
  const ev = new Evaluator({
    io: mappedIO(),
    searchPath: [
      ...flags.searchPath,
      { prefix: "", path: "/pwd/lang/dir3" },
      { prefix: "", path: "/pwd/lang/dir4" },
    ],
    maxCallDepth: flags.maxCallDepth,
    settings: flags.settings,
    onTrace: (m) => stderr.push(m),
    onWarning: (m) => stderr.push(m),
  });
  const virtualFile = `${VIRTUAL}/${file}`;
  if (isOkay) {
    const expFile = fs.existsSync(base + ".exp") ? base + ".exp" : null;
    const xmlFile = fs.existsSync(base + ".exp.xml") ? base + ".exp.xml" : null;
    if (expFile === null && xmlFile === null) return { name, status: "skip", detail: "no .exp" };
    let out: string;
    try {
      let v = ev.autoCall(ev.evalFile(virtualFile), flags.autoArgs);
      if (flags.attrPath !== null) v = ev.autoCall(ev.selectAttrPath(v, flags.attrPath), flags.autoArgs);
      out =
        expFile !== null
          ? ev.print(v, { strict: true }) + "\n"
          : ev.toXML((ev.forceDeep(v), v), { location: false }) + "\n";
    } catch (e) {
      const msg =
        e instanceof Error && "format" in e
          ? (e as NixError).format({ showTrace: true })
          : String((e as Error)?.stack ?? e);
      return { name, status: "fail", detail: "error: " + msg.slice(-600) };
    }
    const expected = fs.readFileSync(expFile ?? xmlFile!, "utf8");
    if (out !== expected) return { name, status: "fail", detail: `got ${JSON.stringify(out.slice(0, 300))}` };
    if (fs.existsSync(base + ".err.exp")) {
      const errExp = fs.readFileSync(base + ".err.exp", "utf8");
      const got = stderr.map((l) => l + "\n").join("");
      if (got !== errExp)
        return { name, status: "fail", detail: `stderr ${JSON.stringify(got.slice(0, 300))}` };
    }
    return { name, status: "pass" };
  }
  // eval-fail
  const errExp = fs.existsSync(base + ".err.exp") ? fs.readFileSync(base + ".err.exp", "utf8") : null;
  try {
    const v = ev.evalFile(virtualFile);
    ev.print(v, { strict: true });
  } catch (e) {
    if (!(e instanceof Error) || !("format" in e))
      return { name, status: "fail", detail: "JS error: " + String((e as Error)?.stack ?? e).slice(0, 300) };
    const got =
      stderr.map((l) => l + "\n").join("") + (e as NixError).format({ showTrace: flags.showTrace }) + "\n";
    if (errExp === null || got === errExp) return { name, status: "pass" };
    return { name, status: "fail", detail: `stderr ${JSON.stringify(got.slice(0, 6000))}` };
  }
  return { name, status: "fail", detail: "evaluation succeeded" };
}

export function allCases(): string[] {
  return fs
    .readdirSync(SUITE)
    .filter((f) => /^eval-(okay|fail)-.*\.nix$/.test(f))
    .sort();
}

export interface RunRequest {
  files: string[];
  suite: string;
}

if (parentPort !== null && workerData !== null && workerData !== undefined) {
  const req = workerData as RunRequest;
  SUITE = req.suite;
  const out = req.files.map((f) => {
    try {
      return runCase(f);
    } catch (e) {
      return { name: f.replace(/\.nix$/, ""), status: "fail", detail: "harness: " + String(e) } as CaseResult;
    }
  });
  parentPort.postMessage(out);
}
