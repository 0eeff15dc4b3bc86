// Builtins: hashString, convertHash (md5/sha1/sha256/sha512 through @tsnix/nix-compat's hash API).
// hashFile lives with the store-path builtins (it reads files).
import {
  NixFormatError,
  parseHash,
  parseHashAllowEmpty,
  parseHashAlgo,
  parseHashFormat,
  printHash,
  hashString as hashUtf8,
  type Hash,
  type HashAlgo,
  type HashFormat,
} from "@tsnix/nix-compat";
import type { Span } from "@tsnix/parser";
import { forceAttrs, forceString, forceStringNoCtx } from "../check.js";
import { NixError, evalError, typeError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { NixAttrs } from "../values.js";
import { registerPrimops } from "./registry.js";

/**
 * An expected hash given by the user (fixed-output `outputHash`, `sha256` of `builtins.path` and
 * the fetchers): Nix's Hash::parseAnyPrefixed-or-empty; an empty hash gives Nix's warning and the
 * all-zero hash, a bad one an evaluation error at `span`.
 */
export function parseExpectedHash(
  rt: Runtime,
  s: string,
  algo: HashAlgo | undefined,
  span: Span | null = null,
): Hash {
  let r: ReturnType<typeof parseHashAllowEmpty>;
  try {
    r = parseHashAllowEmpty(s, algo);
  } catch (e) {
    throw evalError((e as Error).message, span);
  }
  if (r.warning !== undefined) rt.warn(r.warning);
  return r.hash;
}

/**
 * Nix's UsageError (e.g. an unknown hash algorithm): the message, then the CLI's
 * "Try '<program> --help' for more information." line, unindented, after the whole error.
 */
export class NixUsageError extends NixError {
  override format(opts: { showTrace?: boolean; programName?: string } = {}): string {
    return `${super.format(opts)}\nTry '${opts.programName ?? "nix-instantiate"} --help' for more information.`;
  }
}

/** Run a nix-compat parser; its format errors become Nix usage/eval errors. */
function compat<T>(f: () => T, usage: boolean): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NixFormatError) throw usage ? new NixUsageError(e.message) : new NixError(e.message);
    throw e;
  }
}

export function parseAlgo(name: string): HashAlgo {
  return compat(() => parseHashAlgo(name), true);
}

function parseFormat(rt: Runtime, name: string): HashFormat {
  const r = compat(() => parseHashFormat(name), true);
  if (r.deprecatedAlias) rt.warn(`"${name}" is a deprecated alias for hash format "nix32".`);
  return r.format;
}

/** Nix's getAttr helper in primops.cc: "attribute 'x' missing" with the locating context. */
function requireAttr(attrs: NixAttrs, name: string, span: Span | null) {
  const v = attrs.get(name);
  if (v === undefined)
    throw typeError(`attribute '${name}' missing`).addTrace(null, `while locating the attribute '${name}'`);
  void span;
  return v;
}

registerPrimops([
  {
    name: "hashString",
    arity: 2,
    args: ["type", "s"],
    doc: "Return a base-16 representation of the cryptographic hash of string s (md5, sha1, sha256 or sha512).",
    impl: (rt, [type, s], span) => {
      const algo = parseAlgo(
        forceStringNoCtx(type!, span, "while evaluating the first argument passed to builtins.hashString"),
      );
      // The string's context is discarded, as in Nix.
      const text = forceString(
        s!,
        span,
        "while evaluating the second argument passed to builtins.hashString",
      );
      return printHash(hashUtf8(algo, text), "base16");
    },
  },
  {
    name: "convertHash",
    arity: 1,
    args: ["args"],
    doc: "Convert a hash (attrs hash, optional hashAlgo, toHashFormat) to base16, nix32, base64 or sri.",
    impl: (rt, [a], span) => {
      const attrs = forceAttrs(
        a!,
        span,
        "while evaluating the first argument passed to builtins.convertHash",
      );
      const hash = forceStringNoCtx(
        requireAttr(attrs, "hash", span),
        span,
        "while evaluating the attribute 'hash'",
      );
      const algoV = attrs.get("hashAlgo");
      const algo =
        algoV === undefined
          ? undefined
          : parseAlgo(forceStringNoCtx(algoV, span, "while evaluating the attribute 'hashAlgo'"));
      const format = parseFormat(
        rt,
        forceStringNoCtx(
          requireAttr(attrs, "toHashFormat", span),
          span,
          "while evaluating the attribute 'toHashFormat'",
        ),
      );
      const parsed = compat(() => parseHash(hash, algo), false);
      return printHash(parsed, format, format === "sri");
    },
  },
]);
