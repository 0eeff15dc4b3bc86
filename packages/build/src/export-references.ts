/**
 * `exportReferencesGraph` (without structured attributes): the closure of a store path in the input
 * closure, written as `nix-store --register-validity` input with empty derivers (Nix's
 * `exportReferences` + `makeValidityRegistration(paths, false, false)`). Derivations in the graph
 * bring the closures of their (valid) outputs too, as in Nix.
 */
import { readFileSync } from "node:fs";
import { parseDerivation } from "@tsnix/nix-compat";
import type { BuildStore } from "./build-store.js";
import { BuildError } from "./errors.js";
import { drvDisplayName, resolveDerivation } from "./resolve.js";

export function exportReferences(
  store: BuildStore,
  drvPath: string,
  inputClosure: ReadonlySet<string>,
  path: string,
): string {
  if (!inputClosure.has(path)) {
    throw new BuildError(
      `cannot export references of path '${path}' because it is not in the input closure of the derivation`,
      "setup",
      drvPath,
    );
  }
  const paths = new Set<string>();
  const addClosure = (p: string) => {
    const todo = [p];
    while (todo.length) {
      const q = todo.pop()!;
      if (paths.has(q)) continue;
      const info = store.queryPathInfo(q);
      if (!info) throw new BuildError(`path '${q}' is not valid`, "invalid-input", drvPath);
      paths.add(q);
      todo.push(...info.references);
    }
  };
  addClosure(path);
  for (const p of [...paths]) {
    if (!p.endsWith(".drv")) continue;
    const drv = parseDerivation(
      readFileSync(store.toRealPath(p), "utf8"),
      drvDisplayName(p).slice(0, -".drv".length),
      store.storeDir,
    );
    for (const o of resolveDerivation(p, drv, store.storeDir).outputs) {
      if (store.isValidPath(o.path)) addClosure(o.path);
    }
  }
  let s = "";
  for (const p of [...paths].sort()) {
    const refs = [...store.queryPathInfo(p)!.references].sort();
    s += `${p}\n\n${refs.length}\n` + refs.map((r) => r + "\n").join("");
  }
  return s;
}
