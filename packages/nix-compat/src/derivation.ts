import type { ContentAddress, ContentAddressMethod } from "./content-address.js";
import { makeFixedOutputPath, makeFixedOutputPathFromCA } from "./content-address.js";
import { formatError } from "./errors.js";
import type { HashAlgo } from "./hash.js";
import { DEFAULT_STORE_DIR, outputPathName, type StorePath } from "./store-path.js";

/**
 * One output of a derivation. Store paths are base names (`<hash>-<name>`), as in Nix's derivation JSON.
 * - `inputAddressed`: path known from the derivation's hash modulo.
 * - `caFixed`: fixed-output (`outputHash`); the path is computed from `ca` and never stored.
 * - `caFloating`: content-addressed, hash known only after the build (`__contentAddressed`).
 * - `deferred`: input-addressed but its path can't be known yet (depends on floating CA outputs), or not
 *   computed yet (before `fillInOutputPaths`).
 * - `impure`: `__impure` derivations.
 */
export type DerivationOutput =
  | { readonly kind: "inputAddressed"; readonly path: string }
  | { readonly kind: "caFixed"; readonly ca: ContentAddress }
  | { readonly kind: "caFloating"; readonly method: ContentAddressMethod; readonly hashAlgo: HashAlgo }
  | { readonly kind: "deferred" }
  | { readonly kind: "impure"; readonly method: ContentAddressMethod; readonly hashAlgo: HashAlgo };

/**
 * Which outputs of an input derivation are used; `dynamicOutputs` holds outputs of derivations that are
 * themselves outputs (dynamic derivations, `builtins.outputOf`): output name → node for the produced drv.
 */
export interface InputDrvNode {
  outputs: Set<string>;
  dynamicOutputs: Map<string, InputDrvNode>;
}

/**
 * A derivation, as Nix's `Derivation`. All maps print in sorted (UTF-8 byte) order, whatever their
 * insertion order.
 */
export interface Derivation {
  /** Name without `.drv` (not stored in the ATerm: comes from the drv path or the JSON). */
  name: string;
  outputs: Map<string, DerivationOutput>;
  /** Input derivation base name (`<hash>-<name>.drv`) → outputs used. */
  inputDrvs: Map<string, InputDrvNode>;
  /** Input source base names. */
  inputSrcs: Set<string>;
  system: string;
  builder: string;
  args: string[];
  env: Map<string, string>;
  /**
   * Structured attributes (`__structuredAttrs = true`): the exact JSON text stored in the ATerm as the
   * `__json` env entry. Kept as text so a parsed `.drv` prints back byte for byte; see
   * `parseStructuredAttrs`.
   */
  structuredAttrs?: string;
}

