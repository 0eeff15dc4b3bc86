// Entry point of the REPL's evaluation worker: sets up the evaluator as
// `tsnix instantiate` does, loads the files given on the command line, then
// answers the host's messages (protocol.ts) one at a time.
import { parentPort, workerData } from "node:worker_threads";
import { Evaluator, type AutoArg } from "@tsnix/eval";
import { createEvalSession, openLocalStore } from "@tsnix/glue";
import { lazyLocalStore } from "../instantiate-store.js";
import { VERSION } from "../instantiate.js";
import { applySetting, boolSetting, loadNixConfig } from "../nixconf.js";
import { ensureNewline, processOutput, type Output } from "../output.js";
import { buildSearchPath } from "../searchpath.js";
import { parseReplArgs } from "./options.js";
import type { HostMessage, ReplWorkerData, WorkerMessage } from "./protocol.js";
import { ReplSession } from "./session.js";
import { connectingRealiser } from "../bridge-connect.js";
import { replBuilds, storeNameOf } from "./builds.js";

const data = workerData as ReplWorkerData;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const out: Output = processOutput;

function start(): ReplSession | null {
  const parsed = parseReplArgs(data.argv);
  if (!parsed.ok) return null; // the host reported it before starting the worker
  const o = parsed.options;
  const env = process.env;
  const cwd = process.cwd();
  const settings = loadNixConfig(env);
  for (const [name, value] of Object.entries(o.settings)) applySetting(settings, name, value);
  const searchPath = buildSearchPath(o.includes, settings["nix-path"] ?? env.NIX_PATH, cwd);
  // Opened on first use (a .drv to write, a build): start-up stays free of SQLite.
  const storeDir = env.NIX_STORE_DIR ?? "/nix/store";
  const { store } = lazyLocalStore(() => openLocalStore(settings.store, { storeDir }), storeDir);
  const realise = connectingRealiser(data.bridgeSetup);
  const evalSession = createEvalSession({
    env,
    store,
    realise,
    allowImportFromDerivation: boolSetting(settings, "allow-import-from-derivation", true),
  });
  const ev = new Evaluator({
    io: evalSession.io,
    storeDir,
    currentSystem: settings.system ?? "x86_64-linux",
    searchPath,
    pureEval: boolSetting(settings, "pure-eval", false),
    ...(settings["max-call-depth"] ? { maxCallDepth: Number(settings["max-call-depth"]) } : {}),
    settings,
    onWarning: (m) => out.stderr(ensureNewline(m)),
    onTrace: (m) => out.stderr(ensureNewline(m)),
    abortOnWarn: boolSetting(settings, "abort-on-warn", false),
    traceVerbose: boolSetting(settings, "trace-verbose", false),
  });
  evalSession.follow(ev);
  const session = new ReplSession(
    ev,
    {
      cwd,
      homeDir: env.HOME ?? "/",
      searchPath,
      autoArgs: new Map<string, AutoArg>(o.autoArgs.map((a) => [a.name, a.arg])),
      showTrace: boolSetting(settings, "show-trace", false),
      colors: data.colors,
      builds: replBuilds(store, realise, storeNameOf(settings.store)),
    },
    out,
  );
  session.verbose = data.greet;
  session.notice(`tsnix ${VERSION}\nType :? for help.`);
  for (const f of o.files) {
    session.notice(`Loading '${f}'...`);
    try {
      session.loadFile(f);
    } catch (e) {
      session.reportError(e);
    }
  }
  for (const e of o.exprs) {
    session.notice(`Loading installable ''...`);
    try {
      session.addAttrsToScope(session.evalInput(e));
    } catch (err) {
      session.reportError(err);
    }
  }
  session.verbose = true;
  return session;
}

let session: ReplSession | null = null;
try {
  session = start();
} catch (e) {
  out.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
}
post({ type: "ready", ok: session !== null });

parentPort!.on("message", (m: HostMessage) => {
  const s = session!;
  switch (m.type) {
    case "input":
      post({ type: "outcome", outcome: s.handleInput(m.text) });
      return;
    case "complete": {
      const { word, items } = s.complete(m.prefix);
      post({ type: "completions", word, items });
      return;
    }
    case "replay":
      s.verbose = false;
      for (const text of m.inputs) s.handleInput(text);
      s.verbose = true;
      post({ type: "replayed" });
      return;
  }
});
