import type { Derivation, InputDrvNode } from "./derivation.js";
import { parseStructuredAttrs } from "./derivation.js";
import {
  type SingleDerivedPath,
  type SingleDerivedPathJson,
  downstreamPlaceholderFor,
  singleDerivedPathToJson,
} from "./derived-path.js";
import { compareUtf8, sortedUnique } from "./encoding.js";
import { formatError } from "./errors.js";
import { DEFAULT_STORE_DIR, isStorePath, splitStorePath } from "./store-path.js";

/** A reference in output checks: a store path / derivation output, or an output of the derivation itself. */
export type DrvRef = { readonly kind: "self"; readonly output: string } | SingleDerivedPath;

export interface OutputChecks {
  ignoreSelfRefs: boolean;
  maxSize: number | null;
  maxClosureSize: number | null;
  allowedReferences: DrvRef[] | null;
  disallowedReferences: DrvRef[];
  allowedRequisites: DrvRef[] | null;
  disallowedRequisites: DrvRef[];
}

/**
 * What a builder needs to know beyond the derivation proper (Nix's `DerivationOptions`), read from the
 * env or from structured attrs. Paths that are placeholders of input derivations' outputs become
 * `built` derived paths; other store paths `opaque`; bare output names in output checks `self`.
 */
export interface DerivationOptions {
  outputChecks: { forAllOutputs: OutputChecks } | { perOutput: Map<string, OutputChecks> };
  unsafeDiscardReferences: Map<string, boolean>;
  passAsFile: string[];
  exportReferencesGraph: Map<string, SingleDerivedPath[]>;
  additionalSandboxProfile: string;
  noChroot: boolean;
  impureHostDeps: string[];
  impureEnvVars: string[];
  allowLocalNetworking: boolean;
  requiredSystemFeatures: string[];
  preferLocalBuild: boolean;
  allowSubstitutes: boolean;
}

const tokenize = (s: string): string[] => s.split(/[ \t\n\r]+/).filter((t) => t !== "");

function compareDerived(a: SingleDerivedPath, b: SingleDerivedPath): number {
  if (a.kind !== b.kind) return a.kind === "opaque" ? -1 : 1;
  if (a.kind === "opaque") return compareUtf8(a.path, (b as typeof a).path);
  const bb = b as typeof a;
  return compareDerived(a.drvPath, bb.drvPath) || compareUtf8(a.output, bb.output);
}

/** Nix's `std::set<DrvRef>` order: own outputs first, then opaque paths, then built paths. */
function compareRef(a: DrvRef, b: DrvRef): number {
  if (a.kind === "self") return b.kind === "self" ? compareUtf8(a.output, b.output) : -1;
  if (b.kind === "self") return 1;
  return compareDerived(a, b);
}

function uniqueSorted<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  const sorted = [...items].sort(cmp);
  return sorted.filter((x, i) => i === 0 || cmp(sorted[i - 1]!, x) !== 0);
}

function placeholderMap(drv: Derivation): Map<string, SingleDerivedPath & { kind: "built" }> {
  const map = new Map<string, SingleDerivedPath & { kind: "built" }>();
  const visit = (base: SingleDerivedPath, node: InputDrvNode): void => {
    for (const output of node.outputs) {
      const built = { kind: "built" as const, drvPath: base, output };
      map.set(downstreamPlaceholderFor(built).render(), built);
    }
    for (const [output, child] of node.dynamicOutputs) visit({ kind: "built", drvPath: base, output }, child);
  };
  for (const [drvPath, node] of drv.inputDrvs) visit({ kind: "opaque", path: drvPath }, node);
  return map;
}

