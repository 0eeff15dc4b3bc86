import {
  contentAddressFromJson,
  contentAddressToJson,
  parseContentAddressMethod,
} from "./content-address.js";
import type { Derivation, DerivationOutput, InputDrvNode } from "./derivation.js";
import { parseStructuredAttrs } from "./derivation.js";
import { formatError } from "./errors.js";
import { parseHashAlgo } from "./hash.js";
import { canonicalJson } from "./json.js";
import { parseStorePathBaseName } from "./store-path.js";
import { compareUtf8, sortedUnique } from "./encoding.js";

/** The derivation JSON format version current Nix reads and writes. */
export const DERIVATION_JSON_VERSION = 4;

export type DerivationOutputJson =
  | { path: string }
  | { hash: string; method: string }
  | { hashAlgo: string; method: string }
  | { hashAlgo: string; impure: true; method: string }
  | Record<string, never>;

export interface InputDrvJson {
  dynamicOutputs: Record<string, InputDrvJson>;
  outputs: string[];
}

export interface DerivationJson {
  args: string[];
  builder: string;
  env: Record<string, string>;
  /** Object form; the array form is a resolved ("basic") derivation's input sources. */
  inputs: { drvs: Record<string, InputDrvJson>; srcs: string[] } | string[];
  name: string;
  outputs: Record<string, DerivationOutputJson>;
  structuredAttrs?: Record<string, unknown>;
  system: string;
  version: number;
}

function sortedRecord<V>(entries: Iterable<[string, V]>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of [...entries].sort((a, b) => compareUtf8(a[0], b[0]))) out[k] = v;
  return out;
}

export function derivationOutputToJson(o: DerivationOutput): DerivationOutputJson {
  switch (o.kind) {
    case "inputAddressed":
      return { path: o.path };
    case "caFixed":
      return contentAddressToJson(o.ca);
    case "caFloating":
      return { hashAlgo: o.hashAlgo, method: o.method };
    case "deferred":
      return {};
    case "impure":
      return { hashAlgo: o.hashAlgo, impure: true, method: o.method };
  }
}

function asObject(j: unknown, what: string): Record<string, unknown> {
  if (typeof j !== "object" || j === null || Array.isArray(j)) formatError(`${what} must be a JSON object`);
  return j as Record<string, unknown>;
}

function asString(j: unknown, what: string): string {
  if (typeof j !== "string") formatError(`${what} must be a string`);
  return j;
}

function asStringArray(j: unknown, what: string): string[] {
  if (!Array.isArray(j) || !j.every((x) => typeof x === "string"))
    formatError(`${what} must be an array of strings`);
  return j as string[];
}

export function derivationOutputFromJson(j: unknown): DerivationOutput {
  const o = asObject(j, "derivation output");
  const keys = Object.keys(o).sort().join(",");
  switch (keys) {
    case "path":
      return {
        kind: "inputAddressed",
        path: parseStorePathBaseName(asString(o.path, "output path")).baseName,
      };
    case "hash,method":
      return { kind: "caFixed", ca: contentAddressFromJson(o) };
    case "hashAlgo,method":
      return {
        kind: "caFloating",
        method: parseContentAddressMethod(asString(o.method, "method")),
        hashAlgo: parseHashAlgo(asString(o.hashAlgo, "hashAlgo")),
      };
    case "":
      return { kind: "deferred" };
    case "hashAlgo,impure,method":
      return {
        kind: "impure",
        method: parseContentAddressMethod(asString(o.method, "method")),
        hashAlgo: parseHashAlgo(asString(o.hashAlgo, "hashAlgo")),
      };
    default:
      return formatError("invalid JSON for derivation output");
  }
}

function inputNodeToJson(n: InputDrvNode): InputDrvJson {
  return {
    dynamicOutputs: sortedRecord([...n.dynamicOutputs].map(([k, v]) => [k, inputNodeToJson(v)])),
    outputs: sortedUnique(n.outputs),
  };
}

function inputNodeFromJson(j: unknown): InputDrvNode {
  const o = asObject(j, "input derivation");
  const dyn = asObject(o.dynamicOutputs, "dynamicOutputs");
  return {
    outputs: new Set(asStringArray(o.outputs, "outputs")),
    dynamicOutputs: new Map(Object.entries(dyn).map(([k, v]) => [k, inputNodeFromJson(v)])),
  };
}

export interface DerivationJsonOptions {
  /**
   * Print `inputs` as a plain array of sources, the form Nix uses for resolved ("basic") derivations.
   * Only valid when `inputDrvs` is empty.
   */
  basic?: boolean;
}

/** Nix's derivation JSON (version 4); `structuredAttrs` is printed parsed. */
export function derivationToJson(drv: Derivation, options: DerivationJsonOptions = {}): DerivationJson {
  const env = sortedRecord(drv.env);
  const srcs = sortedUnique(drv.inputSrcs);
  if (options.basic && drv.inputDrvs.size > 0)
    formatError("a derivation with input derivations is not basic");
  const json: DerivationJson = {
    args: [...drv.args],
    builder: drv.builder,
    env,
    inputs: options.basic
      ? srcs
      : { drvs: sortedRecord([...drv.inputDrvs].map(([k, v]) => [k, inputNodeToJson(v)])), srcs },
    name: drv.name,
    outputs: sortedRecord([...drv.outputs].map(([k, v]) => [k, derivationOutputToJson(v)])),
    system: drv.system,
    version: DERIVATION_JSON_VERSION,
  };
  const sa = parseStructuredAttrs(drv);
  if (sa !== undefined) json.structuredAttrs = sa;
  return json;
}

/** Parse Nix's derivation JSON (version 4 only, as current Nix). Accepts both `inputs` forms. */
export function derivationFromJson(j: unknown): Derivation {
  const o = asObject(j, "derivation");
  if (o.version !== DERIVATION_JSON_VERSION)
    formatError(
      `Unsupported derivation JSON format version ${String(o.version)}, only format version ${DERIVATION_JSON_VERSION} is currently supported.`,
    );
  const outputs = new Map<string, DerivationOutput>();
  for (const [k, v] of Object.entries(asObject(o.outputs, "outputs")))
    outputs.set(k, derivationOutputFromJson(v));

  const inputDrvs = new Map<string, InputDrvNode>();
  let srcs: string[];
  if (Array.isArray(o.inputs)) {
    srcs = asStringArray(o.inputs, "inputs");
  } else {
    const inputs = asObject(o.inputs, "inputs");
    srcs = asStringArray(inputs.srcs, "inputs.srcs");
    for (const [k, v] of Object.entries(asObject(inputs.drvs, "inputs.drvs")))
      inputDrvs.set(parseStorePathBaseName(k).baseName, inputNodeFromJson(v));
  }
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(asObject(o.env, "env"))) env.set(k, asString(v, `env.${k}`));
  const drv: Derivation = {
    name: asString(o.name, "name"),
    outputs,
    inputDrvs,
    inputSrcs: new Set(srcs.map((s) => parseStorePathBaseName(s).baseName)),
    system: asString(o.system, "system"),
    builder: asString(o.builder, "builder"),
    args: asStringArray(o.args, "args"),
    env,
  };
  if (o.structuredAttrs !== undefined)
    drv.structuredAttrs = canonicalJson(asObject(o.structuredAttrs, "structuredAttrs"));
  return drv;
}
