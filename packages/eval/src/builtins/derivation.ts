// Derivations: derivationStrict (Nix's prim_derivationStrict / derivationStrictInternal in
// primops.cc), the `derivation` wrapper (Nix's derivation.nix, evaluated as Nix code), and
// builtins.placeholder. Paths, ATerm and hashes come from @tsnix/nix-compat; every derivation made
// here is kept in the evaluator's known-derivations map (store-paths.ts storeState).
import { experimentalFeatures, parse, showPos, type Span } from "@tsnix/parser";
import {
  DownstreamPlaceholder,
  emptyDerivation,
  fixedOutputPath,
  hashPlaceholder,
  inputDrvNode,
  isHashAlgo,
  sortUtf8,
  utf8Decode,
  type ContentAddressMethod,
  type Derivation,
  type HashAlgo,
} from "@tsnix/nix-compat";
import { forceAttrs, forceBool, forceList, forceString, forceStringNoCtx } from "../check.js";
import { Compiler, Scope } from "../compile.js";
import { NixError, evalError, toNixError } from "../errors.js";
import { coerceToString } from "../ops.js";
import { force, type Runtime } from "../runtime.js";
import { Env, NixAttrs, NixString, Thunk, compareNames, mkString, type Lazy, type Value } from "../values.js";
import { decodeContextElem } from "./context.js";
import { parseExpectedHash } from "./hashing.js";
import { registerConstants, registerPrimops } from "./registry.js";
import { readDerivation, referencesOf, storeState, writableStore } from "./store-paths.js";
import { structuredAttrsJSON } from "./structured-json.js";

const COERCE_MORE = { coerceMore: true, copyToStore: true } as const;

/** Attributes that structured attrs make ineffective (Nix warns about each). */
const LEGACY_OUTPUT_CHECKS = new Set([
  "allowedReferences",
  "allowedRequisites",
  "disallowedReferences",
  "disallowedRequisites",
  "maxSize",
  "maxClosureSize",
]);

function experimental(rt: Runtime, feature: string): void {
  if (!experimentalFeatures(rt.settings).has(feature))
    throw evalError(
      `experimental Nix feature '${feature}' is disabled; add '--extra-experimental-features ${feature}' to enable it`,
    );
}

function parseIngestionMethod(rt: Runtime, s: string): ContentAddressMethod {
  let m: ContentAddressMethod;
  if (s === "recursive" || s === "nar") m = "nar";
  else if (s === "flat") m = "flat";
  else if (s === "text") m = "text";
  else if (s === "git") m = "git";
  else throw evalError(`invalid value '${s}' for 'outputHashMode' attribute`);
  if (m === "text") experimental(rt, "dynamic-derivations");
  if (m === "git") experimental(rt, "git-hashing");
  return m;
}

function checkOutputs(list: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const o of list) {
    if (seen.has(o)) throw evalError(`duplicate derivation output '${o}'`);
    if (o === "drvPath") throw evalError("invalid derivation output name 'drvPath'");
    seen.add(o);
  }
  if (seen.size === 0) throw evalError("derivation cannot have an empty set of outputs");
  return sortUtf8([...seen]);
}

function checkDerivationName(name: string): void {
  // Nix's checkName, with its messages (nix-compat has the same rules).
  const fail = (why: string) =>
    evalError(`invalid derivation name: name '${name}' ${why}. Please pass a different 'name'.`);
  if (name.length === 0)
    throw evalError("invalid derivation name: name must not be empty. Please pass a different 'name'.");
  if (name.length > 211) throw fail("must be no longer than 211 characters");
  if (name === "." || name === "..") throw fail("is not valid");
  if (name.startsWith(".-")) throw fail("is not valid: first dash-separated component must not be '.'");
  if (name.startsWith("..-")) throw fail("is not valid: first dash-separated component must not be '..'");
  const bad = ILLEGAL_NAME_CHAR.exec(name);
  if (bad !== null) throw fail(`contains illegal character '${bad[0]}'`);
}