/** Nix's `derivationOptionsFromStructuredAttrs` for a derivation (placeholders of its inputs are recognised). */
export function derivationOptions(drv: Derivation, storeDir: string = DEFAULT_STORE_DIR): DerivationOptions {
  const sa = parseStructuredAttrs(drv);
  const placeholders = placeholderMap(drv);
  const findPlaceholder = (s: string) => {
    const slash = s.indexOf("/", 1);
    return placeholders.get(slash < 0 ? s : s.slice(0, slash));
  };
  const derivedPath = (s: string): SingleDerivedPath =>
    findPlaceholder(s) ?? { kind: "opaque", path: splitStorePath(s, storeDir).storePath.baseName };
  const ref = (s: string): DrvRef => {
    const p = findPlaceholder(s);
    if (p) return p;
    if (isStorePath(s, storeDir))
      return { kind: "opaque", path: splitStorePath(s, storeDir).storePath.baseName };
    return { kind: "self", output: s };
  };
  const refs = (ss: string[]): DrvRef[] => uniqueSorted(ss.map(ref), compareRef);

  const attr = (name: string): unknown => (sa ? sa[name] : drv.env.get(name));
  const str = (name: string, def: string): string => {
    const v = attr(name);
    if (v === undefined) return def;
    if (typeof v !== "string") formatError(`attribute '${name}' must be a string`);
    return v;
  };
  const bool = (name: string, def: boolean): boolean => {
    const v = attr(name);
    if (v === undefined) return def;
    if (sa) {
      if (typeof v !== "boolean") formatError(`attribute '${name}' must be a Boolean`);
      return v;
    }
    return v === "1";
  };
  const strSet = (name: string): string[] | undefined => {
    const v = attr(name);
    if (v === undefined) return undefined;
    if (!sa) return sortedUnique(tokenize(v as string));
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
      formatError(`attribute '${name}' must be a list of strings`);
    return sortedUnique(v as string[]);
  };
  const strList = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
      formatError(`${what} must be a list of strings`);
    return v as string[];
  };
  const num = (v: unknown, what: string): number | null => {
    if (v === undefined) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      formatError(`${what} must be an unsigned integer`);
    return v;
  };

  let outputChecks: DerivationOptions["outputChecks"];
  if (sa) {
    const perOutput = new Map<string, OutputChecks>();
    const oc = sa.outputChecks;
    if (oc !== undefined) {
      if (typeof oc !== "object" || oc === null || Array.isArray(oc))
        formatError("'outputChecks' must be an object");
      for (const [output, v] of Object.entries(oc as Record<string, unknown>)) {
        if (typeof v !== "object" || v === null || Array.isArray(v))
          formatError(`'outputChecks.${output}' must be an object`);
        const o = v as Record<string, unknown>;
        const opt = (k: string): DrvRef[] | null =>
          o[k] === undefined ? null : refs(strList(o[k], `attribute 'outputChecks."${output}".${k}'`));
        perOutput.set(output, {
          ignoreSelfRefs: false,
          maxSize: num(o.maxSize, `'outputChecks."${output}".maxSize'`),
          maxClosureSize: num(o.maxClosureSize, `'outputChecks."${output}".maxClosureSize'`),
          allowedReferences: opt("allowedReferences"),
          disallowedReferences: opt("disallowedReferences") ?? [],
          allowedRequisites: opt("allowedRequisites"),
          disallowedRequisites: opt("disallowedRequisites") ?? [],
        });
      }
    }
    outputChecks = { perOutput };
  } else {
    const opt = (k: string): DrvRef[] | null => {
      const s = strSet(k);
      return s === undefined ? null : refs(s);
    };
    outputChecks = {
      forAllOutputs: {
        ignoreSelfRefs: true,
        maxSize: null,
        maxClosureSize: null,
        allowedReferences: opt("allowedReferences"),
        disallowedReferences: opt("disallowedReferences") ?? [],
        allowedRequisites: opt("allowedRequisites"),
        disallowedRequisites: opt("disallowedRequisites") ?? [],
      },
    };
  }

  const unsafeDiscardReferences = new Map<string, boolean>();
  if (sa && sa.unsafeDiscardReferences !== undefined) {
    const u = sa.unsafeDiscardReferences;
    if (typeof u !== "object" || u === null || Array.isArray(u))
      formatError("'unsafeDiscardReferences' must be an object");
    for (const [k, v] of Object.entries(u as Record<string, unknown>)) {
      if (typeof v !== "boolean") formatError(`'unsafeDiscardReferences.${k}' must be a Boolean`);
      unsafeDiscardReferences.set(k, v);
    }
  }

  const passAsFileEnv = drv.env.get("passAsFile");
  const passAsFile = !sa && passAsFileEnv !== undefined ? sortedUnique(tokenize(passAsFileEnv)) : [];

  const exportReferencesGraph = new Map<string, SingleDerivedPath[]>();
  if (sa) {
    const e = sa.exportReferencesGraph;
    if (typeof e === "object" && e !== null && !Array.isArray(e)) {
      for (const [key, value] of Object.entries(e as Record<string, unknown>)) {
        const flat: string[] = [];
        const flatten = (v: unknown): void => {
          if (Array.isArray(v)) v.forEach(flatten);
          else if (typeof v === "string") flat.push(v);
          else formatError("'exportReferencesGraph' value is not an array or a string");
        };
        flatten(value);
        exportReferencesGraph.set(key, uniqueSorted(sortedUnique(flat).map(derivedPath), compareDerived));
      }
    }
  } else {
    const s = drv.env.get("exportReferencesGraph") ?? "";
    const tokens = tokenize(s);
    if (tokens.length % 2 !== 0) formatError(`odd number of tokens in 'exportReferencesGraph': '${s}'`);
    for (let i = 0; i < tokens.length; i += 2) {
      const fileName = tokens[i]!;
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(fileName))
        formatError(`invalid file name '${fileName}' in 'exportReferencesGraph'`);
      exportReferencesGraph.set(fileName, [derivedPath(tokens[i + 1]!)]);
    }
  }

  return {
    outputChecks,
    unsafeDiscardReferences,
    passAsFile,
    exportReferencesGraph,
    additionalSandboxProfile: str("__sandboxProfile", ""),
    noChroot: bool("__noChroot", false),
    impureHostDeps: strSet("__impureHostDeps") ?? [],
    impureEnvVars: strSet("impureEnvVars") ?? [],
    allowLocalNetworking: bool("__darwinAllowLocalNetworking", false),
    requiredSystemFeatures: strSet("requiredSystemFeatures") ?? [],
    preferLocalBuild: bool("preferLocalBuild", false),
    allowSubstitutes: bool("allowSubstitutes", true),
  };
}

