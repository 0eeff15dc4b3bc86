/**
 * The scheduler: realise a derivation by building its missing inputs first (recursively, reading
 * input .drv files from the store), independent ones in parallel, at most `maxJobs` builds at once
 * (p-limit). Each derivation is built once even when several requests want it at the same moment:
 * an in-process promise per drvPath, and the store's per-output lock across processes (after
 * taking it, validity is checked again, so a build another process finished is not repeated).
 * Every build's log is kept on disk (Nix's layout: <logDir>/drvs/<2 chars>/<rest of base name>).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import pLimit from "p-limit";
import { parseDerivation, type Derivation } from "@tsnix/nix-compat";
import type { BuildPathLock, BuildStore } from "./build-store.js";
import { BuildError } from "./errors.js";
import { drvDisplayName, resolveDerivation } from "./resolve.js";
import type { BuildEvent, BuildService, BuiltOutput } from "./types.js";

export interface SchedulerOptions {
  readonly store: BuildStore;
  readonly builder: BuildService;
  /** Builds running at once (Nix's `max-jobs`). Default: the number of CPUs. */
  readonly maxJobs?: number;
  /** Where build logs are kept. Without it, logs are not written to disk. */
  readonly logDir?: string;
  /** Progress: started / log line / finished / already valid. */
  readonly onEvent?: (event: BuildEvent) => void;
  /** How to read a .drv. Default: parse the file at the store's real path with nix-compat. */
  readonly loadDerivation?: (drvPath: string) => Derivation | Promise<Derivation>;
}

export interface RealiseOptions {
  readonly signal?: AbortSignal;
  /** The derivation itself, when the caller has it (e.g. just instantiated); inputs are still read from the store. */
  readonly drv?: Derivation;
}

/** Output name → store path of a realised derivation. */
export type RealisedOutputs = Readonly<Record<string, string>>;

interface Job {
  readonly promise: Promise<RealisedOutputs>;
  readonly controller: AbortController;
  waiters: number;
}

/** Where Nix keeps the log of a derivation's build: `<logDir>/drvs/<2 chars>/<rest of the base name>`. */
export function buildLogPath(logDir: string, drvPath: string): string {
  const base = drvPath.slice(drvPath.lastIndexOf("/") + 1);
  return join(logDir, "drvs", base.slice(0, 2), base.slice(2));
}

export class Scheduler {
  private readonly store: BuildStore;
  private readonly builder: BuildService;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly inFlight = new Map<string, Job>();
  private readonly opts: SchedulerOptions;
  /** Output infos of builds finished by this scheduler (for callers that want NAR hashes etc.). */
  readonly builtOutputs = new Map<string, BuiltOutput>();

  constructor(options: SchedulerOptions) {
    this.opts = options;
    this.store = options.store;
    this.builder = options.builder;
    this.limit = pLimit(Math.max(1, options.maxJobs ?? availableParallelism()));
  }

  /** Nix's log location for a derivation, under `logDir`. */
  logPath(drvPath: string): string | undefined {
    return this.opts.logDir ? buildLogPath(this.opts.logDir, drvPath) : undefined;
  }

  /** The kept log of a derivation's last build (`tsnix log DRV`), or undefined. */
  async readLog(drvPath: string): Promise<string | undefined> {
    const p = this.logPath(drvPath);
    if (!p) return undefined;
    return readFile(p, "utf8").catch(() => undefined);
  }

  /**
   * Make every output of `drvPath` valid, building what is missing. Resolves to output name → path.
   * A failed build rejects with the BuildError of the derivation that failed (naming it, with the
   * end of its log), also when it was an input.
   */
  realise(drvPath: string, options: RealiseOptions = {}): Promise<RealisedOutputs> {
    let job = this.inFlight.get(drvPath);
    if (!job) {
      const controller = new AbortController();
      const promise = this.realiseUncached(drvPath, options.drv, controller.signal);
      const created: Job = { promise, controller, waiters: 0 };
      this.inFlight.set(drvPath, created);
      const forget = () => {
        if (this.inFlight.get(drvPath) === created) this.inFlight.delete(drvPath);
      };
      promise.then(forget, forget);
      job = created;
    }
    return this.wait(drvPath, job, options.signal);
  }

