import { printDerivation } from "./aterm.js";
import { printMethodAlgo } from "./content-address.js";
import type { Derivation, InputDrvNode } from "./derivation.js";
import { derivationType, fixedOutputPath } from "./derivation.js";
import { formatError } from "./errors.js";
import { type Hash, hashString, printHash } from "./hash.js";
import {
  DEFAULT_STORE_DIR,
  DRV_EXTENSION,
  type StorePath,
  computeStorePathForText,
  makeOutputPath,
  printStorePath,
} from "./store-path.js";

/**
 * What a derivation contributes to the hash of derivations that use it (Nix's `HashModulo`):
 * - `drvHash`: an input-addressed derivation's hash (its ATerm with inputs replaced, outputs kept);
 * - `caOutputHashes`: a fixed-output derivation's per-output hashes, independent of how it is built;
 * - `deferred`: outputs not known at evaluation time (floating CA, impure, or depending on such).
 */
export type HashModulo =
  | { readonly kind: "drvHash"; readonly hash: Hash }
  | { readonly kind: "caOutputHashes"; readonly hashes: ReadonlyMap<string, Hash> }
  | { readonly kind: "deferred" };

export interface DerivationHasherOptions {
  storeDir?: string;
  /** Look up an input derivation by its base name (`<hash>-<name>.drv`). Called at most once per path. */
  readDerivation(drvPath: string): Derivation;
}

/** Store path (base name) a derivation is written to: a text path over its ATerm, referencing its inputs. */
export function derivationPath(drv: Derivation, storeDir: string = DEFAULT_STORE_DIR): StorePath {
  const refs = [...drv.inputSrcs, ...drv.inputDrvs.keys()];
  return computeStorePathForText(
    drv.name + DRV_EXTENSION,
    printDerivation(drv, { storeDir }),
    refs,
    storeDir,
  );
}

/**
 * Hash-modulo computations over a graph of derivations, memoised per input drv path. One instance per
 * evaluation (or per store) is the intended use; `remember` lets a caller that just created a derivation
 * seed the cache so `readDerivation` is never asked for it.
 */
export class DerivationHasher {
  readonly storeDir: string;
  private readonly read: (drvPath: string) => Derivation;
  private readonly memo = new Map<string, HashModulo>();

  constructor(options: DerivationHasherOptions) {
    this.storeDir = options.storeDir ?? DEFAULT_STORE_DIR;
    this.read = options.readDerivation;
  }

  /** Record `drv` as living at `drvPath` (base name). */
  remember(drvPath: string, drv: Derivation): void {
    if (!this.memo.has(drvPath)) this.memo.set(drvPath, this.hashInput(drv));
  }

  /** Nix's `pathDerivationModulo`: memoised `hashInput` of the derivation at `drvPath`. */
  hashInputAt(drvPath: string): HashModulo {
    let h = this.memo.get(drvPath);
    if (!h) {
      h = this.hashInput(this.read(drvPath));
      this.memo.set(drvPath, h);
    }
    return h;
  }

  /** Nix's `hashInput` / `hashDerivationModulo(…, maskOutputs=false)`: the hash a drv contributes to users. */
  hashInput(drv: Derivation): HashModulo {
    const type = derivationType(drv);
    if (type.kind === "contentAddressed" && type.fixed) {
      const hashes = new Map<string, Hash>();
      for (const [name, o] of drv.outputs) {
        if (o.kind !== "caFixed") continue;
        const path = printStorePath(fixedOutputPath(o.ca, drv.name, name, this.storeDir), this.storeDir);
        const text = `fixed:out:${printMethodAlgo(o.ca.method, o.ca.hash.algo)}:${printHash(o.ca.hash, "base16")}:${path}`;
        hashes.set(name, hashString("sha256", text));
      }
      return { kind: "caOutputHashes", hashes };
    }
    for (const o of drv.outputs.values()) if (o.kind !== "inputAddressed") return { kind: "deferred" };
    const inputs = this.moduloInputs(drv);
    if (!inputs) return { kind: "deferred" };
    return {
      kind: "drvHash",
      hash: hashString(
        "sha256",
        printDerivation(drv, { storeDir: this.storeDir, inputDrvsOverride: inputs }),
      ),
    };
  }

  /** Input derivations replaced by their hashes (base16 keys, output names merged); undefined if deferred. */
  private moduloInputs(drv: Derivation): Map<string, InputDrvNode> | undefined {
    const result = new Map<string, InputDrvNode>();
    const add = (key: string, outputs: Iterable<string>): void => {
      let node = result.get(key);
      if (!node) result.set(key, (node = { outputs: new Set(), dynamicOutputs: new Map() }));
      for (const o of outputs) node.outputs.add(o);
    };
    for (const [drvPath, node] of drv.inputDrvs) {
      if (node.dynamicOutputs.size > 0) return undefined;
      const res = this.hashInputAt(drvPath);
      if (res.kind === "deferred") return undefined;
      if (res.kind === "drvHash") {
        add(printHash(res.hash, "base16"), node.outputs);
      } else {
        for (const outputName of node.outputs) {
          const h = res.hashes.get(outputName);
          if (!h) formatError(`no hash for output '${outputName}' of derivation '${drv.name}'`);
          add(printHash(h, "base16"), ["out"]);
        }
      }
    }
    return result;
  }

