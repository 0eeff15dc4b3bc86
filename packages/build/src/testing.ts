/**
 * Test support (not part of the public API): a small directory-backed BuildStore whose metadata is
 * a JSON file (so two processes can share it), and a helper that makes derivations the way
 * `derivation` does (output paths from the hash modulo, drv path from the ATerm), with nix-compat.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  computeStorePathForText,
  derivationPath,
  DerivationHasher,
  emptyDerivation,
  inputDrvNode,
  parseDerivation,
  printDerivation,
  printStorePath,
  type ContentAddressMethod,
  type Derivation,
  type Hash,
} from "@tsnix/nix-compat";
import type { BuildPathInfo, BuildPathLock, BuildPathRegistration, BuildStore } from "./build-store.js";
import { nix32Encode } from "./compat.js";
import { dumpPath } from "./nar-dump.js";

export class DirStore implements BuildStore {
  private readonly metaFile: string;
  private readonly held = new Map<string, Promise<void>>();

  constructor(
    readonly storeDir: string,
    readonly realDir: string,
  ) {
    mkdirSync(realDir, { recursive: true });
    this.metaFile = join(realDir, "..", `${realDir.split("/").pop()}-meta.json`);
  }

  toRealPath(storePath: string): string {
    return this.realDir + storePath.slice(this.storeDir.length);
  }

  private load(): Record<string, BuildPathInfo> {
    if (!existsSync(this.metaFile)) return {};
    return JSON.parse(readFileSync(this.metaFile, "utf8")) as Record<string, BuildPathInfo>;
  }

  isValidPath(path: string): boolean {
    return path in this.load();
  }

  queryPathInfo(path: string): BuildPathInfo | undefined {
    return this.load()[path];
  }

  allValidPaths(): string[] {
    return Object.keys(this.load()).sort();
  }

  registerValidPaths(registrations: readonly BuildPathRegistration[]): void {
    const meta = this.load();
    const batch = new Set(registrations.map((r) => r.path));
    for (const r of registrations) {
      if (!existsSync(this.toRealPath(r.path))) throw new Error(`path '${r.path}' does not exist`);
      for (const ref of r.references) {
        if (!(ref in meta) && !batch.has(ref))
          throw new Error(`reference '${ref}' of '${r.path}' is not valid`);
      }
    }
    for (const r of registrations) meta[r.path] = { ...r, references: [...r.references] };
    const tmp = `${this.metaFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(meta, null, 1));
    renameSync(tmp, this.metaFile);
  }

  /** In-process queue plus an O_EXCL lock file naming its holder's pid (stale when that pid is gone). */
  async lockPath(path: string): Promise<BuildPathLock> {
    const prev = this.held.get(path) ?? Promise.resolve();
    let releaseLocal!: () => void;
    const mine = new Promise<void>((r) => (releaseLocal = r));
    const chained = prev.then(() => mine);
    this.held.set(path, chained);
    await prev;
    const file = this.toRealPath(path) + ".lock";
    for (;;) {
      // The lock file appears with its holder's pid already in it (link is atomic), so a
      // waiting process never reads an empty file and mistakes a live holder for a dead one.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, String(process.pid));
      try {
        linkSync(tmp, file);
        break;
      } catch {
        // held by someone: see below
      } finally {
        rmSync(tmp, { force: true });
      }
      let holder: number;
      try {
        holder = Number(readFileSync(file, "utf8"));
      } catch {
        continue; // released in the meantime
      }
      if (!processAlive(holder)) rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        rmSync(file, { force: true });
        if (this.held.get(path) === chained) this.held.delete(path);
        releaseLocal();
      },
    };
  }

  /** Add a text file (like `builtins.toFile`) and register it. */
  async addText(name: string, text: string, references: readonly string[] = []): Promise<string> {
    const path = printStorePath(
      computeStorePathForText(
        name,
        text,
        references.map((r) => r.slice(this.storeDir.length + 1)),
        this.storeDir,
      ),
      this.storeDir,
    );
    if (this.isValidPath(path)) return path;
    writeFileSync(this.toRealPath(path), text, { mode: 0o444 });
    const h = createHash("sha256");
    let size = 0;
    await dumpPath(this.toRealPath(path), (c) => {
      h.update(c);
      size += c.length;
    });
    this.registerValidPaths([
      {
        path,
        narHash: "sha256:" + nix32Encode(h.digest()),
        narSize: size,
        references: [...references].sort(),
      },
    ]);
    return path;
  }

  /** Write a derivation's .drv (ATerm) into the store, as `derivationStrict` does. */
  async writeDerivation(drv: Derivation): Promise<string> {
    const refs = [...drv.inputSrcs, ...drv.inputDrvs.keys()].map((b) => `${this.storeDir}/${b}`);
    const path = await this.addText(
      `${drv.name}.drv`,
      printDerivation(drv, { storeDir: this.storeDir }),
      refs,
    );
    const expected = printStorePath(derivationPath(drv, this.storeDir), this.storeDir);
    if (path !== expected) throw new Error(`drv path mismatch: ${path} vs ${expected}`);
    return path;
  }

  readDerivation(drvPath: string): Derivation {
    const base = drvPath.slice(drvPath.lastIndexOf("/") + 1);
    const name = base.slice(33, -".drv".length);
    return parseDerivation(readFileSync(this.toRealPath(drvPath), "utf8"), name, this.storeDir);
  }
}

