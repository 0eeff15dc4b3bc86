import { compareUtf8, type NarNode, parseHashPrefixed, splitStorePath } from "@tsnix/nix-compat";
import type { ContentWalk } from "./add.js";
import { checkWalkHash, type CommitOptions, printNarHash, StoreBase } from "./base.js";
import { KeyedLocks } from "./lock.js";
import type {
  DrvOutputId,
  PathLock,
  PathRegistration,
  Realisation,
  RegisterOptions,
  SourceAccessor,
  ValidPathInfo,
} from "./store.js";
import { storeError } from "./store.js";
import { lookupTree, treeStat } from "./tree.js";
import { treeBuilderVisitor, teeVisitor, narHashVisitor } from "./walk.js";
import { rethrowFormat } from "./add.js";

export interface MemoryStoreOptions {
  /** Default `/nix/store`. */
  readonly storeDir?: string;
  /** Reads `{ path }` sources without an accessor (none by default: this file must stay browser-safe). */
  readonly sourceAccessor?: SourceAccessor;
  /** Seconds since the epoch, for registrationTime (tests pin it). */
  readonly now?: () => number;
}

const realisationKey = (key: DrvOutputId): string => `${key.drvPath}^${key.outputName}`;

/** A store held entirely in memory: for tests, embedders and browsers. */
export class MemoryStore extends StoreBase {
  private readonly infos = new Map<string, ValidPathInfo>();
  /** Contents by full store path; includes staged, not yet valid, contents. */
  private readonly trees = new Map<string, NarNode>();
  private readonly drvOutputs = new Map<string, Record<string, string>>();
  private readonly realisations = new Map<string, Realisation>();
  private readonly locks = new KeyedLocks();
  private readonly sourceAccessor: SourceAccessor | undefined;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    super(options.storeDir ?? "/nix/store");
    this.sourceAccessor = options.sourceAccessor;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Put contents at a store path without making it valid (what a builder writing its output does);
   * `registerValidPaths` then makes it valid. Replaces earlier staged contents; refuses valid paths.
   */
  stageContents(path: string, tree: NarNode): void {
    this.baseNameOf(path);
    if (this.infos.has(path)) storeError(`path '${path}' is already valid`);
    this.trees.set(path, tree);
  }

  queryPathInfo(path: string): ValidPathInfo | undefined {
    return this.infos.get(path);
  }

  override isValidPath(path: string): boolean {
    return this.infos.has(path);
  }

  queryReferrers(path: string): string[] {
    const out: string[] = [];
    for (const info of this.infos.values()) if (info.references.includes(path)) out.push(info.path);
    return out.sort(compareUtf8);
  }

  queryAllValidPaths(): string[] {
    return [...this.infos.keys()].sort(compareUtf8);
  }

  queryDerivationOutputs(drvPath: string): Record<string, string> {
    return { ...(this.drvOutputs.get(drvPath) ?? {}) };
  }

  queryValidDerivers(outPath: string): string[] {
    const out: string[] = [];
    for (const [drv, outputs] of this.drvOutputs) if (Object.values(outputs).includes(outPath)) out.push(drv);
    return out.sort(compareUtf8);
  }

  registerValidPaths(registrations: readonly PathRegistration[], options: RegisterOptions = {}): void {
    // Check everything first so that the batch is all-or-nothing.
    const batch = new Set(registrations.map((r) => r.path));
    const normalised: ValidPathInfo[] = [];
    for (const r of registrations) {
      this.checkRegistration(r);
      if (!this.trees.has(r.path)) storeError(`cannot register '${r.path}': its contents do not exist`);
      for (const ref of r.references)
        if (!batch.has(ref) && !this.infos.has(ref))
          storeError(`cannot register '${r.path}': its reference '${ref}' is not valid`);
      normalised.push(this.normalise(r));
    }
    for (const rz of options.realisations ?? []) {
      this.baseNameOf(rz.outPath);
      if (!batch.has(rz.outPath) && !this.infos.has(rz.outPath))
        storeError(`cannot register realisation '${realisationKey(rz.key)}': '${rz.outPath}' is not valid`);
    }
    for (const info of normalised) this.infos.set(info.path, info);
    for (const rz of options.realisations ?? [])
      this.realisations.set(realisationKey(rz.key), {
        key: { ...rz.key },
        outPath: rz.outPath,
        signatures: [...(rz.signatures ?? [])],
      });
  }

  private normalise(r: PathRegistration): ValidPathInfo {
    const narHash = rethrowFormat(() => printNarHash(parseHashPrefixed(r.narHash)));
    return {
      path: r.path,
      narHash,
      narSize: r.narSize,
      references: [...new Set(r.references)].sort(compareUtf8),
      ...(r.deriver !== undefined ? { deriver: r.deriver } : {}),
      ...(r.contentAddress !== undefined ? { contentAddress: r.contentAddress } : {}),
      registrationTime: r.registrationTime ?? this.infos.get(r.path)?.registrationTime ?? this.now(),
    };
  }

  queryRealisation(key: DrvOutputId): Realisation | undefined {
    return this.realisations.get(realisationKey(key));
  }

  protected commitNew(info: PathRegistration, walk: ContentWalk, options: CommitOptions): void {
    if (this.infos.has(info.path)) return;
    const builder = treeBuilderVisitor();
    const nar = options.verify ? narHashVisitor("sha256") : undefined;
    walk(nar ? teeVisitor([builder, nar]) : builder);
    if (nar && options.verify) checkWalkHash(info, nar.finish().hash, options.verify);
    this.trees.set(info.path, builder.finish());
    this.registerValidPaths([info]);
    if (options.derivationOutputs) this.drvOutputs.set(info.path, { ...options.derivationOutputs });
  }

  protected contents(): SourceAccessor {
    const locate = (path: string): NarNode | undefined => {
      const { storePath, rest } = rethrowFormat(() => splitStorePath(path, this.storeDir));
      const tree = this.trees.get(`${this.storeDir}/${storePath.baseName}`);
      return tree && lookupTree(tree, rest);
    };
    const get = (path: string): NarNode => locate(path) ?? storeError(`path '${path}' does not exist`);
    return {
      lstat: (path) => {
        const node = locate(path);
        return node && treeStat(node);
      },
      readFile: (path) => {
        const node = get(path);
        if (node.type !== "regular") storeError(`file '${path}' is not a regular file`);
        return node.contents;
      },
      readDirectory: (path) => {
        const node = get(path);
        if (node.type !== "directory") storeError(`'${path}' is not a directory`);
        return [...node.entries.keys()];
      },
      readLink: (path) => {
        const node = get(path);
        if (node.type !== "symlink") storeError(`'${path}' is not a symlink`);
        return node.target;
      },
    };
  }

  protected defaultSourceAccessor(): SourceAccessor | undefined {
    return this.sourceAccessor;
  }

  async lockPath(path: string): Promise<PathLock> {
    this.baseNameOf(path);
    const release = await this.locks.acquire(path);
    return { path, release };
  }

  tryLockPath(path: string): PathLock | undefined {
    this.baseNameOf(path);
    const release = this.locks.tryAcquire(path);
    return release && { path, release };
  }

  close(): void {}
}
