import { printDerivation, printDerivationBytes } from "./aterm.js";
import { ByteSink } from "./byte-sink.js";
import {
  type RestLayout,
  copyRest,
  writeDerivation,
  writeHeader,
  writeInputDrvs,
  writeOutputs,
  writeRest,
} from "./aterm-writer.js";
import { printMethodAlgo } from "./content-address.js";
import type { Derivation, InputDrvNode } from "./derivation.js";
import { derivationType, fixedOutputPath } from "./derivation.js";
import { sortUtf8 } from "./encoding.js";
import { formatError } from "./errors.js";
import { type Hash, hashBytes, hashString, printHash } from "./hash.js";
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

const DEFERRED: HashModulo = { kind: "deferred" };

/** Sections of a derivation's texts already written by `register`, as byte ranges. */
interface WrittenSections {
  full: ByteSink;
  masked: ByteSink;
  outputs: [number, number];
  rest: [number, number];
  moduloInputs: [number, number];
}

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
    printDerivationBytes(drv, { storeDir }),
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
  /** Reused byte buffers for the masked (M), full (D) and hashInput (H) texts. */
  private readonly sinkM = new ByteSink();
  private readonly sinkD = new ByteSink();
  private readonly sinkH = new ByteSink();
  /** Where the last `hashModuloWith` wrote the rest (after inputDrvs) in `sinkM`. */
  private readonly maskedRest: RestLayout = { start: 0, envStart: 0, keys: [], entries: [] };
  /** Where the last `hashModuloWith` wrote the inputDrvs section in `sinkM`. */
  private moduloInputsAt: [number, number] = [0, 0];

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
    return this.hashInputWith(drv, undefined, undefined);
  }

  /**
   * `hashInput`, reusing what `register` already has: the modulo inputs (`known`, when computed) and
   * the unmasked outputs and rest sections, and the modulo inputDrvs section, already written.
   */
  private hashInputWith(
    drv: Derivation,
    known: { inputs: Map<string, InputDrvNode> | undefined } | undefined,
    written: WrittenSections | undefined,
  ): HashModulo {
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
    for (const o of drv.outputs.values()) if (o.kind !== "inputAddressed") return DEFERRED;
    // Computed before anything is written: it may hash input derivations with the same sinks.
    const inputs = known !== undefined ? known.inputs : this.moduloInputs(drv);
    if (!inputs) return DEFERRED;
    const out = this.sinkH;
    out.reset();
    if (written === undefined) {
      writeDerivation(out, drv, { storeDir: this.storeDir, maskOutputs: false, inputDrvsOverride: inputs });
    } else {
      const { full, masked } = written;
      writeHeader(out, inputs);
      out.copy(full, written.outputs[0], written.outputs[1]);
      out.ascii("],[");
      out.copy(masked, written.moduloInputs[0], written.moduloInputs[1]);
      out.ascii("],");
      out.copy(full, written.rest[0], written.rest[1]);
    }
    return { kind: "drvHash", hash: hashBytes("sha256", out.view()) };
  }

  /** base16 of input hashes, printed once per input derivation rather than once per user. */
  private readonly base16 = new WeakMap<Hash, string>();

  private base16Of(h: Hash): string {
    let s = this.base16.get(h);
    if (s === undefined) {
      s = printHash(h, "base16");
      this.base16.set(h, s);
    }
    return s;
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
        add(this.base16Of(res.hash), node.outputs);
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
    return this.hashModuloWith(drv, this.moduloInputs(drv));
  }

  /** `hashModulo` with the modulo inputs given; leaves the text in `sinkM` (inputDrvs at `moduloInputsAt`). */
  private hashModuloWith(
    drv: Derivation,
    inputs: Map<string, InputDrvNode> | undefined,
    sortedEnvKeys?: readonly string[],
  ): Hash | undefined {
    for (const o of drv.outputs.values())
      if (o.kind !== "inputAddressed" && o.kind !== "deferred")
        formatError(`derivation '${drv.name}' is not input-addressed, so it has no hash modulo`);
    if (!inputs) return undefined;
    const out = this.sinkM;
    out.reset();
    writeHeader(out, inputs);
    writeOutputs(out, drv, this.storeDir, true);
    out.ascii("],[");
    const start = out.length;
    writeInputDrvs(out, inputs, "");
    this.moduloInputsAt = [start, out.length];
    out.ascii("],");
    writeRest(out, drv, this.storeDir, true, sortedEnvKeys, this.maskedRest);
    return hashBytes("sha256", out.view());
  }

  /**
   * Nix's `fillInOutputPaths`: give deferred input-addressed outputs their paths (when the hash modulo is
   * known) and set missing or empty env vars for input-addressed and fixed outputs. Mutates and returns
   * `drv`. Throws for a wrong explicit output path or env var.
   */
  fillInOutputPaths(drv: Derivation): Derivation {
    this.processOutputPaths(drv, true, () => this.hashModulo(drv));
    return drv;
  }

  /**
   * The last step of `derivationStrict`: fill in output paths (`fillInOutputPaths`), compute the drv
   * path, remember the derivation under it (so later hashing never asks `readDerivation` for it) and
   * return the path. The caller writes `printDerivation(drv)` to the store under that path.
   */
  register(drv: Derivation): StorePath {
    // The texts of fillInOutputPaths + derivationPath + hashInput, written as bytes; hashInput's text
    // is put together from sections of the other two.
    let known: { inputs: Map<string, InputDrvNode> | undefined } | undefined;
    let envKeys = sortUtf8([...drv.env.keys()]);
    this.processOutputPaths(drv, true, () => {
      const inputs = this.moduloInputs(drv);
      known = { inputs };
      return this.hashModuloWith(drv, inputs, envKeys);
    });
    // Filling in may add env vars for outputs (never removes any); then the masked text's env
    // entries can not be copied.
    const maskedRest =
      known?.inputs !== undefined && drv.env.size === envKeys.length ? this.maskedRest : undefined;
    if (drv.env.size !== envKeys.length) envKeys = sortUtf8([...drv.env.keys()]);
    const full = this.sinkD;
    full.reset();
    writeHeader(full, drv.inputDrvs);
    const outputsStart = full.length;
    writeOutputs(full, drv, this.storeDir, false);
    const outputsEnd = full.length;
    full.ascii("],[");
    writeInputDrvs(full, drv.inputDrvs, this.storeDir + "/");
    full.ascii("],");
    const restStart = full.length;
    if (maskedRest !== undefined && drv.structuredAttrs === undefined)
      copyRest(full, drv, false, this.sinkM, maskedRest);
    else writeRest(full, drv, this.storeDir, false, envKeys);
    const refs = [...drv.inputSrcs, ...drv.inputDrvs.keys()];
    const path = computeStorePathForText(drv.name + DRV_EXTENSION, full.view(), refs, this.storeDir);
    const written: WrittenSections | undefined =
      known?.inputs !== undefined
        ? {
            full,
            masked: this.sinkM,
            outputs: [outputsStart, outputsEnd],
            rest: [restStart, full.length],
            moduloInputs: this.moduloInputsAt,
          }
        : undefined;
    this.memo.set(path.baseName, this.hashInputWith(drv, known, written));
    return path;
  }

  /**
   * The `.drv` text (`printDerivation`'s, as UTF-8) of the derivation `register` handled last; valid
   * until the next call of `register`. Saves printing it again to write or keep it.
   */
  lastRegisteredText(): Uint8Array {
    return this.sinkD.view();
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
    this.processOutputPaths(drv, false, () => this.hashModulo(drv));
  }

  private processOutputPaths(drv: Derivation, fillIn: boolean, computeModulo: () => Hash | undefined): void {
    let modulo: { h: Hash | undefined } | undefined;
    const hashModulo = (): Hash | undefined => (modulo ??= { h: computeModulo() }).h;
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
