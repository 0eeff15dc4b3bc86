// KnownPaths (Tvix's known_paths.rs): output path → the derivation that produces it, for every
// derivation this evaluation instantiated. Fed by the evaluator's record of derivationStrict
// (`Evaluator#knownDerivations`, drv path → Derivation), indexed lazily: the record only grows, so
// a miss re-indexes just when it has grown since the last look.
import { derivationOutputPath, type Derivation } from "@tsnix/nix-compat";

export interface KnownOutput {
  /** Full path of the `.drv`. */
  readonly drvPath: string;
  readonly drv: Derivation;
  /** Which output of it `path` is. */
  readonly outputName: string;
}

/** Where derivations come from: a map that only grows (the evaluator's record). */
export type DerivationSource = () => ReadonlyMap<string, Derivation>;

export class KnownPaths {
  private readonly byOutput = new Map<string, KnownOutput>();
  private readonly drvs = new Map<string, Derivation>();
  private readonly sources: DerivationSource[] = [];
  /** How many entries of each source were indexed. */
  private readonly indexed: number[] = [];

  constructor(readonly storeDir: string = "/nix/store") {}

  /** Follow a growing record of derivations (e.g. `() => evaluator.knownDerivations`). */
  follow(source: DerivationSource): this {
    this.sources.push(source);
    this.indexed.push(0);
    return this;
  }

  /** Record one derivation (drvPath is its full store path). */
  add(drvPath: string, drv: Derivation): void {
    if (this.drvs.has(drvPath)) return;
    this.drvs.set(drvPath, drv);
    for (const outputName of drv.outputs.keys()) {
      const base = derivationOutputPath(drv, outputName, this.storeDir);
      if (base === undefined) continue; // floating CA / deferred: not known before building
      const path = `${this.storeDir}/${base}`;
      if (!this.byOutput.has(path)) this.byOutput.set(path, { drvPath, drv, outputName });
    }
  }

  /** The derivation producing the store path `outPath` (a top-level store path), if known. */
  lookupOutput(outPath: string): KnownOutput | undefined {
    const hit = this.byOutput.get(outPath);
    if (hit !== undefined || !this.refresh()) return hit;
    return this.byOutput.get(outPath);
  }

  /** A known derivation by its full drv path. */
  getDerivation(drvPath: string): Derivation | undefined {
    const hit = this.drvs.get(drvPath);
    if (hit !== undefined || !this.refresh()) return hit;
    return this.drvs.get(drvPath);
  }

  get size(): number {
    this.refresh();
    return this.drvs.size;
  }

  /** Index what the sources gained since last time; true when anything was new. */
  private refresh(): boolean {
    let grew = false;
    for (let i = 0; i < this.sources.length; i++) {
      const map = this.sources[i]!();
      if (map.size === this.indexed[i]) continue;
      // By key: the evaluator's record parses a derivation on `get`, so only new ones are fetched.
      for (const drvPath of map.keys()) if (!this.drvs.has(drvPath)) this.add(drvPath, map.get(drvPath)!);
      this.indexed[i] = map.size;
      grew = true;
    }
    return grew;
  }
}
