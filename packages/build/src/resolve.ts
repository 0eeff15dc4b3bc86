/** From nix-compat's Derivation to what the builder works with (absolute paths, checked kinds). */
import { fixedOutputPath, printStorePath, type Derivation } from "@tsnix/nix-compat";
import { BuildError } from "./errors.js";
import type { ResolvedDerivation, ResolvedOutput } from "./types.js";

export function resolveDerivation(drvPath: string, drv: Derivation, storeDir: string): ResolvedDerivation {
  const outputs: ResolvedOutput[] = [];
  let fixedOutput = false;
  for (const [name, o] of drv.outputs) {
    switch (o.kind) {
      case "inputAddressed":
        outputs.push({ name, path: `${storeDir}/${o.path}` });
        break;
      case "caFixed":
        fixedOutput = true;
        outputs.push({
          name,
          path: printStorePath(fixedOutputPath(o.ca, drv.name, name, storeDir), storeDir),
          fixed: { method: o.ca.method, hash: o.ca.hash },
        });
        break;
      default:
        throw new BuildError(
          `cannot build '${drvPath}': its output '${name}' is ${o.kind === "impure" ? "impure" : "content-addressed (floating) or deferred"}; ` +
            `only input-addressed and fixed-output derivations can be built (experimental feature 'ca-derivations' is not supported)`,
          "unsupported",
          drvPath,
        );
    }
  }
  if (outputs.length === 0) throw new BuildError(`derivation '${drvPath}' has no outputs`, "setup", drvPath);
  return {
    name: drv.name,
    outputs,
    fixedOutput,
    system: drv.system,
    builder: drv.builder,
    args: drv.args,
    env: drv.env,
    ...(drv.structuredAttrs !== undefined ? { structuredAttrs: drv.structuredAttrs } : {}),
  };
}

/** The direct inputs of a derivation whose input derivations' outputs are known. */
export function inputPathsOf(drv: Derivation, storeDir: string): string[] {
  return [...drv.inputSrcs].map((b) => `${storeDir}/${b}`);
}

/** "/nix/store/abc-foo.drv" → "foo.drv" (Nix names its build directory after it). */
export function drvDisplayName(drvPath: string): string {
  const base = drvPath.slice(drvPath.lastIndexOf("/") + 1);
  return base.slice(base.indexOf("-") + 1);
}