export interface DrvSpec {
  readonly name: string;
  readonly builder?: string;
  readonly args?: readonly string[];
  /** Extra attributes, as strings (what `derivation` would coerce them to). */
  readonly env?: Readonly<Record<string, string>>;
  readonly outputs?: readonly string[];
  /** Input derivations: drvPath → output names. */
  readonly inputDrvs?: Readonly<Record<string, readonly string[]>>;
  readonly inputSrcs?: readonly string[];
  readonly fixed?: { readonly method: ContentAddressMethod; readonly hash: Hash };
  readonly system?: string;
}

/** Make (and write to the store) a derivation as `derivation { ... }` would. */
export async function makeDerivation(
  store: DirStore,
  spec: DrvSpec,
): Promise<{ drvPath: string; drv: Derivation }> {
  const storeDir = store.storeDir;
  const drv = emptyDerivation(spec.name);
  drv.system = spec.system ?? "x86_64-linux";
  drv.builder = spec.builder ?? "/bin/sh";
  drv.args = [...(spec.args ?? [])];
  const outputs = spec.outputs ?? ["out"];
  const json = spec.env?.["__json"];
  if (json !== undefined) {
    // Structured attributes: everything lives in the JSON; env keeps only the output paths.
    drv.structuredAttrs = json;
  } else {
    drv.env.set("builder", drv.builder);
    drv.env.set("name", spec.name);
    drv.env.set("system", drv.system);
    if (spec.outputs) drv.env.set("outputs", outputs.join(" "));
    for (const [k, v] of Object.entries(spec.env ?? {})) drv.env.set(k, v);
  }
  for (const [p, outs] of Object.entries(spec.inputDrvs ?? {}))
    drv.inputDrvs.set(p.slice(storeDir.length + 1), inputDrvNode(outs));
  for (const p of spec.inputSrcs ?? []) drv.inputSrcs.add(p.slice(storeDir.length + 1));
  if (spec.fixed) {
    drv.outputs.set("out", { kind: "caFixed", ca: { method: spec.fixed.method, hash: spec.fixed.hash } });
    drv.env.set("out", "");
  } else {
    for (const o of outputs) {
      drv.outputs.set(o, { kind: "deferred" });
      drv.env.set(o, "");
    }
  }
  const hasher = new DerivationHasher({
    storeDir,
    readDerivation: (p) => store.readDerivation(`${storeDir}/${p}`),
  });
  hasher.fillInOutputPaths(drv);
  const drvPath = await store.writeDerivation(drv);
  return { drvPath, drv };
}

function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
