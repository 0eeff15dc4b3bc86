import { writeDerivation } from "./aterm-writer.js";
import { ByteSink } from "./byte-sink.js";
import { parseMethodAlgo } from "./content-address.js";
import type { Derivation, DerivationOutput, InputDrvNode } from "./derivation.js";
import { STRUCTURED_ATTRS_ENV } from "./derivation.js";
import { utf8Decode } from "./encoding.js";
import { NixFormatError } from "./errors.js";
import { parseHashUnprefixed } from "./hash.js";
import { DEFAULT_STORE_DIR, parseStorePath } from "./store-path.js";

// ---------------------------------------------------------------------------------------------
// Printing

/** Escape sequence for the characters Nix escapes, by char code (undefined: copied verbatim). */
const ESCAPES: (string | undefined)[] = [];
ESCAPES[34] = '\\"';
ESCAPES[92] = "\\\\";
ESCAPES[10] = "\\n";
ESCAPES[13] = "\\r";
ESCAPES[9] = "\\t";

/** An ATerm string literal with Nix's escapes (`"` `\` newline CR tab; everything else verbatim). */
export function atermString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 92) continue;
    const e = ESCAPES[c];
    if (e === undefined) continue;
    out += s.slice(start, i) + e;
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

export interface UnparseOptions {
  storeDir?: string;
  /**
   * Hash-modulo form: print every output as `("name","","","")` and blank env vars named after outputs.
   */
  maskOutputs?: boolean;
  /**
   * Replace `inputDrvs` by these already-printed keys (hash-modulo form: base16 hashes instead of paths).
   */
  inputDrvsOverride?: ReadonlyMap<string, InputDrvNode>;
}

let scratch = new ByteSink(16384);

/**
 * A derivation's ATerm as UTF-8 bytes, in a buffer that the next call reuses (copy or hash it at
 * once). Byte for byte as Nix writes `.drv` files.
 */
export function printDerivationBytes(drv: Derivation, options: UnparseOptions = {}): Uint8Array {
  if (scratch.bytes.length > 1 << 22) scratch = new ByteSink(16384); // do not keep a huge one
  scratch.reset();
  writeDerivation(scratch, drv, {
    storeDir: options.storeDir ?? DEFAULT_STORE_DIR,
    maskOutputs: options.maskOutputs === true,
    inputDrvsOverride: options.inputDrvsOverride,
  });
  return scratch.view();
}

/** Print a derivation in Nix's ATerm format, byte for byte as Nix writes `.drv` files. */
export function printDerivation(drv: Derivation, options: UnparseOptions = {}): string {
  return utf8Decode(printDerivationBytes(drv, options));
}

// ---------------------------------------------------------------------------------------------
// Parsing

class ATermReader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly drvName: string,
  ) {}

  fail(message: string): never {
    throw new NixFormatError(`error parsing derivation '${this.drvName}' at offset ${this.pos}: ${message}`);
  }

  expect(s: string): void {
    if (!this.text.startsWith(s, this.pos)) this.fail(`expected string '${s}'`);
    this.pos += s.length;
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  /** Position of the next backslash at or after `pos` (cached: -1 when there is none left). */
  private nextBackslash = -2;

  private backslashFrom(pos: number): number {
    if (this.nextBackslash !== -1 && this.nextBackslash < pos)
      this.nextBackslash = this.text.indexOf("\\", pos);
    return this.nextBackslash;
  }

  /** A string literal; `\n` `\r` `\t` are control characters, `\x` is `x` for any other x. */
  string(): string {
    this.expect('"');
    const t = this.text;
    let start = this.pos;
    let res = "";
    for (;;) {
      const quote = t.indexOf('"', start);
      if (quote < 0) this.fail("unterminated string in derivation");
      const bs = this.backslashFrom(start);
      if (bs < 0 || bs > quote) {
        this.pos = quote + 1;
        return res + t.slice(start, quote);
      }
      if (bs + 1 >= t.length) this.fail("unterminated string in derivation");
      const e = t[bs + 1]!;
      res += t.slice(start, bs) + (e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e);
      start = bs + 2;
    }
  }

  path(): string {
    const s = this.string();
    if (s.length === 0 || s[0] !== "/") this.fail(`bad path '${s}' in derivation`);
    return s;
  }

  /** After an opening `[`: true at `]` (consumed), consumes a separating `,`. */
  endOfList(): boolean {
    const c = this.peek();
    if (c === ",") {
      this.pos++;
      return false;
    }
    if (c === "]") {
      this.pos++;
      return true;
    }
    return false;
  }

  strings(arePaths: boolean): string[] {
    this.expect("[");
    const res: string[] = [];
    while (!this.endOfList()) res.push(arePaths ? this.path() : this.string());
    return res;
  }
}

