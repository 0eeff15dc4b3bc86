/**
 * Nix's `checkOutputs` for derivations without structured attributes: `allowedReferences`,
 * `allowedRequisites`, `disallowedReferences`, `disallowedRequisites`. Each names store paths or
 * outputs of the derivation itself; requisites are checked against the closure without the output
 * itself (Nix 2.8 accepts `allowedRequisites = [ dep ]` for an output referring to dep only).
 */
import type { BuildStore } from "./build-store.js";
import { BuildError } from "./errors.js";
import type { ResolvedDerivation } from "./types.js";

interface CheckedOutput {
  readonly path: string;
  readonly references: readonly string[];
}

const CHECKS: readonly { attr: string; allowed: boolean; recursive: boolean }[] = [
  { attr: "allowedReferences", allowed: true, recursive: false },
  { attr: "allowedRequisites", allowed: true, recursive: true },
  { attr: "disallowedReferences", allowed: false, recursive: false },
  { attr: "disallowedRequisites", allowed: false, recursive: true },
];

export function checkOutputs(
  drvPath: string,
  drv: ResolvedDerivation,
  outputs: readonly CheckedOutput[],
  store: BuildStore,
): void {
  if (drv.structuredAttrs !== undefined) return; // structured `outputChecks` are not checked yet
  const byPath = new Map(outputs.map((o) => [o.path, o]));
  const referencesOf = (p: string): readonly string[] =>
    byPath.get(p)?.references ?? store.queryPathInfo(p)?.references ?? [];
  const closure = (p: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [p];
    while (todo.length) {
      const q = todo.pop()!;
      if (seen.has(q)) continue;
      seen.add(q);
      todo.push(...referencesOf(q));
    }
    return seen;
  };
  for (const check of CHECKS) {
    const value = drv.env.get(check.attr);
    if (value === undefined) continue;
    const spec = new Set<string>();
    for (const item of value.split(/[ \t\n\r]+/).filter(Boolean)) {
      if (item.startsWith(store.storeDir + "/")) spec.add(item);
      else {
        const out = drv.outputs.find((o) => o.name === item);
        if (!out) {
          throw new BuildError(
            `derivation contains an illegal reference specifier '${item}'`,
            "setup",
            drvPath,
          );
        }
        spec.add(out.path);
      }
    }
    if (!check.allowed && spec.size === 0) continue;
    for (const o of outputs) {
      let used: Set<string>;
      if (check.recursive) {
        used = closure(o.path);
        used.delete(o.path);
      } else used = new Set(o.references);
      const bad = [...used].filter((p) => (check.allowed ? !spec.has(p) : spec.has(p))).sort();
      if (bad.length > 0) {
        throw new BuildError(
          `output '${o.path}' is not allowed to refer to the following paths:` +
            bad.map((p) => `\n  ${p}`).join(""),
          "illegal-reference",
          drvPath,
        );
      }
    }
  }
}
