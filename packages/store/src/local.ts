import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import Database from "better-sqlite3";
import { compareUtf8, parseHashPrefixed, printHash } from "@tsnix/nix-compat";
import { type ContentWalk, rethrowFormat } from "./add.js";
import { checkWalkHash, type CommitOptions, printNarHash, StoreBase } from "./base.js";
import { type HeldFileLock, lockFile, lockFileSync, tryLockFile } from "./file-lock.js";
import { canonicaliseMetadata, diskWriterVisitor, hostFs, nodeFsAccessor, removeTree } from "./node-fs.js";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";
import type {
  DrvOutputId,
  PathLock,
  PathRegistration,
  Realisation,
  RegisterOptions,
  SourceAccessor,
  ValidPathInfo,
} from "./store.js";
import { StoreError, storeError } from "./store.js";
import { narHashVisitor, teeVisitor } from "./walk.js";
import { createRequire } from "node:module";

/** node:crypto, loaded on first use: evaluations that never build should not pay for it at start-up. */
const nodeCrypto = (): typeof import("node:crypto") => createRequire("/")("node:crypto");

export interface LocalStoreOptions {
  /** Where everything lives physically (like Nix's `local?root=`). Default: `defaultLocalStoreRoot()`. */
  readonly root?: string;
  /** The logical store directory used for every hash. Default `/nix/store`. */
  readonly storeDir?: string;
  /** The physical directory holding store objects. Default `<root><storeDir>`. */
  readonly realStoreDir?: string;
  /** Database and lock files. Default `<root>/nix/var/tsnix`. */
  readonly stateDir?: string;
  /** fsync files before registering them (survives power loss, slower). Default false, as Nix. */
  readonly fsync?: boolean;
  /** How long a synchronous add waits for another process's lock on the same path. Default 10 minutes. */
  readonly lockTimeoutMs?: number;
  /** Seconds since the epoch, for registrationTime. */
  readonly now?: () => number;
}

/** `$XDG_DATA_HOME/tsnix/store`, or `~/.local/share/tsnix/store`. */
export function defaultLocalStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith("/") ? env.XDG_DATA_HOME : undefined;
  return nodePath.join(data ?? nodePath.join(os.homedir(), ".local", "share"), "tsnix", "store");
}

/**
 * Temporaries live in `<realStoreDir>/.tmp/<pid>-<random>-<base>`: on the objects' file system, so the
 * final rename is atomic; the pid tells whether their writer still runs.
 */
const TEMP_DIR = ".tmp";

interface PathRow {
  id: number;
  hash: string;
  registrationTime: number;
  deriver: string | null;
  narSize: number | null;
  ca: string | null;
}

/**
 * The local store: objects as files under a physical directory, metadata in SQLite (WAL). An object is
 * written under a temporary name, then renamed into place and registered in one transaction, so a crash
 * never leaves a valid path with incomplete files; leftovers are removed by the next add of the same
 * path (or by `removeStaleEntries`). System errors (permissions, a full disk, a broken database) become
 * StoreErrors that say what was being done.
 */
export class LocalStore extends StoreBase {
  readonly root: string;
  readonly realStoreDir: string;
  readonly stateDir: string;
  /** Where objects are written before they are renamed into place. */
  readonly tempDir: string;
  private readonly db: Database.Database;
  private readonly fsync: boolean;
  private readonly lockTimeoutMs: number;
  private readonly now: () => number;
  private readonly accessor: SourceAccessor;
  /** Paths known valid (they stay valid: there is no garbage collector yet). */
  private readonly validCache = new Set<string>();
  private readonly stmts: Statements;