  /** Join a job; when every waiter has given up (aborted), the job itself is cancelled. */
  private wait(drvPath: string, job: Job, signal: AbortSignal | undefined): Promise<RealisedOutputs> {
    job.waiters++;
    if (!signal) return job.promise;
    return new Promise((resolve, reject) => {
      let done = false;
      const onAbort = () => {
        if (done) return;
        done = true;
        if (--job.waiters === 0) job.controller.abort();
        reject(new BuildError(`build of '${drvPath}' was cancelled`, "cancelled", drvPath));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      job.promise.then(
        (v) => {
          if (done) return;
          done = true;
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e) => {
          if (done) return;
          done = true;
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  private async loadDerivation(drvPath: string): Promise<Derivation> {
    if (this.opts.loadDerivation) return this.opts.loadDerivation(drvPath);
    if (!this.store.isValidPath(drvPath)) {
      throw new BuildError(
        `cannot build '${drvPath}': the derivation is not valid in the store`,
        "invalid-input",
        drvPath,
      );
    }
    const text = await readFile(this.store.toRealPath(drvPath), "utf8");
    return parseDerivation(text, drvDisplayName(drvPath).replace(/\.drv$/, ""), this.store.storeDir);
  }

  private outputsIfValid(paths: RealisedOutputs): boolean {
    return Object.values(paths).every((p) => this.store.isValidPath(p));
  }

  private async realiseUncached(
    drvPath: string,
    given: Derivation | undefined,
    signal: AbortSignal,
  ): Promise<RealisedOutputs> {
    const drv = given ?? (await this.loadDerivation(drvPath));
    const { storeDir } = this.store;
    const resolved = resolveDerivation(drvPath, drv, storeDir);
    const outputs: Record<string, string> = {};
    for (const o of resolved.outputs) outputs[o.name] = o.path;
    if (this.outputsIfValid(outputs)) {
      this.emit({ type: "already-valid", drvPath });
      return outputs;
    }

    // Inputs first, all at once; the limit applies to builds only, never to waiting.
    const inputDrvs = [...drv.inputDrvs];
    const realisedInputs = await Promise.all(
      inputDrvs.map(([base]) => this.realise(`${storeDir}/${base}`, { signal })),
    );
    const inputs = new Set<string>([...drv.inputSrcs].map((b) => `${storeDir}/${b}`));
    inputDrvs.forEach(([base, node], i) => {
      for (const name of node.outputs) {
        const p = realisedInputs[i]![name];
        if (p === undefined) {
          throw new BuildError(
            `derivation '${storeDir}/${base}' does not have an output named '${name}' (needed by '${drvPath}')`,
            "invalid-input",
            drvPath,
          );
        }
        inputs.add(p);
      }
    });

    return this.limit(async () => {
      if (signal.aborted) throw new BuildError(`build of '${drvPath}' was cancelled`, "cancelled", drvPath);
      const locks = await this.lockAll(Object.values(outputs).sort());
      try {
        if (this.outputsIfValid(outputs)) {
          this.emit({ type: "already-valid", drvPath });
          return outputs;
        }
        await this.buildLogged(drvPath, drv, [...inputs].sort(), signal);
        return outputs;
      } finally {
        for (const l of locks) l.release();
      }
    });
  }

  private async lockAll(paths: readonly string[]): Promise<BuildPathLock[]> {
    const locks: BuildPathLock[] = [];
    try {
      for (const p of paths) locks.push(await this.store.lockPath(p));
    } catch (e) {
      for (const l of locks) l.release();
      throw e;
    }
    return locks;
  }

  private async buildLogged(
    drvPath: string,
    drv: Derivation,
    inputs: string[],
    signal: AbortSignal,
  ): Promise<void> {
    const logFile = this.logPath(drvPath);
    let log: WriteStream | undefined;
    if (logFile) {
      await mkdir(dirname(logFile), { recursive: true });
      log = createWriteStream(logFile);
    }
    this.emit({ type: "started", drvPath, time: Date.now() });
    try {
      const result = await this.builder.build(
        { drvPath, drv, inputs },
        {
          signal,
          onLogLine: (line) => {
            log?.write(line + "\n");
            this.emit({ type: "log", drvPath, line });
          },
        },
      );
      for (const o of Object.values(result.outputs)) this.builtOutputs.set(o.path, o);
      this.emit({ type: "finished", drvPath, time: Date.now(), success: true });
    } catch (e) {
      this.emit({ type: "finished", drvPath, time: Date.now(), success: false, error: (e as Error).message });
      throw e;
    } finally {
      if (log) await new Promise<void>((resolve) => log.end(resolve));
    }
  }

  private emit(event: BuildEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch {
      // a failing UI must not fail the build
    }
  }
}
