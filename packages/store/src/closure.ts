import { compareUtf8 } from "@tsnix/nix-compat";
import type { Store } from "./store.js";
import { storeError } from "./store.js";

export interface ClosureOptions {
  /** `references` (default): what the paths need at run time. `referrers`: what needs them. */
  readonly direction?: "references" | "referrers";
  /** Also follow each path's deriver (`nix-store -qR --include-outputs` in reverse, roughly). */
  readonly includeDerivers?: boolean;
}

/** Nix's `computeFSClosure`: the paths plus everything they reach; sorted. Paths must be valid. */
export function computeClosure(
  store: Pick<Store, "queryPathInfo" | "queryReferrers" | "isValidPath">,
  paths: Iterable<string>,
  options: ClosureOptions = {},
): string[] {
  const seen = new Set<string>();
  const stack = [...paths];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    const info = store.queryPathInfo(p);
    if (!info) storeError(`path '${p}' is not valid`);
    seen.add(p);
    const next = options.direction === "referrers" ? store.queryReferrers(p) : info.references;
    for (const n of next) if (!seen.has(n)) stack.push(n);
    if (options.includeDerivers && info.deriver && store.isValidPath(info.deriver)) stack.push(info.deriver);
  }
  return [...seen].sort(compareUtf8);
}

/**
 * Order valid paths so that every path comes after the paths it refers to (Nix's `topoSortPaths`,
 * reversed: references first, as copying needs). Self-references are ignored; cycles are an error.
 */
export function sortReferencesFirst(store: Pick<Store, "queryPathInfo">, paths: Iterable<string>): string[] {
  const wanted = new Set(paths);
  const state = new Map<string, "visiting" | "done">();
  const out: string[] = [];
  const visit = (p: string, parent: string | undefined): void => {
    const s = state.get(p);
    if (s === "done") return;
    if (s === "visiting") storeError(`cycle detected in the references of '${parent}' from '${p}'`);
    state.set(p, "visiting");
    const info = store.queryPathInfo(p);
    if (!info) storeError(`path '${p}' is not valid`);
    for (const r of info.references) if (r !== p && wanted.has(r)) visit(r, p);
    state.set(p, "done");
    out.push(p);
  };
  for (const p of [...wanted].sort(compareUtf8)) visit(p, undefined);
  return out;
}

/** Copy paths and their closure from one store to another (NAR + metadata); returns the paths copied. */
export function copyClosure(from: Store, to: Store, paths: Iterable<string>): string[] {
  if (from.storeDir !== to.storeDir)
    storeError(
      `cannot copy between stores with different store directories ('${from.storeDir}', '${to.storeDir}')`,
    );
  const copied: string[] = [];
  for (const p of sortReferencesFirst(from, computeClosure(from, paths))) {
    if (to.isValidPath(p)) continue;
    const info = from.queryPathInfo(p)!;
    to.importNar(
      {
        path: p,
        narHash: info.narHash,
        narSize: info.narSize,
        references: info.references,
        ...(info.deriver !== undefined ? { deriver: info.deriver } : {}),
        ...(info.contentAddress !== undefined ? { contentAddress: info.contentAddress } : {}),
        registrationTime: info.registrationTime,
      },
      from.narFromPath(p),
    );
    copied.push(p);
  }
  return copied;
}