/** The first character a derivation name may not contain (a whole code point, as Nix reports it). */
const ILLEGAL_NAME_CHAR = /[^A-Za-z0-9+\-._?=]/u;

function warnWithFrame(rt: Runtime, drvName: string, message: string, span: Span | null): void {
  let text = `warning:\n         … while evaluating derivation '${drvName}'\n\n         warning: ${message}`;
  if (span !== null) {
    const lines = formatFrame(span);
    text += "\n" + lines;
  }
  if (rt.abortOnWarn) throw new NixError(message, span, "eval");
  rt.onWarning(text);
}

function formatFrame(span: Span): string {
  const ind = "         ";
  const src = span.source.text.split(/\r\n|\r|\n/);
  const out = [`${ind}at ${showPos(span)}:`];
  const at = (n: number) => `${ind} ${String(n).padStart(5)}| `;
  if (span.line > 1 && src[span.line - 2] !== undefined)
    out.push((at(span.line - 1) + src[span.line - 2]).trimEnd());
  out.push((at(span.line) + (src[span.line - 1] ?? "")).trimEnd());
  out.push(`${ind}      |${" ".repeat(span.column)}^`);
  if (src[span.line] !== undefined) out.push((at(span.line + 1) + src[span.line]).trimEnd());
  return out.join("\n");
}

interface Collected {
  drv: Derivation;
  context: Set<string>;
  outputs: string[];
  outputHash?: string;
  outputHashAlgo?: HashAlgo;
  ingestionMethod?: ContentAddressMethod;
  contentAddressed: boolean;
  impure: boolean;
}

/** The attribute loop of derivationStrictInternal. */
function collect(rt: Runtime, drvName: string, attrs: NixAttrs): Collected {
  const pos = null;
  const sa = attrs.get("__structuredAttrs");
  const structured =
    sa !== undefined &&
    forceBool(
      sa,
      pos,
      "while evaluating the `__structuredAttrs` attribute passed to builtins.derivationStrict",
    );
  const inl = attrs.get("__ignoreNulls");
  const ignoreNulls =
    inl !== undefined &&
    forceBool(inl, pos, "while evaluating the `__ignoreNulls` attribute passed to builtins.derivationStrict");

  const drv = emptyDerivation(drvName);
  const context = new Set<string>();
  const json = structured ? new Map<string, string>() : null;
  const c: Collected = { drv, context, outputs: ["out"], contentAddressed: false, impure: false };
  const addCtx = (ctx: ReadonlySet<string> | null) => {
    if (ctx !== null) for (const e of ctx) context.add(e);
  };
  const coerce = (x: Lazy, errCtx: string): string => {
    const r = coerceToString(rt, x, pos, COERCE_MORE, errCtx);
    addCtx(r.ctx);
    return r.s;
  };

  for (const key of attrs.keys()) {
    if (key === "__ignoreNulls") continue;
    const value = attrs.get(key)!;
    try {
      if (ignoreNulls && force(value, pos) === null) continue;
      if (key === "__contentAddressed") {
        if (forceBool(value, pos, "")) {
          c.contentAddressed = true;
          experimental(rt, "ca-derivations");
        }
      } else if (key === "__impure") {
        if (forceBool(value, pos, "")) {
          c.impure = true;
          experimental(rt, "impure-derivations");
        }
      } else if (key === "args") {
        const list = forceList(value, pos, "");
        for (const el of list) drv.args.push(coerce(el, "while evaluating an element of the argument list"));
      } else if (json !== null) {
        if (key === "__structuredAttrs") continue;
        json.set(key, structuredAttrsJSON(rt, value, context));
        if (key === "builder") {
          const v = force(value, pos);
          drv.builder = forceString(v, pos, "");
          if (v instanceof NixString) addCtx(v.context);
        } else if (key === "system") drv.system = forceStringNoCtx(value, pos, "");
        else if (key === "outputHash") c.outputHash = forceStringNoCtx(value, pos, "");
        else if (key === "outputHashAlgo") {
          const s = forceStringNoCtx(value, pos, "");
          c.outputHashAlgo = isHashAlgo(s) ? s : undefined;
        } else if (key === "outputHashMode")
          c.ingestionMethod = parseIngestionMethod(rt, forceStringNoCtx(value, pos, ""));
        else if (key === "outputs") {
          const list = forceList(value, pos, "");
          c.outputs = checkOutputs(list.map((el) => forceStringNoCtx(el, pos, "")));
        }
        if (LEGACY_OUTPUT_CHECKS.has(key))
          warnWithFrame(
            rt,
            drvName,
            `'structuredAttrs' disables the effect of the derivation attribute '${key}'; use 'outputChecks.<output>.${key}' instead`,
            attrs.posOf(key),
          );
      } else {
        const s = coerce(value, "");
        if (key === "__json") {
          rt.warn(
            `In derivation '${drvName}': setting structured attributes via '__json' is deprecated, and may be disallowed in future versions of Nix. Set '__structuredAttrs = true' instead.`,
          );
          try {
            JSON.parse(s);
          } catch {
            throw evalError(`invalid JSON in '__json' of derivation '${drvName}'`);
          }
          drv.structuredAttrs = s;
        } else {
          drv.env.set(key, s);
          if (key === "builder") drv.builder = s;
          else if (key === "system") drv.system = s;
          else if (key === "outputHash") c.outputHash = s;
          else if (key === "outputHashAlgo") c.outputHashAlgo = isHashAlgo(s) ? s : undefined;
          else if (key === "outputHashMode") c.ingestionMethod = parseIngestionMethod(rt, s);
          else if (key === "outputs") c.outputs = checkOutputs(s.split(/[ \t\n\r]+/).filter((w) => w !== ""));
        }
      }
    } catch (e) {
      const ne = toNixError(e);
      ne.addTrace(attrs.posOf(key), `while evaluating attribute '${key}' of derivation '${drvName}'`);
      throw ne;
    }
  }
  if (json !== null) {
    const keys = [...json.keys()].sort(compareBytes);
    drv.structuredAttrs = "{" + keys.map((k) => `${jsonKey(k)}:${json.get(k)!}`).join(",") + "}";
  }
  return c;
}

