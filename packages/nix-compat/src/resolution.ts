import type { Derivation, InputDrvNode } from "./derivation.js";
import { cloneDerivation } from "./derivation.js";
import { type SingleDerivedPath, downstreamPlaceholderFor } from "./derived-path.js";
import { DerivationHasher } from "./hash-modulo.js";
import { DEFAULT_STORE_DIR, printStorePath } from "./store-path.js";
import { compareUtf8 } from "./encoding.js";

/** Realised output of an input: (derivation, output name) → store path base name, or undefined if unknown. */
export type ResolutionQuery = (drvPath: SingleDerivedPath, outputName: string) => string | undefined;

/** Nix's `rewriteStrings`: apply each rewrite (in key order) to every occurrence. */
export function rewriteStrings(s: string, rewrites: ReadonlyMap<string, string>): string {
  for (const [from, to] of [...rewrites].sort((a, b) => compareUtf8(a[0], b[0]))) {
    if (from === to || from === "") continue;
    s = s.split(from).join(to);
  }
  return s;
}

function resolveInput(
  srcs: Set<string>,
  rewrites: Map<string, string>,
  storeDir: string,
  drvPath: SingleDerivedPath,
  node: InputDrvNode,
  query: ResolutionQuery,
): boolean {
  for (const outputName of node.outputs) {
    const actual = query(drvPath, outputName);
    if (actual === undefined) return false;
    const placeholder = downstreamPlaceholderFor({ kind: "built", drvPath, output: outputName }).render();
    if (!rewrites.has(placeholder)) rewrites.set(placeholder, printStorePath(actual, storeDir));
    srcs.add(actual);
  }
  for (const [outputName, child] of node.dynamicOutputs) {
    const next: SingleDerivedPath = { kind: "built", drvPath, output: outputName };
    if (!resolveInput(srcs, rewrites, storeDir, next, child, query)) return false;
  }
  return true;
}

/**
 * Nix's `Derivation::tryResolve`: replace input derivations by their realised outputs (added to the input
 * sources), rewrite downstream placeholders in builder, args, env (names and values) and structured attrs
 * to the real paths, then fill in output paths. Undefined if some input output is not realised.
 * The result has no `inputDrvs` (print its JSON with `{ basic: true }`).
 */
export function tryResolve(
  drv: Derivation,
  query: ResolutionQuery,
  storeDir: string = DEFAULT_STORE_DIR,
): Derivation | undefined {
  const resolved = cloneDerivation(drv);
  resolved.inputDrvs = new Map();
  const rewrites = new Map<string, string>();
  for (const [drvPath, node] of drv.inputDrvs)
    if (!resolveInput(resolved.inputSrcs, rewrites, storeDir, { kind: "opaque", path: drvPath }, node, query))
      return undefined;

  if (rewrites.size > 0) {
    resolved.builder = rewriteStrings(resolved.builder, rewrites);
    resolved.args = resolved.args.map((a) => rewriteStrings(a, rewrites));
    const env = new Map<string, string>();
    for (const [k, v] of resolved.env) {
      const key = rewriteStrings(k, rewrites);
      if (!env.has(key)) env.set(key, rewriteStrings(v, rewrites));
    }
    resolved.env = env;
    if (resolved.structuredAttrs !== undefined)
      resolved.structuredAttrs = rewriteStrings(resolved.structuredAttrs, rewrites);
  }
  new DerivationHasher({
    storeDir,
    readDerivation: () => {
      throw new Error("a resolved derivation has no input derivations");
    },
  }).fillInOutputPaths(resolved);
  return resolved;
}