  constructor(options: LocalStoreOptions = {}) {
    super(options.storeDir ?? "/nix/store");
    this.root = nodePath.resolve(options.root ?? defaultLocalStoreRoot());
    this.realStoreDir = nodePath.resolve(options.realStoreDir ?? nodePath.join(this.root, this.storeDir));
    this.stateDir = nodePath.resolve(options.stateDir ?? nodePath.join(this.root, "nix", "var", "tsnix"));
    this.fsync = options.fsync ?? false;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10 * 60 * 1000;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.tempDir = nodePath.join(this.realStoreDir, TEMP_DIR);
    const storeDir = this.storeDir;
    const realStoreDir = this.realStoreDir;
    this.accessor = nodeFsAccessor((p) => realStoreDir + p.slice(storeDir.length));
    const dbFile = nodePath.join(this.stateDir, "db", "db.sqlite");
    [this.db, this.stmts] = systemErrors(`opening the store at '${this.root}' (database '${dbFile}')`, () => {
      fs.mkdirSync(this.tempDir, { recursive: true });
      fs.mkdirSync(nodePath.dirname(dbFile), { recursive: true });
      fs.mkdirSync(nodePath.join(this.stateDir, "locks"), { recursive: true });
      const db = new Database(dbFile, { timeout: 60_000 });
      try {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        db.pragma("foreign_keys = ON");
        initSchema(db);
        return [db, prepareStatements(db)] as const;
      } catch (e) {
        db.close();
        throw e;
      }
    });
    for (const name of this.staleTemporaries()) removeTree(nodePath.join(this.tempDir, name));
  }

  /** The physical location of a logical store path (or a path inside one). */
  toRealPath(path: string): string {
    this.checkInsideStoreDir(path);
    return this.realStoreDir + path.slice(this.storeDir.length);
  }

  private checkInsideStoreDir(path: string): void {
    if (!path.startsWith(this.storeDir + "/")) storeError(`path '${path}' is not in the Nix store`);
  }

  private lockFileFor(baseName: string): string {
    return nodePath.join(this.stateDir, "locks", `${baseName}.lock`);
  }

  // ---- queries ----

  override isValidPath(path: string): boolean {
    if (this.validCache.has(path)) return true;
    if (!this.stmts.pathId.get(path)) return false;
    this.validCache.add(path);
    return true;
  }

  queryPathInfo(path: string): ValidPathInfo | undefined {
    const row = this.stmts.pathRow.get(path);
    if (!row) return undefined;
    const references = this.stmts.references
      .all(row.id)
      .map((r) => r.path)
      .sort(compareUtf8);
    return {
      path,
      narHash: rethrowFormat(() => printNarHash(parseHashPrefixed(row.hash))),
      narSize: row.narSize ?? 0,
      references,
      ...(row.deriver !== null ? { deriver: row.deriver } : {}),
      ...(row.ca !== null ? { contentAddress: row.ca } : {}),
      registrationTime: row.registrationTime,
    };
  }

  queryReferrers(path: string): string[] {
    return this.stmts.referrers
      .all(path)
      .map((r) => r.path)
      .sort(compareUtf8);
  }

  queryAllValidPaths(): string[] {
    return this.stmts.allPaths
      .all()
      .map((r) => r.path)
      .sort(compareUtf8);
  }