function compareBytes(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}

function jsonKey(k: string): string {
  return structuredAttrsJSON.quote(k);
}

/** Context → inputDrvs / inputSrcs, as Nix (`=drv` adds the drv's whole closure). */
function addInputs(rt: Runtime, drv: Derivation, context: ReadonlySet<string>): void {
  const base = (p: string) => p.slice(rt.storeDir.length + 1);
  for (const c of context) {
    const e = decodeContextElem(c);
    if (e.kind === "opaque") drv.inputSrcs.add(base(e.path));
    else if (e.kind === "built") {
      const b = base(e.drv);
      const node = drv.inputDrvs.get(b);
      if (node === undefined) drv.inputDrvs.set(b, inputDrvNode([e.output]));
      else node.outputs.add(e.output);
    } else {
      const closure = new Set<string>();
      const todo = [e.drv];
      while (todo.length > 0) {
        const p = todo.pop()!;
        if (closure.has(p)) continue;
        closure.add(p);
        for (const r of referencesOf(rt, p)) todo.push(r);
      }
      for (const p of closure) {
        drv.inputSrcs.add(base(p));
        if (p.endsWith(".drv")) {
          const outs = [...readDerivation(rt, p).outputs.keys()];
          drv.inputDrvs.set(base(p), inputDrvNode(outs));
        }
      }
    }
  }
}

