/**
 * Exactly the store operations packages/build needs. Structurally a subset of @tsnix/store's
 * `Store` (synchronous queries, one-transaction `registerValidPaths`, per-path locks) plus
 * `toRealPath`, where a store path physically lives (Nix's `Store::toRealPath`), which the
 * builder needs to bind inputs into the sandbox and to move outputs into place.
 */
export interface BuildPathInfo {
  readonly path: string;
  readonly narHash: string;
  readonly narSize: number;
  readonly references: readonly string[];
  readonly deriver?: string;
  readonly contentAddress?: string;
}

export interface BuildPathRegistration {
  readonly path: string;
  /** "sha256:<nix32>". */
  readonly narHash: string;
  readonly narSize: number;
  readonly references: readonly string[];
  readonly deriver?: string;
  readonly contentAddress?: string;
}

export interface BuildPathLock {
  release(): void;
}

export interface BuildStore {
  /** Logical store directory. */
  readonly storeDir: string;
  /** Physical location of a logical store path. */
  toRealPath(storePath: string): string;
  isValidPath(path: string): boolean;
  queryPathInfo(path: string): BuildPathInfo | undefined;
  /** All paths valid together, in one transaction. */
  registerValidPaths(registrations: readonly BuildPathRegistration[]): void;
  /** Cross-process lock on a store path (held while building it). */
  lockPath(path: string): Promise<BuildPathLock>;
}

/** The closure of `paths` under references; throws naming the first path that is not valid. */
export function computeClosure(store: BuildStore, paths: Iterable<string>): Set<string> {
  const closure = new Set<string>();
  const todo = [...paths];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (closure.has(p)) continue;
    const info = store.queryPathInfo(p);
    if (!info) throw new InvalidPathError(p);
    closure.add(p);
    for (const r of info.references) if (!closure.has(r)) todo.push(r);
  }
  return closure;
}

export class InvalidPathError extends Error {
  constructor(readonly path: string) {
    super(`path '${path}' is not valid`);
  }
}