  queryDerivationOutputs(drvPath: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.stmts.drvOutputs.all(drvPath)) out[r.id] = r.path;
    return out;
  }

  queryValidDerivers(outPath: string): string[] {
    return this.stmts.derivers
      .all(outPath)
      .map((r) => r.path)
      .sort(compareUtf8);
  }

  queryRealisation(key: DrvOutputId): Realisation | undefined {
    const row = this.stmts.realisation.get(key.drvPath, key.outputName);
    if (!row) return undefined;
    return {
      key: { drvPath: key.drvPath, outputName: key.outputName },
      outPath: row.path,
      signatures: row.signatures ? row.signatures.split(" ") : [],
    };
  }

  // ---- registration ----

  /**
   * Make paths valid in one transaction. Their files must exist at `toRealPath(path)`; their metadata is
   * canonicalised first (read-only, mtime 1) unless they are already valid. The caller should hold the
   * paths' locks (a builder does).
   */
  registerValidPaths(registrations: readonly PathRegistration[], options: RegisterOptions = {}): void {
    for (const r of registrations) {
      this.checkRegistration(r);
      if (this.isValidPath(r.path)) continue;
      const real = this.toRealPath(r.path);
      if (!exists(real)) storeError(`cannot register '${r.path}': '${real}' does not exist`);
      systemErrors(`canonicalising the metadata of '${real}'`, () => canonicaliseMetadata(real));
    }
    systemErrors(`registering ${registrations.length} path(s) in the store database`, () =>
      this.writeRegistrations(registrations, options.realisations ?? []),
    );
  }

  private writeRegistrations(
    registrations: readonly PathRegistration[],
    realisations: readonly Realisation[],
  ): void {
    this.db.transaction(() => this.insertRegistrations(registrations, realisations)).immediate();
  }

  /** Inside a transaction. */
  private insertRegistrations(
    registrations: readonly PathRegistration[],
    realisations: readonly Realisation[],
    derivationOutputs?: Readonly<Record<string, string>>,
  ): void {
    const s = this.stmts;
    const toDbHash = (h: string): string =>
      rethrowFormat(() => printHash(parseHashPrefixed(h), "base16", true));
    const idOf = (path: string, forWhat: string): number => {
      const row = s.pathId.get(path);
      if (!row) storeError(`cannot register ${forWhat}: path '${path}' is not valid`);
      return row.id;
    };
    for (const r of registrations) {
      const hash = toDbHash(r.narHash);
      if (s.pathId.get(r.path))
        s.updatePath.run(r.narSize, hash, r.deriver ?? null, r.contentAddress ?? null, r.path);
      else
        s.insertPath.run(
          r.path,
          hash,
          r.registrationTime ?? this.now(),
          r.deriver ?? null,
          r.narSize,
          r.contentAddress ?? null,
        );
    }
    for (const r of registrations) {
      const id = idOf(r.path, `'${r.path}'`);
      s.deletePending.run(r.path);
      s.deleteRefs.run(id);
      for (const ref of r.references) s.insertRef.run(id, idOf(ref, `the references of '${r.path}'`));
    }
    if (derivationOutputs && registrations.length === 1) {
      const id = idOf(registrations[0]!.path, "derivation outputs");
      for (const [name, path] of Object.entries(derivationOutputs)) s.insertDrvOutput.run(id, name, path);
    }
    for (const rz of realisations) {
      this.baseNameOf(rz.outPath);
      s.insertRealisation.run(
        rz.key.drvPath,
        rz.key.outputName,
        idOf(rz.outPath, `realisation '${rz.key.drvPath}^${rz.key.outputName}'`),
        (rz.signatures ?? []).join(" ") || null,
      );
    }
  }

  // ---- writing objects ----

  /**
   * Write the object under a temporary name (no lock held: the name is unique), then, inside one
   * IMMEDIATE transaction (SQLite's write lock, which dies with its process), check validity, clear a
   * leftover, rename into place and insert the rows. Every rename into the store happens inside such a
   * transaction, so an invalid object seen while holding the write lock is a crash leftover, or the
   * output a builder is writing under its path lock (then we wait for that lock and look again).
   */
  protected commitNew(info: PathRegistration, walk: ContentWalk, options: CommitOptions): void {
    systemErrors(`adding '${info.path}' to the store`, () => this.writeAndRegister(info, walk, options));
  }

  private writeAndRegister(info: PathRegistration, walk: ContentWalk, options: CommitOptions): void {
    const baseName = this.baseNameOf(info.path);
    const final = nodePath.join(this.realStoreDir, baseName);
    const temp = nodePath.join(
      this.tempDir,
      `${process.pid}-${nodeCrypto().randomBytes(6).toString("hex")}-${baseName}`,
    );
    try {
      const writer = diskWriterVisitor(temp, { fsync: this.fsync });
      const nar = options.verify ? narHashVisitor("sha256") : undefined;
      walk(nar ? teeVisitor([writer, nar]) : writer);
      if (nar && options.verify) checkWalkHash(info, nar.finish().hash, options.verify);
      if (this.fsync) fsyncDir(this.tempDir);
      for (;;) {
        const outcome = this.db
          .transaction((): "done" | "busy" => {
            if (this.stmts.pathId.get(info.path)) return "done";
            if (this.stmts.pending.get(info.path) || exists(final)) {
              // A builder writing this path (it holds the lock), or what a crashed add or build left.
              const lock = tryLockFile(this.lockFileFor(baseName));
              if (!lock) return "busy";
              try {
                removeTree(final);
                this.stmts.deletePending.run(info.path);
              } finally {
                lock.release();
              }
            }
            fs.renameSync(temp, final);
            try {
              this.insertRegistrations([info], [], options.derivationOutputs);
            } catch (e) {
              removeTree(final);
              throw e;
            }
            return "done";
          })
          .immediate();
        if (outcome === "done") break;
        // A builder holds the path: wait for it (outside the transaction), then look again.
        lockFileSync(this.lockFileFor(baseName), `path '${info.path}'`, this.lockTimeoutMs).release();
      }
      if (this.fsync) fsyncDir(this.realStoreDir);
      this.validCache.add(info.path);
    } finally {
      removeTree(temp); // gone after the rename; still there when someone else added it first or on error
    }
  }

  /** Temporaries of processes that no longer run. */
  private staleTemporaries(): string[] {
    const out: string[] = [];
    for (const name of fs.readdirSync(this.tempDir)) {
      const pid = Number(name.slice(0, name.indexOf("-")));
      if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && !processIsAlive(pid))) out.push(name);
    }
    return out;
  }

  /**
   * Delete what crashed adds and builds left: temporaries of dead processes, and objects that are not
   * valid unless their path is locked (a builder is writing them). Returns what was removed (names
   * relative to `realStoreDir`). Runs when the store is opened, for temporaries.
   */
  removeStaleEntries(): string[] {
    const removed: string[] = [];
    for (const name of this.staleTemporaries()) {
      removeTree(nodePath.join(this.tempDir, name));
      removed.push(`${TEMP_DIR}/${name}`);
    }
    const candidates = new Set(this.stmts.allPending.all().map((r) => r.path));
    for (const name of fs.readdirSync(this.realStoreDir))
      if (!name.startsWith(".")) candidates.add(`${this.storeDir}/${name}`);
    for (const path of [...candidates].sort(compareUtf8)) {
      if (this.isValidPath(path)) continue;
      const lock = tryLockFile(this.lockFileFor(this.baseNameOf(path)));
      if (!lock) continue; // someone is writing it
      try {
        const hadFiles = exists(nodePath.join(this.realStoreDir, this.baseNameOf(path)));
        const outcome = this.db.transaction(() => this.clearLocked(path)).immediate();
        if (outcome === "cleared" && hadFiles) removed.push(this.baseNameOf(path));
      } finally {
        lock.release();
      }
    }
    return removed;
  }

  /** Inside a transaction, holding the path's lock: remove an invalid path's files and pending mark. */
  private clearLocked(path: string): "valid" | "cleared" {
    if (this.stmts.pathId.get(path)) return "valid";
    removeTree(nodePath.join(this.realStoreDir, this.baseNameOf(path)));
    this.stmts.deletePending.run(path);
    return "cleared";
  }

  /**
   * For a builder holding the path's lock (`lockPath`), before it writes the output at
   * `toRealPath(path)`: returns false when the path is valid (an add may have made it valid meanwhile:
   * nothing to build). Otherwise removes what an earlier, crashed attempt left there and records that
   * the path is being written, so that an add of the same path waits for the builder's lock instead of
   * racing it; `registerValidPaths` or `abandonOutputPath` ends that.
   */
  prepareOutputPath(path: string): boolean {
    return (
      this.db
        .transaction(() => {
          if (this.clearLocked(path) === "valid") return false;
          this.stmts.insertPending.run(path, this.now());
          return true;
        })
        .immediate() === true
    );
  }

  /** A builder that failed (holding the lock): remove its partial output. Valid paths are left alone. */
  abandonOutputPath(path: string): void {
    this.db.transaction(() => this.clearLocked(path)).immediate();
  }

  // ---- reading ----

  protected contents(): SourceAccessor {
    return this.accessor;
  }

  protected defaultSourceAccessor(): SourceAccessor {
    return hostFs;
  }

  // ---- locks ----

  async lockPath(path: string): Promise<PathLock> {
    const held = await lockFile(this.lockFileFor(this.baseNameOf(path)));
    return pathLock(path, held);
  }

  tryLockPath(path: string): PathLock | undefined {
    const held = tryLockFile(this.lockFileFor(this.baseNameOf(path)));
    return held && pathLock(path, held);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function pathLock(path: string, held: HeldFileLock): PathLock {
  return { path, release: () => held.release() };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

function exists(path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Run `f`; errors that are not already StoreErrors become one that says what we were doing. */
function systemErrors<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    const err = e as { code?: string; message?: string };
    throw new StoreError(
      `${what}: ${err.message ?? String(e)}${err.code && !err.message?.includes(err.code) ? ` (${err.code})` : ""}`,
    );
  }
}

function fsyncDir(path: string): void {
  const fd = fs.openSync(path, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function initSchema(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      storeError(
        `store database schema version ${version} is newer than this tsnix understands (${SCHEMA_VERSION})`,
      );
    db.exec(SCHEMA_SQL);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function prepareStatements(db: Database.Database) {
  return {
    pathId: db.prepare<[string], { id: number }>("select id from ValidPaths where path = ?"),
    pathRow: db.prepare<[string], PathRow>(
      "select id, hash, registrationTime, deriver, narSize, ca from ValidPaths where path = ?",
    ),
    references: db.prepare<[number], { path: string }>(
      "select path from Refs join ValidPaths on reference = id where referrer = ?",
    ),
    referrers: db.prepare<[string], { path: string }>(
      "select path from Refs join ValidPaths on referrer = id where reference = (select id from ValidPaths where path = ?)",
    ),
    allPaths: db.prepare<[], { path: string }>("select path from ValidPaths"),
    pending: db.prepare<[string], { path: string }>("select path from PendingWrites where path = ?"),
    allPending: db.prepare<[], { path: string }>("select path from PendingWrites"),
    insertPending: db.prepare("insert or replace into PendingWrites (path, since) values (?, ?)"),
    deletePending: db.prepare("delete from PendingWrites where path = ?"),
    insertPath: db.prepare(
      "insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ca) values (?, ?, ?, ?, ?, ?)",
    ),
    updatePath: db.prepare("update ValidPaths set narSize = ?, hash = ?, deriver = ?, ca = ? where path = ?"),
    insertRef: db.prepare("insert or replace into Refs (referrer, reference) values (?, ?)"),
    deleteRefs: db.prepare("delete from Refs where referrer = ?"),
    insertDrvOutput: db.prepare("insert or replace into DerivationOutputs (drv, id, path) values (?, ?, ?)"),
    drvOutputs: db.prepare<[string], { id: string; path: string }>(
      "select d.id, d.path from DerivationOutputs d join ValidPaths v on d.drv = v.id where v.path = ?",
    ),
    derivers: db.prepare<[string], { path: string }>(
      "select v.path from DerivationOutputs d join ValidPaths v on d.drv = v.id where d.path = ?",
    ),
    insertRealisation: db.prepare(
      "insert or replace into Realisations (drvPath, outputName, outputPath, signatures) values (?, ?, ?, ?)",
    ),
    realisation: db.prepare<[string, string], { path: string; signatures: string | null }>(
      "select v.path, r.signatures from Realisations r join ValidPaths v on r.outputPath = v.id where r.drvPath = ? and r.outputName = ?",
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