function wrap<T>(r: ATermReader, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NixFormatError && !e.message.startsWith("error parsing derivation")) r.fail(e.message);
    throw e;
  }
}

function parseOutput(
  r: ATermReader,
  pathS: string,
  hashAlgoS: string,
  hashS: string,
  storeDir: string,
): DerivationOutput {
  if (hashAlgoS !== "") {
    const { method, algo } = wrap(r, () => parseMethodAlgo(hashAlgoS));
    if (hashS === "impure") {
      if (pathS !== "") r.fail("impure derivation output should not specify output path");
      return { kind: "impure", method, hashAlgo: algo };
    }
    if (hashS !== "") {
      if (pathS.length === 0 || pathS[0] !== "/") r.fail(`bad path '${pathS}' in derivation`);
      return { kind: "caFixed", ca: { method, hash: wrap(r, () => parseHashUnprefixed(hashS, algo)) } };
    }
    if (pathS !== "") r.fail("content-addressing derivation output should not specify output path");
    return { kind: "caFloating", method, hashAlgo: algo };
  }
  if (pathS === "") return { kind: "deferred" };
  if (pathS[0] !== "/") r.fail(`bad path '${pathS}' in derivation`);
  return { kind: "inputAddressed", path: wrap(r, () => parseStorePath(pathS, storeDir)).baseName };
}

function parseInputNode(r: ATermReader, dynamic: boolean): InputDrvNode {
  if (!dynamic || r.peek() === "[") return { outputs: new Set(r.strings(false)), dynamicOutputs: new Map() };
  if (r.peek() !== "(") r.fail("invalid inputDrvs entry in derivation");
  r.expect("(");
  const outputs = new Set(r.strings(false));
  r.expect(",[");
  const dynamicOutputs = new Map<string, InputDrvNode>();
  while (!r.endOfList()) {
    r.expect("(");
    const name = r.string();
    r.expect(",");
    dynamicOutputs.set(name, parseInputNode(r, dynamic));
    r.expect(")");
  }
  r.expect(")");
  return { outputs, dynamicOutputs };
}

/**
 * Parse a `.drv` file's contents. `name` is the derivation name (the drv path's name without `.drv`),
 * which the ATerm does not contain. Accepts `Derive(` and `DrvWithVersion("xp-dyn-drv",`.
 */
export function parseDerivation(
  text: string,
  name: string,
  storeDir: string = DEFAULT_STORE_DIR,
): Derivation {
  const r = new ATermReader(text, name);
  let dynamic = false;
  if (text.startsWith("Derive(")) {
    r.pos = 7;
  } else if (text.startsWith("DrvWithVersion(")) {
    r.pos = 15;
    const version = r.string();
    if (version !== "xp-dyn-drv") r.fail(`Unknown derivation ATerm format version '${version}'`);
    dynamic = true;
    r.expect(",");
  } else {
    r.fail("derivation does not start with 'Derive' or 'DrvWithVersion'");
  }

  const outputs = new Map<string, DerivationOutput>();
  r.expect("[");
  while (!r.endOfList()) {
    r.expect("(");
    const id = r.string();
    r.expect(",");
    const pathS = r.string();
    r.expect(",");
    const algoS = r.string();
    r.expect(",");
    const hashS = r.string();
    r.expect(")");
    if (!outputs.has(id)) outputs.set(id, parseOutput(r, pathS, algoS, hashS, storeDir));
  }

  const inputDrvs = new Map<string, InputDrvNode>();
  r.expect(",[");
  while (!r.endOfList()) {
    r.expect("(");
    const p = r.path();
    const sp = wrap(r, () => parseStorePath(p, storeDir));
    r.expect(",");
    inputDrvs.set(sp.baseName, parseInputNode(r, dynamic));
    r.expect(")");
  }

  r.expect(",");
  const inputSrcs = new Set(r.strings(true).map((p) => wrap(r, () => parseStorePath(p, storeDir)).baseName));
  r.expect(",");
  const system = r.string();
  r.expect(",");
  const builder = r.string();
  r.expect(",");
  const args = r.strings(false);
  r.expect(",[");
  const env = new Map<string, string>();
  let structuredAttrs: string | undefined;
  while (!r.endOfList()) {
    r.expect("(");
    const k = r.string();
    r.expect(",");
    const v = r.string();
    r.expect(")");
    if (k === STRUCTURED_ATTRS_ENV) structuredAttrs = v;
    else env.set(k, v);
  }
  r.expect(")");
  if (r.pos !== text.length) r.fail("trailing data after derivation");
  const drv: Derivation = { name, outputs, inputDrvs, inputSrcs, system, builder, args, env };
  if (structuredAttrs !== undefined) drv.structuredAttrs = structuredAttrs;
  return drv;
}