  /**
   * The ATerm whose sha256 gives an input-addressed derivation's output paths: outputs and the env vars
   * named after them blanked, input derivations replaced by their hashes. Undefined when deferred.
   */
  unparseModulo(drv: Derivation): string | undefined {
    for (const o of drv.outputs.values())
      if (o.kind !== "inputAddressed" && o.kind !== "deferred")
        formatError(`derivation '${drv.name}' is not input-addressed, so it has no hash modulo`);
    const inputs = this.moduloInputs(drv);
    if (!inputs) return undefined;
    return printDerivation(drv, { storeDir: this.storeDir, maskOutputs: true, inputDrvsOverride: inputs });
  }

  /** Nix's `hashDerivationModulo` (masked): the hash output paths are made from; undefined when deferred. */
  hashModulo(drv: Derivation): Hash | undefined {
    const text = this.unparseModulo(drv);
    return text === undefined ? undefined : hashString("sha256", text);
  }

  /**
   * Nix's `fillInOutputPaths`: give deferred input-addressed outputs their paths (when the hash modulo is
   * known) and set missing or empty env vars for input-addressed and fixed outputs. Mutates and returns
   * `drv`. Throws for a wrong explicit output path or env var.
   */
  fillInOutputPaths(drv: Derivation): Derivation {
    this.processOutputPaths(drv, true);
    return drv;
  }

  /**
   * The last step of `derivationStrict`: fill in output paths (`fillInOutputPaths`), compute the drv
   * path, remember the derivation under it (so later hashing never asks `readDerivation` for it) and
   * return the path. The caller writes `printDerivation(drv)` to the store under that path.
   */
  register(drv: Derivation): StorePath {
    this.fillInOutputPaths(drv);
    const path = derivationPath(drv, this.storeDir);
    this.memo.set(path.baseName, this.hashInput(drv));
    return path;
  }

  /** Nix's `checkInvariants`: throws when output paths or their env vars are not what they must be. */
  checkInvariants(drv: Derivation, drvPath?: string): void {
    if (drvPath !== undefined) {
      const expected = drv.name + DRV_EXTENSION;
      if (!drvPath.endsWith("-" + expected))
        formatError(
          `derivation '${printStorePath(drvPath, this.storeDir)}' has name '${drv.name}' which does not match its path`,
        );
    }
    this.processOutputPaths(drv, false);
  }

  private processOutputPaths(drv: Derivation, fillIn: boolean): void {
    let modulo: { h: Hash | undefined } | undefined;
    const hashModulo = (): Hash | undefined => (modulo ??= { h: this.hashModulo(drv) }).h;
    const printed = (p: string): string => printStorePath(p, this.storeDir);

    const envHasRightPath = (outputName: string, actual: string): void => {
      const want = printed(actual);
      if (fillIn) {
        const cur = drv.env.get(outputName);
        if (cur === undefined || cur === "") drv.env.set(outputName, want);
      }
      const got = drv.env.get(outputName);
      if (got === undefined)
        formatError(
          `derivation has missing environment variable '${outputName}', should be '${want}' but is not present`,
        );
      if (got !== want)
        formatError(
          `derivation has incorrect environment variable '${outputName}', should be '${want}' but is actually '${got}'`,
        );
    };

    for (const [outputName, o] of [...drv.outputs]) {
      if (o.kind === "inputAddressed" || o.kind === "deferred") {
        const h = hashModulo();
        if (h) {
          const outPath = makeOutputPath(outputName, h, drv.name, this.storeDir).baseName;
          if (o.kind === "inputAddressed") {
            if (o.path !== outPath)
              formatError(
                `derivation has incorrect output '${printed(o.path)}', should be '${printed(outPath)}'`,
              );
            envHasRightPath(outputName, outPath);
          } else if (fillIn) {
            drv.outputs.set(outputName, { kind: "inputAddressed", path: outPath });
            envHasRightPath(outputName, outPath);
          }
        } else if (o.kind === "inputAddressed") {
          formatError(`derivation has incorrect output '${printed(o.path)}', should be deferred`);
        }
      } else if (o.kind === "caFixed") {
        envHasRightPath(outputName, fixedOutputPath(o.ca, drv.name, outputName, this.storeDir).baseName);
      }
    }
    derivationType(drv);
  }
}
