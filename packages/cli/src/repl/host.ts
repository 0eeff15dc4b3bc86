// `tsnix repl`, main thread: owns the terminal (node:readline for line
// editing, history and completion) and sends complete inputs to the
// evaluation worker (worker.ts), which holds the scope and prints results.
//
// Ctrl-C during an evaluation: the evaluator has no interrupt check, so the
// worker is terminated (V8 stops even a busy loop) and a new one is started;
// it reloads the command-line files and replays, silently, every input that
// changed the scope (bindings, :a, :l, :r, :te), in order. Bindings are lazy,
// so replaying is cheap unless :a/:l inputs are expensive.
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { createInterface, type Interface } from "node:readline";
import { DEFAULT_STACK_MB, workerEntry } from "../worker-protocol.js";
import { writeAll } from "../output.js";
import { HISTORY_SIZE, historyPath, loadHistory, saveHistory } from "./history.js";
import { parseReplArgs, REPL_USAGE } from "./options.js";
import type { HostMessage, LineOutcome, ReplWorkerData, WorkerMessage } from "./protocol.js";
import { openBridgeSetup, type HostBridgeSetup } from "../bridge-setup.js";
import { buildSettings, openCliBuildHost, type CliBuildHost } from "../build-host.js";

const PROMPT = "nix-repl> ";
/** Nix aligns continuation lines under the first one. */
const CONTINUATION_PROMPT = " ".repeat(PROMPT.length);

class Interrupted extends Error {}

/** One evaluation worker and its request/response exchange (one request at a time). */
class EvalThread {
  private readonly worker: Worker;
  private waiting: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | null = null;
  private pending = 0;
  private exited = false;
  /** Whether the worker set up its evaluator and loaded the command-line files. */
  readonly ready: Promise<boolean>;

  constructor(
    data: Omit<ReplWorkerData, "bridgeSetup">,
    private readonly bridge: HostBridgeSetup,
  ) {
    const fromEnv = Number(process.env.TSNIX_STACK_MB);
    this.worker = new Worker(workerEntry("repl/worker"), {
      workerData: { ...data, bridgeSetup: bridge.setup } satisfies ReplWorkerData,
      transferList: bridge.transferList,
      resourceLimits: {
        stackSizeMb: fromEnv > 0 ? fromEnv : DEFAULT_STACK_MB,
        maxYoungGenerationSizeMb: 1024,
      },
      stdout: false,
      stderr: false,
    });
    let started: (ok: boolean) => void = () => {};
    this.ready = new Promise((resolve) => (started = resolve));
    this.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") return started(m.ok);
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(m);
    });
    this.worker.on("error", (e: Error) => this.fail(e));
    this.worker.on("exit", () => {
      this.exited = true;
      this.bridge.close();
      started(false);
      this.fail(new Interrupted("the evaluation thread exited"));
    });
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  /** A request is under way (Ctrl-C then interrupts it). */
  get busy(): boolean {
    return this.pending > 0;
  }

  async request(m: HostMessage): Promise<WorkerMessage> {
    this.pending++;
    try {
      if (!(await this.ready) || this.exited) throw new Interrupted("the evaluation thread exited");
      return await new Promise<WorkerMessage>((resolve, reject) => {
        this.waiting = { resolve, reject };
        this.worker.postMessage(m);
      });
    } finally {
      this.pending--;
    }
  }

  /** Stop the worker now; its builds are cancelled (unless another worker waits for them too). */
  interrupt(): void {
    this.exited = true;
    this.bridge.close();
    this.fail(new Interrupted("interrupted by the user"));
    void this.worker.terminate();
  }

  async stop(): Promise<number> {
    const code = await this.worker.terminate();
    this.bridge.close();
    return code;
  }
}

