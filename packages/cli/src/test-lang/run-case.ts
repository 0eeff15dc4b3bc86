// Carries out one case's plan (cases.ts) as lang.sh does: run the command with
// outputs captured in files, check the exit code, substitute /pwd, run the
// .postprocess script, compare with the expected files.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Capture, Kind, Plan, TestCase } from "./cases.js";
import { planCase } from "./cases.js";
import { unifiedDiff } from "./diff.js";

export interface Suite {
  /** The test directory (named `lang` or not: cases see it as `lang/`). */
  readonly langDir: string;
  /** Working directory of the cases: holds `lang` (the directory or a link to it); "$(pwd)". */
  readonly pwd: string;
  /** Where outputs are written ($TEST_ROOT). */
  readonly outDir: string;
  /** The nix-instantiate command: program and leading arguments. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export type Status = "pass" | "fail" | "skip";

export interface CaseResult {
  readonly name: string;
  readonly kind: Kind;
  readonly status: Status;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** Unified diffs and/or captured output, for failures. */
  readonly details?: string;
  readonly ms: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: string;
}

function runProcess(
  suite: Suite,
  plan: Plan,
  fds: { stdin: number | "ignore"; stdout: number; stderr: number },
) {
  return new Promise<Exit>((resolve) => {
    const [program, ...prefix] = suite.command;
    const child = spawn(program!, [...prefix, ...plan.args], {
      cwd: suite.pwd,
      env: { ...suite.env, ...plan.env },
      stdio: [fds.stdin, fds.stdout, fds.stderr],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, suite.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut: false, spawnError: e.message });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut });
    });
  });
}

function readOrEmpty(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
}

function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  const needle = Buffer.from(from);
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, at)) {
    parts.push(buf.subarray(at, i), Buffer.from(to));
    at = i + needle.length;
  }
  if (at === 0) return buf;
  parts.push(buf.subarray(at));
  return Buffer.concat(parts);
}

function runPostprocess(suite: Suite, name: string): Promise<string | null> {
  const script = join(suite.langDir, `${name}.postprocess`);
  if (!existsSync(script)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn("bash", [`lang/${name}.postprocess`, join(suite.outDir, name)], {
      cwd: suite.pwd,
      env: suite.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => resolve(`postprocess failed: ${e.message}`));
    child.on("exit", (code) => resolve(code === 0 ? null : `postprocess exited with ${code}: ${err.trim()}`));
  });
}

/** The first lines of a captured output, for a failure message (with /pwd, so runs compare). */
function excerpt(path: string, pwd: string, maxLines = 40): string {
  const lines = replaceAll(readOrEmpty(path), pwd, "/pwd").toString("utf8").split("\n");
  const shown = lines.slice(0, maxLines).join("\n");
  return lines.length > maxLines ? `${shown}\n… (${lines.length - maxLines} more lines)` : shown;
}

export async function runCase(suite: Suite, c: TestCase): Promise<CaseResult> {
  const started = performance.now();
  const plan = planCase(suite.langDir, c);
  const done = (status: Status, reason?: string, details?: string): CaseResult => ({
    name: c.name,
    kind: c.kind,
    status,
    ...(reason !== undefined ? { reason } : {}),
    ...(details ? { details } : {}),
    ms: Math.round(performance.now() - started),
  });
  if ("skip" in plan) return done("skip", plan.skip);

  const fileFor = (capture: Capture): string =>
    join(
      suite.outDir,
      plan.comparisons.find((x) => x.capture === capture)?.gotFile ?? `${c.name}.${capture}-log`,
    );
  const merged = plan.comparisons.some((x) => x.capture === "merged");
  const stdoutPath = merged ? fileFor("merged") : fileFor("stdout");
  const stderrPath = merged ? stdoutPath : fileFor("stderr");

  const outFd = openSync(stdoutPath, "w");
  const errFd = merged ? outFd : openSync(stderrPath, "w");
  const inFd = plan.stdin === null ? ("ignore" as const) : openSync(join(suite.pwd, plan.stdin), "r");
  let exit: Exit;
  try {
    exit = await runProcess(suite, plan, { stdin: inFd, stdout: outFd, stderr: errFd });
  } finally {
    closeSync(outFd);
    if (errFd !== outFd) closeSync(errFd);
    if (inFd !== "ignore") closeSync(inFd);
  }

  const output = () =>
    merged
      ? excerpt(stdoutPath, suite.pwd)
      : `stdout:\n${excerpt(stdoutPath, suite.pwd)}\nstderr:\n${excerpt(stderrPath, suite.pwd)}`;
  if (exit.spawnError) return done("fail", `could not run ${suite.command[0]}: ${exit.spawnError}`);
  if (exit.timedOut) return done("fail", `timed out after ${suite.timeoutMs / 1000} s`, output());
  if (exit.code !== plan.expectedExit) {
    const got = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    return done("fail", `${got}, expected ${plan.expectedExit}`, output());
  }

  for (const cmp of plan.comparisons) {
    if (!cmp.substitutePwd) continue;
    const path = join(suite.outDir, cmp.gotFile);
    writeFileSync(path, replaceAll(readOrEmpty(path), suite.pwd, "/pwd"));
  }
  const postError = await runPostprocess(suite, c.name);
  if (postError) return done("fail", postError);

  const diffs: string[] = [];
  for (const cmp of plan.comparisons) {
    const got = readOrEmpty(join(suite.outDir, cmp.gotFile));
    const expected = readOrEmpty(join(suite.langDir, cmp.expectedFile));
    if (!got.equals(expected))
      diffs.push(
        unifiedDiff(
          expected.toString("utf8"),
          got.toString("utf8"),
          `lang/${cmp.expectedFile}`,
          cmp.gotFile,
        ) || `${cmp.gotFile}: differs from lang/${cmp.expectedFile} in bytes that are not valid UTF-8\n`,
      );
  }
  if (diffs.length > 0) return done("fail", "output differs", diffs.join(""));
  return done("pass");
}