function refToJson(r: DrvRef): SingleDerivedPathJson | { drvPath: "self"; output: string } {
  return r.kind === "self" ? { drvPath: "self", output: r.output } : singleDerivedPathToJson(r);
}

function checksToJson(c: OutputChecks): Record<string, unknown> {
  return {
    allowedReferences: c.allowedReferences && c.allowedReferences.map(refToJson),
    allowedRequisites: c.allowedRequisites && c.allowedRequisites.map(refToJson),
    disallowedReferences: c.disallowedReferences.map(refToJson),
    disallowedRequisites: c.disallowedRequisites.map(refToJson),
    ignoreSelfRefs: c.ignoreSelfRefs,
    maxClosureSize: c.maxClosureSize,
    maxSize: c.maxSize,
  };
}

/** Nix's JSON for derivation options (as in `nix derivation show`-adjacent test data). */
export function derivationOptionsToJson(o: DerivationOptions): Record<string, unknown> {
  const record = <V, R>(m: Map<string, V>, f: (v: V) => R): Record<string, R> =>
    Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
  return {
    additionalSandboxProfile: o.additionalSandboxProfile,
    allowLocalNetworking: o.allowLocalNetworking,
    allowSubstitutes: o.allowSubstitutes,
    exportReferencesGraph: record(o.exportReferencesGraph, (ps) => ps.map(singleDerivedPathToJson)),
    impureEnvVars: o.impureEnvVars,
    impureHostDeps: o.impureHostDeps,
    noChroot: o.noChroot,
    outputChecks:
      "forAllOutputs" in o.outputChecks
        ? { forAllOutputs: checksToJson(o.outputChecks.forAllOutputs) }
        : { perOutput: record(o.outputChecks.perOutput, checksToJson) },
    passAsFile: o.passAsFile,
    preferLocalBuild: o.preferLocalBuild,
    requiredSystemFeatures: o.requiredSystemFeatures,
    unsafeDiscardReferences: record(o.unsafeDiscardReferences, (b) => b),
  };
}