/** The parsed structured attributes, or undefined when the derivation has none. */
export function parseStructuredAttrs(drv: Derivation): Record<string, unknown> | undefined {
  if (drv.structuredAttrs === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(drv.structuredAttrs);
  } catch {
    return formatError(`derivation '${drv.name}' has invalid structured attributes JSON`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    formatError(`derivation '${drv.name}' has structured attributes that are not a JSON object`);
  return v as Record<string, unknown>;
}

export const STRUCTURED_ATTRS_ENV = "__json";

export function emptyDerivation(name: string): Derivation {
  return {
    name,
    outputs: new Map(),
    inputDrvs: new Map(),
    inputSrcs: new Set(),
    system: "",
    builder: "",
    args: [],
    env: new Map(),
  };
}

export function inputDrvNode(
  outputs: Iterable<string>,
  dynamicOutputs?: Map<string, InputDrvNode>,
): InputDrvNode {
  return { outputs: new Set(outputs), dynamicOutputs: dynamicOutputs ?? new Map() };
}

/** Deep copy, so fill-in and resolution never alias the caller's maps. */
export function cloneDerivation(drv: Derivation): Derivation {
  const cloneNode = (n: InputDrvNode): InputDrvNode => ({
    outputs: new Set(n.outputs),
    dynamicOutputs: new Map([...n.dynamicOutputs].map(([k, v]) => [k, cloneNode(v)])),
  });
  return {
    name: drv.name,
    outputs: new Map(drv.outputs),
    inputDrvs: new Map([...drv.inputDrvs].map(([k, v]) => [k, cloneNode(v)])),
    inputSrcs: new Set(drv.inputSrcs),
    system: drv.system,
    builder: drv.builder,
    args: [...drv.args],
    env: new Map(drv.env),
    ...(drv.structuredAttrs !== undefined ? { structuredAttrs: drv.structuredAttrs } : {}),
  };
}

/** Nix's `DerivationType`. */
export type DerivationType =
  | { readonly kind: "inputAddressed"; readonly deferred: boolean }
  | { readonly kind: "contentAddressed"; readonly fixed: boolean }
  | { readonly kind: "impure" };

const INPUT_ADDRESSED: DerivationType = { kind: "inputAddressed", deferred: false };
const DEFERRED: DerivationType = { kind: "inputAddressed", deferred: true };
const FIXED: DerivationType = { kind: "contentAddressed", fixed: true };
const FLOATING: DerivationType = { kind: "contentAddressed", fixed: false };
const IMPURE: DerivationType = { kind: "impure" };

function sameType(a: DerivationType, b: DerivationType): boolean {
  if (a.kind === "inputAddressed") return b.kind === "inputAddressed" && a.deferred === b.deferred;
  if (a.kind === "contentAddressed") return b.kind === "contentAddressed" && a.fixed === b.fixed;
  return a.kind === b.kind;
}

/**
 * Classify a derivation by its outputs, with Nix's errors for mixtures ("can't mix derivation output
 * types", a fixed output not called `out`, several fixed outputs, floating outputs with different
 * algorithms, no outputs).
 */
export function derivationType(drv: Derivation): DerivationType {
  let ty: DerivationType | undefined;
  let floatingAlgo: HashAlgo | undefined;
  const decide = (t: DerivationType): void => {
    if (!ty) ty = t;
    else if (!sameType(ty, t)) formatError("can't mix derivation output types");
    else if (t.kind === "contentAddressed" && t.fixed)
      formatError("only one fixed output is allowed for now");
  };
  for (const [name, o] of drv.outputs) {
    switch (o.kind) {
      case "inputAddressed":
        decide(INPUT_ADDRESSED);
        break;
      case "deferred":
        decide(DEFERRED);
        break;
      case "caFixed":
        decide(FIXED);
        if (name !== "out") formatError('single fixed output must be named "out"');
        break;
      case "caFloating":
        decide(FLOATING);
        if (floatingAlgo === undefined) floatingAlgo = o.hashAlgo;
        else if (floatingAlgo !== o.hashAlgo)
          formatError("all floating outputs must use the same hash algorithm");
        break;
      case "impure":
        decide(IMPURE);
        break;
    }
  }
  if (!ty) return formatError("must have at least one output");
  return ty;
}

export function isFixedOutput(drv: Derivation): boolean {
  const t = derivationType(drv);
  return t.kind === "contentAddressed" && t.fixed;
}

/** Path of a fixed output (Nix's `DerivationOutput::CAFixed::path`). */
export function fixedOutputPath(
  ca: ContentAddress,
  drvName: string,
  outputName: string,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  const name = outputPathName(drvName, outputName);
  return ca.method === "text"
    ? makeFixedOutputPathFromCA(name, ca, [], false, storeDir)
    : makeFixedOutputPath(name, ca.method, ca.hash, [], false, storeDir);
}

/** The output's store path base name if it is statically known (input-addressed or fixed), else undefined. */
export function derivationOutputPath(
  drv: Derivation,
  outputName: string,
  storeDir: string = DEFAULT_STORE_DIR,
): string | undefined {
  const o = drv.outputs.get(outputName);
  if (!o) return undefined;
  if (o.kind === "inputAddressed") return o.path;
  if (o.kind === "caFixed") return fixedOutputPath(o.ca, drv.name, outputName, storeDir).baseName;
  return undefined;
}

/** Does any input use outputs of dynamic derivations (needs the `DrvWithVersion("xp-dyn-drv",…)` form)? */
export function hasDynamicInputs(drv: Derivation): boolean {
  for (const n of drv.inputDrvs.values()) if (n.dynamicOutputs.size > 0) return true;
  return false;
}
