// Nix's getDerivations (libexpr/get-drvs.cc) as nix-instantiate uses it: the value is auto-called,
// then a derivation is taken as it is, a set's attributes (in name order, names matching
// attrRegex) are searched one level deep (deeper only under `recurseForDerivations = true`), a
// list's elements are searched recursively; anything else at the top is an error. A derivation
// reached twice (the same attribute set) is listed once.
import {
  NixAttrs,
  coerceToPath,
  evalError,
  force,
  forceBool,
  forceStringNoCtx,
  isDerivation,
  toNixError,
  type AutoArg,
  type Evaluator,
  type Lazy,
} from "@tsnix/eval";

export interface DrvInfo {
  /** Where it was found, as nix-env shows it (`a.b`, `0`). */
  readonly attrPath: string;
  readonly drvPath: string;
  readonly outputName: string;
}

const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9\-_+]*$/;

const join = (prefix: string, name: string) => (prefix === "" ? name : `${prefix}.${name}`);

export function getDerivations(ev: Evaluator, v: Lazy, autoArgs: Map<string, AutoArg>): DrvInfo[] {
  const rt = ev.rt;
  const depth = rt.depth;
  const found: DrvInfo[] = [];
  const done = new Set<NixAttrs>();

  /** getDerivation: true when `x` is not a derivation (so the caller may search inside it). */
  const take = (x: Lazy, attrPath: string): boolean => {
    const w = force(x);
    if (!isDerivation(w)) return true;
    const attrs = w as NixAttrs;
    if (done.has(attrs)) return false;
    done.add(attrs);
    const name = attrs.get("name");
    if (name === undefined) throw evalError("derivation name missing");
    forceStringNoCtx(name, null, null);
    const drvPathValue = attrs.get("drvPath");
    const drvPath =
      drvPathValue === undefined
        ? ""
        : coerceToPath(
            rt,
            drvPathValue,
            attrs.posOf("drvPath") ?? null,
            "while evaluating the 'drvPath' attribute",
          );
    const outputNameValue = attrs.get("outputName");
    const outputName = outputNameValue === undefined ? "" : forceStringNoCtx(outputNameValue, null, null);
    found.push({ attrPath, drvPath, outputName });
    return false;
  };

  const search = (x: Lazy, prefix: string): void => {
    const w = force(ev.autoCall(x, autoArgs));
    if (!take(w, prefix)) return;
    if (w instanceof NixAttrs) {
      for (const name of w.keys()) {
        if (!ATTR_NAME.test(name)) continue;
        const child = w.get(name)!;
        const path = join(prefix, name);
        if (!take(child, path)) continue;
        const c = force(child);
        if (!(c instanceof NixAttrs)) continue;
        const recurse = c.get("recurseForDerivations");
        if (recurse !== undefined && forceBool(recurse, c.posOf("recurseForDerivations") ?? null, null))
          search(c, path);
      }
    } else if (Array.isArray(w)) {
      const list = w as readonly Lazy[];
      for (let i = 0; i < list.length; i++) {
        const path = join(prefix, String(i));
        if (take(list[i]!, path)) search(list[i]!, path);
      }
    } else {
      throw evalError("expression does not evaluate to a derivation (or a set or list of those)");
    }
  };

  try {
    search(v, "");
  } catch (e) {
    rt.depth = depth;
    throw toNixError(e);
  }
  return found;
}
