/**
 * In-process mutual exclusion keyed by string: a FIFO queue of waiters per key. Browser-safe.
 * Cross-process exclusion (LocalStore) is layered on top in file-lock.ts.
 */
export class KeyedLocks {
  private readonly held = new Map<string, Array<() => void>>();

  isHeld(key: string): boolean {
    return this.held.has(key);
  }

  /** Take the lock now, or undefined when it is held. Returns the release function. */
  tryAcquire(key: string): (() => void) | undefined {
    if (this.held.has(key)) return undefined;
    this.held.set(key, []);
    return this.releaser(key);
  }

  /** Wait for the lock (waiters are served in order). */
  acquire(key: string): Promise<() => void> {
    const release = this.tryAcquire(key);
    if (release) return Promise.resolve(release);
    return new Promise((resolve) => this.held.get(key)!.push(() => resolve(this.releaser(key))));
  }

  private releaser(key: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const waiters = this.held.get(key)!;
      const next = waiters.shift();
      if (next) next();
      else this.held.delete(key);
    };
  }
}
