// Writing a derivation's ATerm straight to UTF-8 bytes (a ByteSink). Hashing derivations
// (hash-modulo.ts) needs three texts per derivation and only their sha256; building them as JS
// strings made ropes that the UTF-8 encoder then had to flatten, which cost more than the hashing.
// Sections are written separately so that a caller can copy a section already written for another
// text of the same derivation (`ByteSink.copy`).
import type { Derivation, DerivationOutput, InputDrvNode } from "./derivation.js";
import { fixedOutputPath, STRUCTURED_ATTRS_ENV } from "./derivation.js";
import { methodPrefix } from "./content-address.js";
import { sortUtf8, sortedUnique } from "./encoding.js";
import { NixFormatError } from "./errors.js";
import { printHash } from "./hash.js";
import type { ByteSink } from "./byte-sink.js";

/*
 * A derivation's ATerm is `<header><outputs>],[<inputDrvs>],<rest>`; each writer below writes one part.
 */

/** `Derive([`, or the versioned header when some input uses dynamic derivation outputs. */
export function writeHeader(out: ByteSink, inputDrvs: ReadonlyMap<string, InputDrvNode>): void {
  for (const n of inputDrvs.values())
    if (n.dynamicOutputs.size > 0) return out.ascii('DrvWithVersion("xp-dyn-drv",[');
  out.ascii("Derive([");
}

function writeOutputFields(
  out: ByteSink,
  drvName: string,
  outputName: string,
  o: DerivationOutput,
  storeDir: string,
): void {
  switch (o.kind) {
    case "inputAddressed":
      out.quoted(`${storeDir}/${o.path}`);
      return out.ascii(',"",""');
    case "caFixed":
      out.quoted(`${storeDir}/${fixedOutputPath(o.ca, drvName, outputName, storeDir).baseName}`);
      out.byte(44);
      out.quoted(methodPrefix(o.ca.method) + o.ca.hash.algo);
      out.byte(44);
      return out.quoted(printHash(o.ca.hash, "base16"));
    case "caFloating":
      out.ascii('"",');
      out.quoted(methodPrefix(o.method) + o.hashAlgo);
      return out.ascii(',""');
    case "deferred":
      return out.ascii('"","",""');
    case "impure":
      out.ascii('"",');
      out.quoted(methodPrefix(o.method) + o.hashAlgo);
      return out.ascii(',"impure"');
  }
}

/** The outputs section (without brackets); masked: every output as `("name","","","")`. */
export function writeOutputs(out: ByteSink, drv: Derivation, storeDir: string, mask: boolean): void {
  let first = true;
  for (const name of sortUtf8([...drv.outputs.keys()])) {
    if (!first) out.byte(44);
    first = false;
    out.byte(40);
    out.quoted(name);
    out.byte(44);
    if (mask) out.ascii('"","",""');
    else writeOutputFields(out, drv.name, name, drv.outputs.get(name)!, storeDir);
    out.byte(41);
  }
}

function writeStringList(out: ByteSink, items: readonly string[], prefix: string): void {
  out.byte(91);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.byte(44);
    out.quoted(prefix + items[i]!);
  }
  out.byte(93);
}

function writeInputNode(out: ByteSink, node: InputDrvNode): void {
  if (node.dynamicOutputs.size === 0) return writeStringList(out, sortedUnique(node.outputs), "");
  out.byte(40);
  writeStringList(out, sortedUnique(node.outputs), "");
  out.ascii(",[");
  let first = true;
  for (const k of sortUtf8([...node.dynamicOutputs.keys()])) {
    if (!first) out.byte(44);
    first = false;
    out.byte(40);
    out.quoted(k);
    out.byte(44);
    writeInputNode(out, node.dynamicOutputs.get(k)!);
    out.byte(41);
  }
  out.ascii("])");
}

/** The inputDrvs section (without brackets); keys printed with `prefix` (store dir + `/`, or none). */
export function writeInputDrvs(
  out: ByteSink,
  inputDrvs: ReadonlyMap<string, InputDrvNode>,
  prefix: string,
): void {
  let first = true;
  for (const k of sortUtf8([...inputDrvs.keys()])) {
    if (!first) out.byte(44);
    first = false;
    out.byte(40);
    out.quoted(prefix + k);
    out.byte(44);
    writeInputNode(out, inputDrvs.get(k)!);
    out.byte(41);
  }
}

