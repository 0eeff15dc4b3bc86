import { formatError } from "./errors.js";
import { DownstreamPlaceholder } from "./placeholder.js";
import { parseStorePathBaseName } from "./store-path.js";

/** A store path, or an output of a (possibly itself built) derivation. Paths are base names. */
export type SingleDerivedPath =
  | { readonly kind: "opaque"; readonly path: string }
  | { readonly kind: "built"; readonly drvPath: SingleDerivedPath; readonly output: string };

/** `outputs: "*"` means all outputs. */
export type DerivedPath =
  | { readonly kind: "opaque"; readonly path: string }
  | {
      readonly kind: "built";
      readonly drvPath: SingleDerivedPath;
      readonly outputs: "*" | readonly string[];
    };

export type SingleDerivedPathJson = string | { drvPath: SingleDerivedPathJson; output: string };
export type DerivedPathJson = string | { drvPath: SingleDerivedPathJson; outputs: string[] };

export function singleDerivedPathToJson(p: SingleDerivedPath): SingleDerivedPathJson {
  return p.kind === "opaque" ? p.path : { drvPath: singleDerivedPathToJson(p.drvPath), output: p.output };
}

export function singleDerivedPathFromJson(j: unknown): SingleDerivedPath {
  if (typeof j === "string") return { kind: "opaque", path: parseStorePathBaseName(j).baseName };
  if (typeof j === "object" && j !== null && !Array.isArray(j)) {
    const o = j as Record<string, unknown>;
    if (typeof o.output === "string" && "drvPath" in o)
      return { kind: "built", drvPath: singleDerivedPathFromJson(o.drvPath), output: o.output };
  }
  return formatError("invalid JSON for derived path: expected a store path or {drvPath, output}");
}

export function derivedPathToJson(p: DerivedPath): DerivedPathJson {
  if (p.kind === "opaque") return p.path;
  return { drvPath: singleDerivedPathToJson(p.drvPath), outputs: p.outputs === "*" ? ["*"] : [...p.outputs] };
}

export function derivedPathFromJson(j: unknown): DerivedPath {
  if (typeof j === "string") return { kind: "opaque", path: parseStorePathBaseName(j).baseName };
  if (typeof j === "object" && j !== null && !Array.isArray(j)) {
    const o = j as Record<string, unknown>;
    if (Array.isArray(o.outputs) && o.outputs.every((x) => typeof x === "string") && "drvPath" in o) {
      const outs = o.outputs as string[];
      return {
        kind: "built",
        drvPath: singleDerivedPathFromJson(o.drvPath),
        outputs: outs.length === 1 && outs[0] === "*" ? "*" : outs,
      };
    }
  }
  return formatError("invalid JSON for derived path: expected a store path or {drvPath, outputs}");
}

/**
 * The placeholder that stands for a built single derived path before it is realised (Nix's
 * `DownstreamPlaceholder::fromSingleDerivedPathBuilt`).
 */
export function downstreamPlaceholderFor(p: SingleDerivedPath & { kind: "built" }): DownstreamPlaceholder {
  if (p.drvPath.kind === "opaque") return DownstreamPlaceholder.unknownCaOutput(p.drvPath.path, p.output);
  return DownstreamPlaceholder.unknownDerivation(downstreamPlaceholderFor(p.drvPath), p.output);
}
