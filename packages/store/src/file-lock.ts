/**
 * Cross-process locks that die with their process. A lock is an exclusive SQLite transaction on a small
 * lock file: SQLite takes a POSIX record lock, which the kernel drops when the holder exits (even on
 * SIGKILL), so there are no stale locks to detect. SQLite also makes a second connection in the same
 * process (or another thread) see the lock as busy. Node has no flock/fcntl of its own; this is the
 * portable way to get one from a dependency we already have.
 *
 * Lock files are never deleted: deleting one while another process waits on it would let two holders
 * exist (the classic unlink race). They are empty files.
 */
import Database from "better-sqlite3";
import { KeyedLocks } from "./lock.js";
import { storeError } from "./store.js";

/** One in-process queue per lock file, shared by every LocalStore in this thread. */
const inProcess = new KeyedLocks();

export interface HeldFileLock {
  release(): void;
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** Try the OS-level lock once (with up to `waitMs` of SQLite's own sleeping). */
function tryOsLock(file: string, waitMs: number): Database.Database | undefined {
  const db = new Database(file, { timeout: waitMs });
  try {
    db.exec("BEGIN EXCLUSIVE");
    return db;
  } catch (e) {
    db.close();
    if (isBusy(e)) return undefined;
    throw e;
  }
}

function holder(db: Database.Database, releaseLocal: () => void): HeldFileLock {
  let done = false;
  return {
    release() {
      if (done) return;
      done = true;
      try {
        db.exec("ROLLBACK");
      } finally {
        db.close();
        releaseLocal();
      }
    },
  };
}

/** Take the lock now or return undefined. */
export function tryLockFile(file: string): HeldFileLock | undefined {
  const releaseLocal = inProcess.tryAcquire(file);
  if (!releaseLocal) return undefined;
  try {
    const db = tryOsLock(file, 0);
    if (!db) {
      releaseLocal();
      return undefined;
    }
    return holder(db, releaseLocal);
  } catch (e) {
    releaseLocal();
    throw e;
  }
}

/**
 * Wait for the lock, blocking the thread (for synchronous adds). A lock held by an asynchronous holder
 * in this same thread can never be released while we block, so that is an error instead of a deadlock.
 */
export function lockFileSync(file: string, what: string, timeoutMs: number): HeldFileLock {
  const releaseLocal = inProcess.tryAcquire(file);
  if (!releaseLocal)
    storeError(`${what} is locked by a pending operation of this thread; cannot wait for it synchronously`);
  try {
    const db = tryOsLock(file, timeoutMs);
    if (!db) storeError(`timed out after ${timeoutMs} ms waiting for the lock on ${what}`);
    return holder(db, releaseLocal);
  } catch (e) {
    releaseLocal();
    throw e;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait for the lock without blocking the thread: queue in-process, then poll the OS lock. */
export async function lockFile(file: string): Promise<HeldFileLock> {
  const releaseLocal = await inProcess.acquire(file);
  try {
    let delay = 2;
    for (;;) {
      const db = tryOsLock(file, 0);
      if (db) return holder(db, releaseLocal);
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  } catch (e) {
    releaseLocal();
    throw e;
  }
}