function derivationStrictInternal(rt: Runtime, drvName: string, attrs: NixAttrs): Value {
  checkDerivationName(drvName);
  const c = collect(rt, drvName, attrs);
  const drv = c.drv;
  addInputs(rt, drv, c.context);

  if (drv.builder === "") throw evalError("required attribute 'builder' missing");
  if (drv.system === "") throw evalError("required attribute 'system' missing");
  if (
    drvName.endsWith(".drv") &&
    !(c.ingestionMethod === "text" && c.outputs.length === 1 && c.outputs[0] === "out")
  )
    throw evalError(
      "derivation names are allowed to end in '.drv' only if they produce a single derivation file",
    );

  const st = storeState(rt);
  if (c.outputHash !== undefined) {
    if (c.outputs.length !== 1 || c.outputs[0] !== "out")
      throw evalError("multiple outputs are not supported in fixed-output derivations");
    const ca = {
      method: c.ingestionMethod ?? "flat",
      hash: parseExpectedHash(rt, c.outputHash, c.outputHashAlgo),
    };
    drv.env.set("out", `${rt.storeDir}/${fixedOutputPath(ca, drvName, "out", rt.storeDir).baseName}`);
    drv.outputs.set("out", { kind: "caFixed", ca });
  } else if (c.contentAddressed || c.impure) {
    if (c.contentAddressed && c.impure)
      throw evalError("derivation cannot be both content-addressed and impure");
    const hashAlgo = c.outputHashAlgo ?? "sha256";
    const method = c.ingestionMethod ?? "nar";
    for (const o of c.outputs) {
      drv.env.set(o, hashPlaceholder(o));
      drv.outputs.set(o, { kind: c.impure ? "impure" : "caFloating", method, hashAlgo });
    }
  } else {
    for (const o of c.outputs) {
      drv.env.set(o, "");
      drv.outputs.set(o, { kind: "deferred" });
    }
  }

  let drvPathBase: string;
  try {
    drvPathBase = st.hasher.register(drv).baseName;
  } catch (e) {
    throw evalError((e as Error).message);
  }
  const drvPath = `${rt.storeDir}/${drvPathBase}`;
  const aterm = utf8Decode(st.hasher.lastRegisteredText());
  st.known.set(drvPath, aterm);

  const store = writableStore(rt);
  if (store?.writeDerivation !== undefined) {
    const outputs: Record<string, string> = {};
    for (const [o, out] of drv.outputs) {
      if (out.kind === "inputAddressed") outputs[o] = `${rt.storeDir}/${out.path}`;
      else if (out.kind === "caFixed") outputs[o] = drv.env.get(o)!;
    }
    store.writeDerivation({
      path: drvPath,
      name: drvName,
      aterm,
      references: [...drv.inputSrcs, ...drv.inputDrvs.keys()].map((b) => `${rt.storeDir}/${b}`).sort(),
      outputs,
    });
  }

  // The result set built sorted, without NixAttrs.fromMap's Map and sort (one set per derivation).
  const names: string[] = ["drvPath"];
  const values: Lazy[] = [mkString(drvPath, new Set(["=" + drvPath]))];
  for (const [o, out] of drv.outputs) {
    const path =
      out.kind === "inputAddressed"
        ? `${rt.storeDir}/${out.path}`
        : out.kind === "caFixed"
          ? drv.env.get(o)!
          : DownstreamPlaceholder.unknownCaOutput(drvPathBase, o).render();
    const v = mkString(path, new Set([`!${o}!${drvPath}`]));
    let i = names.length;
    for (; i > 0 && compareNames(names[i - 1]!, o) > 0; i--) {
      names[i] = names[i - 1]!;
      values[i] = values[i - 1]!;
    }
    names[i] = o;
    values[i] = v;
  }
  return new NixAttrs(names, values);
}

// ---- derivation.nix -----------------------------------------------------------------