/**
 * Where `writeRest` put the parts of a text that do not depend on masking, so that `copyRest` can
 * write the other (masked or unmasked) form of the same derivation by copying them.
 */
export interface RestLayout {
  /** Start of the inputSrcs list and start of the env list (after `[`). */
  start: number;
  envStart: number;
  /** The env keys in the order written, and per key the [start, end) of its `("k","v")` entry. */
  keys: readonly string[];
  entries: number[];
}

/**
 * Everything after inputDrvs: `[inputSrcs],"system","builder",[args],[env])`; masked: output env blank.
 * `sortedEnvKeys`: `drv.env`'s keys in UTF-8 order, when the caller has them. `layout`: filled in.
 */
export function writeRest(
  out: ByteSink,
  drv: Derivation,
  storeDir: string,
  mask: boolean,
  sortedEnvKeys?: readonly string[],
  layout?: RestLayout,
): void {
  const start = out.length;
  writeStringList(out, sortedUnique(drv.inputSrcs), storeDir + "/");
  out.byte(44);
  out.quoted(drv.system);
  out.byte(44);
  out.escaped(drv.builder);
  out.ascii(",[");
  for (let i = 0; i < drv.args.length; i++) {
    if (i > 0) out.byte(44);
    out.escaped(drv.args[i]!);
  }
  out.ascii("],[");
  let env: ReadonlyMap<string, string> = drv.env;
  if (drv.structuredAttrs !== undefined) {
    if (drv.env.has(STRUCTURED_ATTRS_ENV))
      throw new NixFormatError(`'${STRUCTURED_ATTRS_ENV}' is reserved for structured attributes`);
    env = new Map([...drv.env, [STRUCTURED_ATTRS_ENV, drv.structuredAttrs]]);
    sortedEnvKeys = undefined;
  }
  const keys = sortedEnvKeys ?? sortUtf8([...env.keys()]);
  const envStart = out.length;
  const entries = layout?.entries;
  if (entries !== undefined) entries.length = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0) out.byte(44);
    entries?.push(out.length);
    writeEnvEntry(out, k, mask && drv.outputs.has(k) ? "" : env.get(k)!);
    entries?.push(out.length);
  }
  out.ascii("])");
  if (layout !== undefined) {
    layout.start = start;
    layout.envStart = envStart;
    layout.keys = keys;
  }
}

function writeEnvEntry(out: ByteSink, k: string, v: string): void {
  out.byte(40);
  out.escaped(k);
  out.byte(44);
  out.escaped(v);
  out.byte(41);
}

/**
 * `writeRest` of `drv` in the other masking, copying from `from` (laid out by `layout`) all that
 * masking does not change; the env vars named after outputs are written anew. `layout` must be of
 * this derivation with the same env keys and no structured attributes.
 */
export function copyRest(
  out: ByteSink,
  drv: Derivation,
  mask: boolean,
  from: ByteSink,
  layout: RestLayout,
): void {
  out.copy(from, layout.start, layout.envStart);
  const { keys, entries } = layout;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0) out.byte(44);
    if (drv.outputs.has(k)) writeEnvEntry(out, k, mask ? "" : drv.env.get(k)!);
    else out.copy(from, entries[2 * i]!, entries[2 * i + 1]!);
  }
  out.ascii("])");
}

export interface WriteOptions {
  storeDir: string;
  maskOutputs: boolean;
  /** Input derivations to print instead of `drv.inputDrvs`, keys as they are (hash-modulo form). */
  inputDrvsOverride: ReadonlyMap<string, InputDrvNode> | undefined;
}

/** The whole ATerm, appended to `out`. */
export function writeDerivation(out: ByteSink, drv: Derivation, o: WriteOptions): void {
  const inputDrvs = o.inputDrvsOverride ?? drv.inputDrvs;
  writeHeader(out, inputDrvs);
  writeOutputs(out, drv, o.storeDir, o.maskOutputs);
  out.ascii("],[");
  writeInputDrvs(out, inputDrvs, o.inputDrvsOverride ? "" : o.storeDir + "/");
  out.ascii("],");
  writeRest(out, drv, o.storeDir, o.maskOutputs);
}
