// builtins.parseFlakeRef and builtins.flakeRefToString, with Nix's flake-reference syntax
// (libflake/flakeref.cc): a flake id ("nixpkgs", "nixpkgs/branch/<rev>"), else a URL (parsed
// leniently), else an absolute path ("/foo?dir=x"). `dir` is the flake's subdirectory, kept out
// of the input's attrs. As in Nix, a URL that fails with BadURL (also from its input scheme) is
// retried as a path, so most malformed URLs end in "... is not an absolute path".
import { forceAttrs, forceStringNoCtx } from "../check.js";
import { NixError, evalError } from "../errors.js";
import { force } from "../runtime.js";
import { NixString, isInt, mkAttrs, mkInt, showType, type Lazy, type Value } from "../values.js";
import {
  inputContextOf,
  inputErrorsAsNix,
  inputFromAttrs,
  inputFromURL,
  inputToURLString,
  maybeGetStrAttr,
  type AttrValue,
  type Attrs,
  type Input,
  type InputContext,
} from "./flakeref-inputs.js";
import { registerPrimops } from "./registry.js";
import { BadURL, UrlError, decodeQuery, parseURL, percentDecode, type ParsedURL } from "./url.js";

export interface FlakeRef {
  readonly input: Input;
  /** The `dir` parameter: the flake's directory inside the input ("" for its root). */
  readonly subdir: string;
}

// url-parts.hh
const FLAKE_ID_S = "[a-zA-Z][a-zA-Z0-9_-]*";
const REF_S = "[a-zA-Z0-9@][a-zA-Z0-9_.\\/@+-]*";
const REV_S = "[0-9a-fA-F]{40}";
const REF_AND_OR_REV_S = `(?:(${REV_S})|(?:(${REF_S})(?:/(${REV_S}))?))`;
const PCHAR_S = "(?:[a-zA-Z0-9\\-._~]|%[0-9a-fA-F][0-9a-fA-F]|[!$&'\"()*+,;=]|[:@])";
const FRAGMENT_S = `(?:${PCHAR_S}|[/? "^])*`;
const FLAKE_ID_REF = new RegExp(`^((${FLAKE_ID_S})(?:/(?:${REF_AND_OR_REV_S}))?)(?:#(${FRAGMENT_S}))?$`);
const PATH_FLAKE_REF = /^([^?#]*)(\?([^#]*))?(#(.*))?$/;

function fromParsedURL(url: ParsedURL, ctx: InputContext): [FlakeRef, string] {
  const dir = url.query.get("dir") ?? "";
  url.query.delete("dir");
  const fragment = url.fragment;
  url.fragment = "";
  return [{ input: inputFromURL(url, true, ctx), subdir: dir }, fragment];
}

/** `flake:<id>` written without the scheme: "nixpkgs", "nixpkgs/ref", "nixpkgs/ref/rev". */
function parseFlakeIdRef(s: string, ctx: InputContext): [FlakeRef, string] | null {
  const m = FLAKE_ID_REF.exec(s);
  if (!m) return null;
  const url: ParsedURL = { scheme: "flake", path: m[1]!.split("/"), query: new Map(), fragment: "" };
  return [{ input: inputFromURL(url, true, ctx), subdir: "" }, percentDecode(m[6] ?? "")];
}

function parseURLFlakeRef(s: string, ctx: InputContext): [FlakeRef, string] | null {
  try {
    return fromParsedURL(parseURL(s, true), ctx);
  } catch (e) {
    if (e instanceof BadURL) return null;
    throw e;
  }
}

/** Without a base directory (as in pure builtins) only absolute paths are flake references. */
function parsePathFlakeRef(s: string, ctx: InputContext): [FlakeRef, string] {
  const m = PATH_FLAKE_REF.exec(s);
  if (!m) throw new UrlError(`invalid flakeref '${s}'`);
  const path = m[1]!;
  const query = decodeQuery(m[3] ?? "", true, (msg) => ctx.warn(msg));
  const fragment = percentDecode(m[5] ?? "");
  if (!path.startsWith("/")) throw new BadURL(`flake reference '${s}' is not an absolute path`);
  const url: ParsedURL = {
    scheme: "path",
    authority: { hostType: "name", host: "" },
    path: path.split("/"),
    query,
    fragment,
  };
  return fromParsedURL(url, ctx);
}

export function parseFlakeRefWithFragment(s: string, ctx: InputContext): [FlakeRef, string] {
  return parseFlakeIdRef(s, ctx) ?? parseURLFlakeRef(s, ctx) ?? parsePathFlakeRef(s, ctx);
}

export function parseFlakeRef(s: string, ctx: InputContext): FlakeRef {
  const [ref, fragment] = parseFlakeRefWithFragment(s, ctx);
  if (fragment !== "") throw new UrlError(`unexpected fragment '${fragment}' in flake reference '${s}'`);
  return ref;
}

export function flakeRefToAttrs(ref: FlakeRef): Attrs {
  const attrs: Attrs = new Map(ref.input.attrs);
  if (ref.subdir !== "" && !attrs.has("dir")) attrs.set("dir", ref.subdir);
  return attrs;
}

export function flakeRefFromAttrs(attrs: Attrs, ctx: InputContext): FlakeRef {
  const rest: Attrs = new Map(attrs);
  rest.delete("dir");
  return { input: inputFromAttrs(rest, ctx), subdir: maybeGetStrAttr(attrs, "dir") ?? "" };
}

export function flakeRefToString(ref: FlakeRef): string {
  return inputToURLString(ref.input, ref.subdir === "" ? new Map() : new Map([["dir", ref.subdir]]));
}

// ---------------------------------------------------------------- primops

function attrValueToNix(v: AttrValue): Value {
  // A uint64 above int64's range wraps, as Nix's mkInt(uint64_t) does.
  return typeof v === "bigint" ? mkInt(BigInt.asIntN(64, v)) : v;
}

function nixToAttrValue(name: string, v: Value): AttrValue {
  if (isInt(v)) {
    // Nix sets this error's position to the call's, which its printer then leaves out as the
    // "while calling" frame already shows it; so no position here.
    if (v < 0) throw evalError(`negative value given for flake ref attr ${name}: ${v}`);
    return BigInt(v);
  }
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v;
  if (v instanceof NixString) return v.value;
  throw new NixError(
    `flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '${name}' is ${showType(v)}`,
  );
}

registerPrimops([
  {
    name: "parseFlakeRef",
    arity: 1,
    args: ["flake-ref"],
    doc: "Parse a flake reference, and return its exploded form.",
    impl: (rt, [a], span) => {
      const s = forceStringNoCtx(a!, span, "while evaluating the argument passed to builtins.parseFlakeRef");
      const attrs = inputErrorsAsNix(() => flakeRefToAttrs(parseFlakeRef(s, inputContextOf(rt))));
      return mkAttrs([...attrs].map(([k, v]): [string, Lazy] => [k, attrValueToNix(v)]));
    },
  },
  {
    name: "flakeRefToString",
    arity: 1,
    args: ["attrs"],
    doc: "Convert a flake reference from attribute set format to URL format.",
    impl: (rt, [a], span) => {
      const set = forceAttrs(a!, null, "while evaluating the argument passed to builtins.flakeRefToString");
      const attrs: Attrs = new Map();
      for (const [name, value] of set.entries())
        attrs.set(name, nixToAttrValue(name, force(value, set.posOf(name) ?? span)));
      return inputErrorsAsNix(() => flakeRefToString(flakeRefFromAttrs(attrs, inputContextOf(rt))));
    },
  },
]);