/** Nix's derivation.nix (the version whose positions the upstream tests show). */
const DERIVATION_NIX = `# This is the implementation of the ‘derivation’ builtin function.
# It's actually a wrapper around the ‘derivationStrict’ primop.
# Note that the following comment will be shown in :doc in the repl, but not in the manual.

/**
  Create a derivation.

  # Inputs

  The single argument is an attribute set that describes what to build and how to build it.
  See https://nix.dev/manual/nix/2.23/language/derivations

  # Output

  The result is an attribute set that describes the derivation.
  Notably it contains the outputs, which in the context of the Nix language are special strings that refer to the output paths, which may not yet exist.
  The realisation of these outputs only occurs when needed; for example

    * When \`nix-build\` or a similar command is run, it realises the outputs that were requested on its command line.
      See https://nix.dev/manual/nix/2.23/command-ref/nix-build

    * When \`import\`, \`readFile\`, \`readDir\` or some other functions are called, they have to realise the outputs they depend on.
      This is referred to as "import from derivation".
      See https://nix.dev/manual/nix/2.23/language/import-from-derivation

  Note that \`derivation\` is very bare-bones, and provides almost no commands during the build.
  Most likely, you'll want to use functions like \`stdenv.mkDerivation\` in Nixpkgs to set up a basic environment.
*/
drvAttrs@{
  outputs ? [ "out" ],
  ...
}:

let

  strict = derivationStrict drvAttrs;

  commonAttrs =
    drvAttrs
    // (builtins.listToAttrs outputsList)
    // {
      all = map (x: x.value) outputsList;
      inherit drvAttrs;
    };

  outputToAttrListElement = outputName: {
    name = outputName;
    value = commonAttrs // {
      outPath = strict.\${outputName};
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  };

  outputsList = map outputToAttrListElement outputs;

in
(builtins.head outputsList).value
`;

export const DERIVATION_NIX_PATH = "«nix-internal»/derivation-internal.nix";

function derivationValue(rt: Runtime): Value {
  const expr = parse(DERIVATION_NIX, { path: DERIVATION_NIX_PATH, origin: "file", baseDir: "/" });
  const names = new Map<string, number>([
    ["derivationStrict", 0],
    ["builtins", 1],
    ["map", 2],
  ]);
  const b = rt.builtins;
  const env = new Env(null, [b.get("derivationStrict")!, b, b.get("map")!]);
  return new Compiler(rt, new Scope(null, names)).compileRoot(expr)(env);
}

registerConstants([
  {
    name: "derivation",
    global: true,
    doc: "Create a derivation (a wrapper around derivationStrict that computes drvPath/outPath lazily).",
    value: (rt) => new Thunk(() => derivationValue(rt), null),
  },
]);

registerPrimops([
  {
    name: "derivationStrict",
    arity: 1,
    args: ["args"],
    global: true,
    doc: "Instantiate a derivation from an attribute set; returns { drvPath, <output> = path; ... }.",
    impl: (rt, [x], span) => {
      const attrs = forceAttrs(x!, span, "while evaluating the argument passed to builtins.derivationStrict");
      const nameV = attrs.get("name");
      if (nameV === undefined) {
        const e = evalError("attribute 'name' missing");
        e.addTrace(null, "in the attrset passed as argument to builtins.derivationStrict");
        throw e;
      }
      const namePos = attrs.posOf("name");
      let drvName: string;
      try {
        drvName = forceStringNoCtx(
          nameV,
          span,
          "while evaluating the `name` attribute passed to builtins.derivationStrict",
        );
      } catch (e) {
        const ne = toNixError(e);
        ne.addTrace(namePos, "while evaluating the derivation attribute 'name'");
        throw ne;
      }
      try {
        return derivationStrictInternal(rt, drvName, attrs);
      } catch (e) {
        const ne = toNixError(e);
        const where = namePos === null ? "«none»" : showPos(namePos);
        // A frame trace in Nix: printed even when the trace is truncated.
        ne.addAlwaysTrace(
          null,
          `while evaluating derivation '${drvName}'\n  whose name attribute is located at ${where}`,
        );
        throw ne;
      }
    },
  },
  {
    name: "placeholder",
    arity: 1,
    args: ["output"],
    global: true,
    doc: "Return an output placeholder string, replaced by the output's path at build time.",
    impl: (rt, [x], span) =>
      hashPlaceholder(
        forceStringNoCtx(x!, span, "while evaluating the first argument passed to builtins.placeholder"),
      ),
  },
]);
