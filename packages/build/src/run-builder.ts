/**
 * Running the builder process: spawn (directly or under bubblewrap), collect its combined
 * stdout+stderr as log lines, enforce `timeout` / `max-silent-time`, honour cancellation, and
 * report how it ended. Knows nothing about outputs.
 */
import { StringDecoder } from "node:string_decoder";
import { createRequire } from "node:module";

/** node:child_process, loaded on first use: evaluations that never build should not pay for it at start-up. */
const nodeChildProcess = (): typeof import("node:child_process") => createRequire("/")("node:child_process");

export interface RunSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Seconds; 0 or undefined: none. */
  readonly timeout?: number;
  readonly maxSilentTime?: number;
  readonly signal?: AbortSignal;
  readonly onLine?: (line: string) => void;
  /** Under bubblewrap a builder killed by signal N shows as exit 128+N. */
  readonly exitCodeEncodesSignal?: boolean;
}

export type RunOutcome =
  | { readonly kind: "exit"; readonly code: number }
  | { readonly kind: "signal"; readonly signal: number; readonly name: string }
  | { readonly kind: "timeout"; readonly seconds: number }
  | { readonly kind: "silent"; readonly seconds: number }
  | { readonly kind: "cancelled" }
  | { readonly kind: "spawn-error"; readonly message: string };

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly log: string;
}

/** strsignal(3) texts, as Nix prints "failed due to signal 9 (Killed)". */
const SIGNALS: Record<number, [string, string]> = {
  1: ["SIGHUP", "Hangup"],
  2: ["SIGINT", "Interrupt"],
  3: ["SIGQUIT", "Quit"],
  4: ["SIGILL", "Illegal instruction"],
  5: ["SIGTRAP", "Trace/breakpoint trap"],
  6: ["SIGABRT", "Aborted"],
  7: ["SIGBUS", "Bus error"],
  8: ["SIGFPE", "Floating point exception"],
  9: ["SIGKILL", "Killed"],
  10: ["SIGUSR1", "User defined signal 1"],
  11: ["SIGSEGV", "Segmentation fault"],
  12: ["SIGUSR2", "User defined signal 2"],
  13: ["SIGPIPE", "Broken pipe"],
  14: ["SIGALRM", "Alarm clock"],
  15: ["SIGTERM", "Terminated"],
  24: ["SIGXCPU", "CPU time limit exceeded"],
  25: ["SIGXFSZ", "File size limit exceeded"],
};

export function signalByName(name: string): number | undefined {
  for (const [n, [sig]] of Object.entries(SIGNALS)) if (sig === name) return Number(n);
  return undefined;
}

export function signalDescription(n: number): string {
  return SIGNALS[n]?.[1] ?? `Unknown signal ${n}`;
}

export function runBuilder(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const pushLine = (line: string) => {
      lines.push(line);
      spec.onLine?.(line);
    };
    if (spec.signal?.aborted) {
      resolve({ outcome: { kind: "cancelled" }, log: "" });
      return;
    }
    const child = nodeChildProcess().spawn(spec.command, spec.args as string[], {
      cwd: spec.cwd,
      env: spec.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let forced: RunOutcome | undefined;
    let silenceTimer: NodeJS.Timeout | undefined;
    const kill = (why: RunOutcome) => {
      if (forced) return;
      forced = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const resetSilence = () => {
      if (!spec.maxSilentTime) return;
      if (silenceTimer) clearTimeout(silenceTimer);
      silenceTimer = setTimeout(
        () => kill({ kind: "silent", seconds: spec.maxSilentTime! }),
        spec.maxSilentTime * 1000,
      );
    };
    const timeoutTimer = spec.timeout
      ? setTimeout(() => kill({ kind: "timeout", seconds: spec.timeout! }), spec.timeout * 1000)
      : undefined;
    resetSilence();
    const onAbort = () => kill({ kind: "cancelled" });
    spec.signal?.addEventListener("abort", onAbort, { once: true });

    const attach = (stream: NodeJS.ReadableStream) => {
      const decoder = new StringDecoder("utf8");
      let partial = "";
      stream.on("data", (chunk: Buffer) => {
        resetSilence();
        partial += decoder.write(chunk);
        let nl: number;
        while ((nl = partial.indexOf("\n")) >= 0) {
          pushLine(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
        }
      });
      return () => {
        partial += decoder.end();
        if (partial.length > 0) pushLine(partial);
        partial = "";
      };
    };
    const flushOut = attach(child.stdout!);
    const flushErr = attach(child.stderr!);

    let spawnError: string | undefined;
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code === "ENOENT" ? `executing '${spec.command}': No such file or directory` : e.message;
    });
    // Like Nix, kill whatever the builder left behind in its process group, so its pipes close.
    child.on("exit", () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    });
    child.on("close", (code, sig) => {
      flushOut();
      flushErr();
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (silenceTimer) clearTimeout(silenceTimer);
      spec.signal?.removeEventListener("abort", onAbort);
      const log = lines.length ? lines.join("\n") + "\n" : "";
      let outcome: RunOutcome;
      if (forced) outcome = forced;
      else if (spawnError !== undefined) outcome = { kind: "spawn-error", message: spawnError };
      else if (sig) {
        const n = signalByName(sig) ?? 0;
        outcome = { kind: "signal", signal: n, name: signalDescription(n) };
      } else if (spec.exitCodeEncodesSignal && code !== null && code > 128 && code < 128 + 65) {
        outcome = { kind: "signal", signal: code - 128, name: signalDescription(code - 128) };
      } else outcome = { kind: "exit", code: code ?? 1 };
      resolve({ outcome, log });
    });
  });
}
