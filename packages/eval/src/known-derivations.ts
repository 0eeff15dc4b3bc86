// The derivations an evaluator instantiated or read, by full drv path (Nix keeps no such record: it
// writes `.drv` files and reads them back). Kept as their ATerm text, which takes about half the
// memory of a parsed Derivation (its env, outputs and inputs are Maps and Sets), and parsed again
// when asked for; the last few parsed are cached, since reads come in bursts (a closure, a build).
import { parseDerivation, type Derivation } from "@tsnix/nix-compat";

/** Parsed derivations kept for repeated `get`s. */
const RECENT = 64;

export class KnownDerivations implements ReadonlyMap<string, Derivation> {
  private readonly texts = new Map<string, string>();
  private readonly recent = new Map<string, Derivation>();

  constructor(private readonly storeDir: string) {}

  /**
   * Record the derivation at `drvPath` by its `.drv` text (printDerivation's). A freshly instantiated
   * one is not kept as an object: most are never asked for again, and one kept a while outlives the
   * young generation. `parsed`: the text's derivation, when the caller parsed it and will ask again.
   */
  set(drvPath: string, text: string, parsed?: Derivation): void {
    this.texts.set(drvPath, text);
    if (parsed !== undefined) this.remember(drvPath, parsed);
  }

  get(drvPath: string): Derivation | undefined {
    const hit = this.recent.get(drvPath);
    if (hit !== undefined) return hit;
    const text = this.texts.get(drvPath);
    if (text === undefined) return undefined;
    const base = drvPath.slice(this.storeDir.length + 1);
    const drv = parseDerivation(text, base.slice(33, -4), this.storeDir);
    this.remember(drvPath, drv);
    return drv;
  }

  has(drvPath: string): boolean {
    return this.texts.has(drvPath);
  }

  get size(): number {
    return this.texts.size;
  }

  keys(): MapIterator<string> {
    return this.texts.keys();
  }

  *entries(): MapIterator<[string, Derivation]> {
    for (const drvPath of this.texts.keys()) yield [drvPath, this.get(drvPath)!];
  }

  *values(): MapIterator<Derivation> {
    for (const drvPath of this.texts.keys()) yield this.get(drvPath)!;
  }

  [Symbol.iterator](): MapIterator<[string, Derivation]> {
    return this.entries();
  }

  forEach(fn: (drv: Derivation, drvPath: string, map: ReadonlyMap<string, Derivation>) => void): void {
    for (const [drvPath, drv] of this.entries()) fn(drv, drvPath, this);
  }

  private remember(drvPath: string, drv: Derivation): void {
    if (this.recent.size >= RECENT) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(drvPath, drv);
  }
}