export async function replMain(argv: readonly string[]): Promise<number> {
  const parsed = parseReplArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`error: ${parsed.message}\nTry 'nix --help' for more information.\n`);
    return 1;
  }
  if (parsed.options.help) {
    process.stdout.write(REPL_USAGE);
    return 0;
  }
  setFlagsFromString("--min-semi-space-size=64");
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  // The store and builder, opened when a worker first needs to build (not at start-up).
  let buildHost: Promise<CliBuildHost> | null = null;
  const connectBuilds = async () => {
    buildHost ??= (async () => {
      const { settings, extraSandboxPaths } = buildSettings(parsed.options, process.env);
      const display = { quiet: false, printLogs: false };
      return openCliBuildHost(settings, extraSandboxPaths, display, process.stderr, process.env);
    })();
    // A failure (a store that cannot be opened) is reported; the next build tries again.
    const host = await buildHost.catch((e: unknown) => {
      buildHost = null;
      throw e;
    });
    return host.openChannel();
  };
  const newThread = (greet: boolean) =>
    new EvalThread({ argv, colors, greet }, openBridgeSetup(connectBuilds));

  let thread = newThread(true);
  if (!(await thread.ready)) {
    await thread.stop();
    return 1;
  }

  const historyFile = tty ? historyPath(process.env) : null;
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    history: loadHistory(historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: PROMPT,
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => {
      if (thread.busy || restarting !== null) return callback(null, [[], line]);
      thread.request({ type: "complete", prefix: line }).then(
        (m) => callback(null, m.type === "completions" ? [[...m.items], m.word] : [[], line]),
        () => callback(null, [[], line]),
      );
    },
  });
  rl.on("history", (h: string[]) => saveHistory(historyFile, h));

  /** Inputs that changed the scope, replayed into a restarted worker. */
  const replayLog: string[] = [];
  const queue: string[] = [];
  let buffer = "";
  let pumping = false;
  let eof = false;
  let over = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const finished = (code: number) => {
    over = true;
    resolveDone(code);
  };

  const prompt = () => {
    if (tty) {
      rl.setPrompt(buffer === "" ? PROMPT : CONTINUATION_PROMPT);
      rl.prompt();
    }
  };

  /** A new worker with the scope replayed; requests wait for it. */
  let restarting: Promise<void> | null = null;
  const restart = (): Promise<void> =>
    (restarting ??= (async () => {
      thread = newThread(false);
      if (replayLog.length > 0) await thread.request({ type: "replay", inputs: replayLog }).catch(() => {});
    })().finally(() => (restarting = null)));

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0) {
      buffer += queue.shift()! + "\n";
      let outcome: LineOutcome;
      try {
        if (restarting !== null) await restarting;
        const m = await thread.request({ type: "input", text: buffer });
        outcome = m.type === "outcome" ? m.outcome : { kind: "done", replay: false };
      } catch (e) {
        writeAll(2, `error: ${(e as Error).message}\n`);
        writeAll(1, "\n");
        buffer = "";
        await restart();
        prompt();
        continue;
      }
      if (outcome.kind === "quit") {
        pumping = false;
        return finished(0);
      }
      if (outcome.kind === "done") {
        if (outcome.replay) replayLog.push(buffer);
        buffer = "";
      }
      prompt();
    }
    pumping = false;
    if (eof) {
      writeAll(1, "\n"); // as Nix on Ctrl-D
      finished(0);
    }
  };

  const onInterrupt = () => {
    if (thread.busy) {
      thread.interrupt();
      // An input's evaluation: pump() reports it and restarts; a completion: restart here.
      if (!pumping) void restart();
      return;
    }
    // At the prompt: drop the input so far, as Nix does.
    buffer = "";
    if (tty) {
      rl.write(null, { ctrl: true, name: "e" });
      rl.write(null, { ctrl: true, name: "u" });
      writeAll(1, "\n");
    }
    prompt();
  };

  rl.on("line", (line) => {
    queue.push(line);
    void pump();
  });
  rl.on("SIGINT", onInterrupt);
  process.on("SIGINT", onInterrupt);
  rl.on("close", () => {
    if (over) return;
    eof = true;
    if (!pumping) void pump();
  });

  prompt();
  const code = await done;
  rl.close();
  await thread.stop();
  // (assigned in connectBuilds, which TypeScript's flow analysis does not see)
  const opened = buildHost as Promise<CliBuildHost> | null;
  if (opened !== null) (await opened.catch(() => null))?.close();
  return code;
}
