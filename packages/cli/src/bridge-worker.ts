// Entry point of an evaluation worker that can build (see build-command.ts): `tsnix build` (and
// `tsnix instantiate` when it runs with a build host). Builds are asked of the main thread over
// @tsnix/glue's bridge; this thread blocks until they are done.
import { readFileSync, lstatSync } from "node:fs";
import { resolve } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { Evaluator, NixError, type AutoArg, type EvalIO, type Value } from "@tsnix/eval";
import { ParseError } from "@tsnix/parser";
import { createEvalSession, openLocalStore, type EvalSession } from "@tsnix/glue";
import type { LocalStore } from "@tsnix/store";
import { buildSettings, parseBuildArgs, type BridgeWorkerTask, type BuildOptions } from "./build-command.js";
import { boolSetting, type Settings } from "./nixconf.js";
import { formatError, runInstantiate } from "./instantiate.js";
import { makeRootLink, onDiskPath } from "./instantiate-store.js";
import { ensureNewline, processOutput, type Output } from "./output.js";
import { buildSearchPath } from "./searchpath.js";
import { getDerivations } from "./get-derivations.js";

class BuildCliError extends Error {}

interface Wanted {
  drvPath: string;
  outputName: string;
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

async function runBuild(task: BridgeWorkerTask, out: Output): Promise<number> {
  const parsed = parseBuildArgs(task.argv);
  if (!parsed.ok) throw new BuildCliError(parsed.message);
  const o: BuildOptions = parsed.options;
  const env = process.env;
  const { settings } = buildSettings(o.eval, env);
  const showTrace = boolSetting(settings, "show-trace", false);
  let session: EvalSession | undefined;
  let store: LocalStore | undefined;
  try {
    store = openLocalStore(settings.store, { storeDir: process.env.NIX_STORE_DIR });
    session = createEvalSession({
      env,
      store,
      bridge: task.endpoint,
      allowImportFromDerivation: boolSetting(settings, "allow-import-from-derivation", true),
    });
    const ev = new Evaluator({
      io: session.io,
      storeDir: store.storeDir,
      currentSystem: settings.system ?? "x86_64-linux",
      searchPath: buildSearchPath(o.eval.includes, settings["nix-path"] ?? env.NIX_PATH, task.cwd),
      pureEval: boolSetting(settings, "pure-eval", false),
      ...(settings["max-call-depth"] ? { maxCallDepth: Number(settings["max-call-depth"]) } : {}),
      settings,
      onWarning: (m) => out.stderr(ensureNewline(m)),
      onTrace: (m) => out.stderr(ensureNewline(m)),
    });
    session.follow(ev);

    const autoArgs = new Map<string, AutoArg>();
    for (const { name, arg } of o.eval.autoArgs) {
      if (arg.kind === "file")
        autoArgs.set(name, { kind: "string", value: readFileSync(resolve(task.cwd, arg.path), "utf8") });
      else if (arg.kind === "stdin") autoArgs.set(name, { kind: "string", value: readFileSync(0, "utf8") });
      else autoArgs.set(name, arg);
    }
    const roots: Value[] = [];
    const files = o.eval.files.length === 0 && !o.eval.fromArgs ? ["./default.nix"] : o.eval.files;
    for (const f of files)
      roots.push(
        o.eval.fromArgs
          ? ev.evalString(f, { baseDir: task.cwd, origin: "string" })
          : ev.evalFile(resolve(task.cwd, f)),
      );
    const wanted: Wanted[] = [];
    for (const root of roots) {
      for (const attrPath of o.eval.attrPaths.length === 0 ? [""] : o.eval.attrPaths) {
        const v = attrPath === "" ? root : ev.selectAttrPath(ev.autoCall(root, autoArgs), attrPath);
        for (const d of getDerivations(ev, v, autoArgs))
          wanted.push({ drvPath: d.drvPath, outputName: d.outputName || "out" });
      }
    }
    if (wanted.length === 0) return 0;
    if (session.realise === undefined) throw new BuildCliError("no build service");
    const drvPaths = [...new Set(wanted.map((w) => w.drvPath))];
    const realised = session.realise(drvPaths);
    const outputsOf = new Map(drvPaths.map((d, i) => [d, realised[i]!]));

    // nix-build's result links: result, result-2, ... per derivation; result-<output> for other outputs.
    const prefixes = new Map<string, string>();
    const outPaths: string[] = [];
    for (const w of wanted) {
      const outPath = outputsOf.get(w.drvPath)![w.outputName];
      if (outPath === undefined)
        throw new BuildCliError(`derivation '${w.drvPath}' does not have an output named '${w.outputName}'`);
      outPaths.push(outPath);
      if (o.outLink === null) continue;
      let prefix = prefixes.get(w.drvPath);
      if (prefix === undefined) {
        prefix = prefixes.size === 0 ? o.outLink : `${o.outLink}-${prefixes.size + 1}`;
        prefixes.set(w.drvPath, prefix);
      }
      const link = resolve(task.cwd, w.outputName === "out" ? prefix : `${prefix}-${w.outputName}`);
      const existing = lstatOrNull(link);
      if (existing !== null && !existing.isSymbolicLink())
        throw new BuildCliError(`cannot create symlink '${link}': a file is in the way`);
      // The logical path exists only when the store lives there; else link to where it is.
      const target = onDiskPath(store, outPath);
      makeRootLink(target, link);
    }
    for (const p of outPaths) out.stdout(p + "\n");
    return 0;
  } catch (e) {
    if (e instanceof BuildCliError) out.stderr(`error: ${e.message}\n`);
    else if (e instanceof NixError || e instanceof ParseError) out.stderr(formatError(e, showTrace));
    else out.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    session?.close();
    store?.close();
  }
}

/** nix-instantiate / nix eval, with the store and builds of the host. */
async function runInstantiateWithBuilds(task: BridgeWorkerTask, out: Output): Promise<number> {
  let store: LocalStore | undefined;
  let session: EvalSession | undefined;
  try {
    return await runInstantiate(
      task.argv,
      {
        env: process.env,
        cwd: task.cwd,
        out,
        evalSession: (settings: Settings, { readOnly }: { readOnly: boolean }) => {
          store = openLocalStore(settings.store, { storeDir: process.env.NIX_STORE_DIR });
          session = createEvalSession({
            env: process.env,
            store,
            readOnly,
            bridge: task.endpoint,
            allowImportFromDerivation: boolSetting(settings, "allow-import-from-derivation", true),
          });
          const io: EvalIO = session.io;
          return {
            io,
            storeDir: store.storeDir,
            follow: (ev: unknown) => session!.follow(ev as Evaluator),
          };
        },
      },
      task.command === "eval" ? "eval" : "instantiate",
    );
  } finally {
    session?.close();
    store?.close();
  }
}

const task = workerData as BridgeWorkerTask;
let code: number;
try {
  code =
    task.command === "build"
      ? await runBuild(task, processOutput)
      : await runInstantiateWithBuilds(task, processOutput);
} catch (e) {
  processOutput.stderr(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  code = 1;
}
parentPort?.postMessage({ type: "exit", code });
