/**
 * LocalBuilder: builds one derivation whose inputs are valid, on this machine, with Nix's build
 * environment, in a bubblewrap sandbox unless `sandbox: false`; then checks, canonicalises, hashes
 * and scans the outputs and registers them all in one store transaction.
 *
 * It does not lock output paths: the Scheduler does (callers using LocalBuilder directly must hold
 * the store's locks on the outputs).
 */
import { constants as fsConstants, existsSync } from "node:fs";
import { access, chmod, cp, lstat, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import {
  computeClosure,
  InvalidPathError,
  type BuildPathRegistration,
  type BuildStore,
} from "./build-store.js";
import { canonicalisePathMetaData, makeWritable } from "./canonicalise.js";
import { storePathBaseName, storePathHashPart } from "./compat.js";
import { prepareBuild } from "./env.js";
import { exportReferences } from "./export-references.js";
import { BuildError, DEFAULT_LOG_LINES, lastLogLines } from "./errors.js";
import { checkOutputs } from "./output-checks.js";
import { hashOutput, type OutputDigest } from "./output-hash.js";
import { drvDisplayName, resolveDerivation } from "./resolve.js";
import { runBuilder, type RunOutcome } from "./run-builder.js";
import {
  bwrapArguments,
  defaultSandboxPaths,
  probeBubblewrap,
  resolveSandboxPaths,
  SANDBOX_BUILD_DIR,
  SANDBOX_ETC_GROUP,
  SANDBOX_ETC_HOSTS,
  SANDBOX_ETC_PASSWD,
} from "./sandbox.js";
import type {
  BuildOptions,
  BuildRequest,
  BuildResult,
  BuildService,
  BuiltOutput,
  ResolvedDerivation,
} from "./types.js";

export interface LocalBuilderOptions {
  readonly store: BuildStore;
  /** Nix's `sandbox` setting. Default true: bubblewrap is required and its absence is an error. */
  readonly sandbox?: boolean;
  /** The bubblewrap executable (default: `bwrap` on PATH). */
  readonly bwrap?: string;
  /** Nix's `sandbox-paths` (host paths visible in the sandbox, read-only). Default: /bin/sh + its libraries. */
  readonly sandboxPaths?: readonly string[];
  /** Nix's `extra-sandbox-paths`, added to `sandboxPaths`. */
  readonly extraSandboxPaths?: readonly string[];
  /** NIX_BUILD_CORES (Nix's `cores`). Default: all CPUs. */
  readonly cores?: number;
  /** Seconds (Nix's `timeout`); 0: none. */
  readonly timeout?: number;
  /** Seconds without log output before the build is killed (Nix's `max-silent-time`); 0: none. */
  readonly maxSilentTime?: number;
  /** Where build directories are created. Default: os.tmpdir(). */
  readonly buildDir?: string;
  /** This machine's platform (Nix's `system`). Default from Node's platform/arch. */
  readonly system?: string;
  readonly extraPlatforms?: readonly string[];
  /** Lines of log shown in a failure (Nix's `log-lines`). */
  readonly logLines?: number;
  /** Environment `impureEnvVars` of fixed-output derivations read from. Default: process.env. */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /** Keep the build directory of failed builds (Nix's `--keep-failed`). */
  readonly keepFailed?: boolean;
}

export function nixSystem(): string {
  const arch: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686", riscv64: "riscv64" };
  return `${arch[process.arch] ?? process.arch}-${process.platform}`;
}

function findOnPath(name: string): string | undefined {
  if (name.includes("/")) return existsSync(name) ? name : undefined;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export class LocalBuilder implements BuildService {
  readonly store: BuildStore;
  private readonly opts: LocalBuilderOptions;
  private sandboxPathsPromise: Promise<Awaited<ReturnType<typeof resolveSandboxPaths>>> | undefined;

  constructor(options: LocalBuilderOptions) {
    this.store = options.store;
    this.opts = options;
  }

  get cores(): number {
    return this.opts.cores ?? availableParallelism();
  }

  get sandboxed(): boolean {
    return this.opts.sandbox ?? true;
  }

  private sandboxPaths() {
    this.sandboxPathsPromise ??= (async () =>
      resolveSandboxPaths([
        ...(this.opts.sandboxPaths ?? (await defaultSandboxPaths())),
        ...(this.opts.extraSandboxPaths ?? []),
      ]))();
    return this.sandboxPathsPromise;
  }

  /** Throws a clear error when this builder cannot work here (no bwrap, or bwrap cannot sandbox). */
  async checkSandbox(drvPath = ""): Promise<string | undefined> {
    if (!this.sandboxed) {
      const { store } = this;
      const probe = `${store.storeDir}/x`;
      const realStoreDir = store.toRealPath(probe).slice(0, -2);
      if (realStoreDir !== store.storeDir) {
        throw new BuildError(
          `cannot build${drvPath ? ` '${drvPath}'` : ""} without a sandbox: the store's logical directory '${store.storeDir}' ` +
            `is not where its files live ('${realStoreDir}'), and builders must see their inputs at the logical path; ` +
            `enable the sandbox (bubblewrap) or use a store whose logical and physical directories are the same`,
          "sandbox",
          drvPath,
        );
      }
      if (existsSync("/homeless-shelter")) {
        throw new BuildError(
          "home directory '/homeless-shelter' exists; please remove it to assure purity of builds without sandboxing",
          "sandbox",
          drvPath,
        );
      }
      return undefined;
    }
    const bwrap = findOnPath(this.opts.bwrap ?? "bwrap");
    const optOut =
      "install bubblewrap ('bwrap'), or disable sandboxing with 'sandbox = false' (builds then see the whole host)";
    if (!bwrap)
      throw new BuildError(
        `sandboxing is enabled but bubblewrap was not found; ${optOut}`,
        "sandbox",
        drvPath,
      );
    const problem = await probeBubblewrap(bwrap);
    if (problem !== undefined) {
      throw new BuildError(
        `sandboxing is enabled but bubblewrap cannot create a sandbox here (${problem}); ${optOut}`,
        "sandbox",
        drvPath,
      );
    }
    return bwrap;
  }

  async build(request: BuildRequest, options: BuildOptions = {}): Promise<BuildResult> {
    const { store } = this;
    const { drvPath } = request;
    const drv = resolveDerivation(drvPath, request.drv, store.storeDir);
    this.checkPlatform(drvPath, drv);
    const bwrap = await this.checkSandbox(drvPath);

    let closure: Set<string>;
    try {
      closure = computeClosure(store, request.inputs);
    } catch (e) {
      if (e instanceof InvalidPathError) {
        throw new BuildError(
          `cannot build '${drvPath}': its input '${e.path}' is not valid`,
          "invalid-input",
          drvPath,
        );
      }
      throw e;
    }

    const root = this.opts.buildDir ?? tmpdir();
    await mkdir(root, { recursive: true });
    const hostBuildDir = await mkdtemp(join(root, `nix-build-${drvDisplayName(drvPath)}-`));
    const scratch = bwrap ? await mkdtemp(join(root, "tsnix-sandbox-")) : undefined;
    const outputLocation = (path: string) =>
      scratch ? join(scratch, "store", storePathBaseName(path)) : path;
    let succeeded = false;
    const startTime = Date.now() / 1000;
    try {
      if (!bwrap) for (const o of drv.outputs) await this.deleteStale(o.path);
      const prepared = prepareBuild(drvPath, drv, {
        storeDir: store.storeDir,
        buildDirInSandbox: bwrap ? SANDBOX_BUILD_DIR : hostBuildDir,
        cores: this.cores,
        hostEnv: this.opts.hostEnv ?? process.env,
        exportReferences: (p) => exportReferences(store, drvPath, closure, p),
      });
      for (const [name, contents] of prepared.files) await writeFile(join(hostBuildDir, name), contents);

      let command = prepared.builder;
      let args = prepared.args;
      if (bwrap && scratch) {
        await mkdir(join(scratch, "store"));
        await mkdir(join(scratch, "etc"));
        await writeFile(join(scratch, "etc", "passwd"), SANDBOX_ETC_PASSWD);
        await writeFile(join(scratch, "etc", "group"), SANDBOX_ETC_GROUP);
        await writeFile(join(scratch, "etc", "hosts"), SANDBOX_ETC_HOSTS);
        const inputs = new Map<string, string>();
        for (const p of [...closure].sort()) inputs.set(p, store.toRealPath(p));
        command = bwrap;
        args = [
          ...bwrapArguments({
            storeDir: store.storeDir,
            scratchStoreDir: join(scratch, "store"),
            hostBuildDir,
            hostEtcDir: join(scratch, "etc"),
            inputs,
            sandboxPaths: await this.sandboxPaths(),
            network: drv.fixedOutput,
          }),
          prepared.builder,
          ...prepared.args,
        ];
      }

      const run = await runBuilder({
        command,
        args,
        env: prepared.env,
        cwd: hostBuildDir,
        timeout: this.opts.timeout,
        maxSilentTime: this.opts.maxSilentTime,
        signal: options.signal,
        onLine: options.onLogLine,
        exitCodeEncodesSignal: !!bwrap,
      });
      const tail = lastLogLines(run.log, this.opts.logLines ?? DEFAULT_LOG_LINES);
      if (!(run.outcome.kind === "exit" && run.outcome.code === 0)) {
        throw failure(drvPath, run.outcome, tail);
      }

      const digests = new Map<string, OutputDigest>();
      const candidates = new Map<string, string>();
      for (const p of closure) candidates.set(storePathHashPart(store.storeDir, p), p);
      for (const o of drv.outputs) candidates.set(storePathHashPart(store.storeDir, o.path), o.path);
      for (const o of drv.outputs) {
        const loc = outputLocation(o.path);
        try {
          await lstat(loc);
        } catch {
          throw new BuildError(
            `builder for '${drvPath}' failed to produce output path for output '${o.name}' at '${o.path}'`,
            "missing-output",
            drvPath,
            tail,
          );
        }
        await canonicalisePathMetaData(loc);
        digests.set(o.name, await hashOutput(drvPath, o, loc, candidates));
      }

      const registrations: BuildPathRegistration[] = [];
      const outputs: Record<string, BuiltOutput> = {};
      const fresh = drv.outputs.filter((o) => !store.isValidPath(o.path));
      for (const o of drv.outputs) {
        const d = digests.get(o.name)!;
        const built: BuiltOutput = {
          path: o.path,
          narHash: d.narHash,
          narSize: d.narSize,
          references: d.references,
          ...(d.ca ? { ca: d.ca } : {}),
        };
        outputs[o.name] = built;
        if (fresh.includes(o))
          registrations.push({
            path: o.path,
            narHash: d.narHash,
            narSize: d.narSize,
            references: d.references,
            deriver: drvPath,
            ...(d.ca ? { contentAddress: d.ca } : {}),
          });
      }
      checkOutputs(drvPath, drv, Object.values(outputs), store);
      // Outputs already valid (a partially built derivation) stay as they are.
      if (scratch) for (const o of fresh) await this.moveIntoStore(outputLocation(o.path), o.path);
      store.registerValidPaths(registrations);
      succeeded = true;
      return { drvPath, outputs, log: run.log, startTime, stopTime: Date.now() / 1000 };
    } finally {
      if (!succeeded && !bwrap)
        for (const o of drv.outputs) await this.deleteStale(o.path).catch(() => undefined);
      if (scratch) await removeTree(scratch);
      if (succeeded || !this.opts.keepFailed) await removeTree(hostBuildDir);
    }
  }

  private checkPlatform(drvPath: string, drv: ResolvedDerivation): void {
    const system = this.opts.system ?? nixSystem();
    if (drv.system === system || (this.opts.extraPlatforms ?? []).includes(drv.system)) return;
    if (drv.builder.startsWith("builtin:")) {
      throw new BuildError(
        `cannot build '${drvPath}': builtin builder '${drv.builder}' is not supported yet`,
        "unsupported",
        drvPath,
      );
    }
    throw new BuildError(
      `a '${drv.system}' is required to build '${drvPath}', but I am a '${system}'`,
      "unsupported",
      drvPath,
    );
  }

  /** An output path that exists but is not valid is left over from an interrupted build. */
  private async deleteStale(path: string): Promise<void> {
    if (this.store.isValidPath(path)) return;
    const real = this.store.toRealPath(path);
    if (existsSync(real) || (await lstat(real).catch(() => undefined))) await removeTree(real);
  }

  private async moveIntoStore(from: string, path: string): Promise<void> {
    const real = this.store.toRealPath(path);
    await this.deleteStale(path);
    await mkdir(join(real, ".."), { recursive: true });
    // Moving a directory to another parent rewrites its "..": without root that needs write permission
    // on it, which canonicalisation just removed. Lend it for the move, then restore mode and mtime.
    const st = await lstat(from);
    if (st.isDirectory()) await chmod(from, 0o755);
    try {
      await rename(from, real);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      await cp(from, real, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
      await canonicalisePathMetaData(real);
      return;
    }
    await canonicalisePathMetaData(real, { recursive: false });
  }
}

function failure(drvPath: string, outcome: RunOutcome, tail: string[]): BuildError {
  switch (outcome.kind) {
    case "exit":
      return new BuildError(
        `builder for '${drvPath}' failed with exit code ${outcome.code}`,
        "exit",
        drvPath,
        tail,
      );
    case "signal":
      return new BuildError(
        `builder for '${drvPath}' failed due to signal ${outcome.signal} (${outcome.name})`,
        "signal",
        drvPath,
        tail,
      );
    case "timeout":
      return new BuildError(
        `building of '${drvPath}' timed out after ${outcome.seconds} seconds`,
        "timeout",
        drvPath,
        tail,
      );
    case "silent":
      return new BuildError(
        `building of '${drvPath}' timed out after ${outcome.seconds} seconds of silence`,
        "timeout",
        drvPath,
        tail,
      );
    case "cancelled":
      return new BuildError(`build of '${drvPath}' was cancelled`, "cancelled", drvPath, tail);
    case "spawn-error":
      return new BuildError(
        `builder for '${drvPath}' could not be started: ${outcome.message}`,
        "exit",
        drvPath,
        tail,
      );
  }
}

export async function removeTree(path: string): Promise<void> {
  try {
    await access(path, fsConstants.F_OK);
  } catch {
    if (!(await lstat(path).catch(() => undefined))) return;
  }
  await makeWritable(path);
  await rm(path, { recursive: true, force: true });
}
