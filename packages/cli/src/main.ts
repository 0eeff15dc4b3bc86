// `tsnix SUBCOMMAND ...`: dispatches to the subcommands, kept small for start-up. instantiate/eval
// evaluate on this thread when bin/tsnix gave it a big stack (MAIN_THREAD_FLAGS; the evaluator's
// bundle is loaded here then), else in a worker thread that starts before anything else loads
// (worker-start.ts). The build bundles this module with worker-start.ts and bundle-loader.ts into
// dist/main.cjs, which bin/tsnix runs: a CommonJS entry starts without Node's ES module loader
// (~7 ms); the subcommands' modules are still imported from dist/.
import { evalBundleExists, loadEvalBundle } from "./bundle-loader.js";
import { onMainThreadStack, startEvalWorker } from "./worker-start.js";

const USAGE = `Usage: tsnix COMMAND [ARGS]...

Commands:
  instantiate ARGS...   nix-instantiate (--eval, --parse, --strict, --json, --xml, -A, --arg, ...)
  eval --expr E | -f F  nix eval without flakes (strict; --json, --raw, --apply)
  repl [FILE]...        nix repl: an interactive evaluator (:? for its commands)
  build ARGS...         nix-build (FILE or -E EXPR, -A, -o/--out-link, -j, --store ROOT, ...)
  log PATH              the kept build log of a derivation (or of an output's deriver)
  test-lang DIR         run a Nix language test suite (tests/functional/lang layout)

Run 'tsnix COMMAND --help' for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "instantiate":
    case "eval": {
      // The start-up snapshot's bundle has already declined this run (scripts/snapshot-entry.cjs).
      const declined = (globalThis as { __tsnixDeclined?: boolean }).__tsnixDeclined === true;
      if (!declined && onMainThreadStack() && process.env.TSNIX_NO_BUNDLE !== "1" && evalBundleExists()) {
        const { bundle, writeCacheIfAsked } = loadEvalBundle();
        const code = await bundle.runOnThisThread({ command, argv: rest });
        if (code !== null) {
          writeCacheIfAsked();
          return code;
        }
      }
      const early = startEvalWorker();
      const [{ withStoreMain }, { runInWorker }] = await Promise.all([
        import("./build-command.js"),
        import("./worker-protocol.js"),
      ]);
      // With a store configured, evaluation can write to it and build (build-command.ts).
      const withStore = await withStoreMain(command, rest);
      if (withStore !== null) {
        await early.worker.terminate();
        return withStore;
      }
      return runInWorker({ command, argv: rest }, early);
    }
    case "build": {
      const { buildMain } = await import("./build-command.js");
      return buildMain(rest);
    }
    case "log": {
      const { logMain } = await import("./build-command.js");
      return logMain(rest);
    }
    case "repl": {
      const { replMain } = await import("./repl/host.js");
      return replMain(rest);
    }
    case "test-lang": {
      const { testLangMain } = await import("./test-lang/cli.js");
      return testLangMain(rest);
    }
    case "--version":
    case "version":
      process.stdout.write("tsnix 0.1.0\n");
      return 0;
    case undefined:
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`error: unknown command '${command}'\nTry 'tsnix --help' for more information.\n`);
      return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
