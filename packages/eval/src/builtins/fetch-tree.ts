// builtins.fetchTree (Nix's fetchTree.cc `fetchTree` and libfetchers' Input): an input from an
// attribute set or a URL, validated against its scheme, fetched, and described by the attributes
// Nix returns ({ outPath; narHash; lastModified?; lastModifiedDate?; rev?; shortRev?; revCount? }).
// Schemes: "file" and "tarball" (file://, http(s)://) and "path". The others Nix knows (git,
// github, gitlab, sourcehut, mercurial, indirect) fail with a clear error.
import type { Span } from "@tsnix/parser";
import {
  narHash as computeNarHash,
  narRegular,
  parseHash,
  parseSriHash,
  printHash,
  type Hash,
  type NarNode,
} from "@tsnix/nix-compat";
import { forceStringNoCtx } from "../check.js";
import { NixError, evalError, typeError } from "../errors.js";
import { coerceToString } from "../ops.js";
import { canonPath } from "../paths.js";
import { force, type Runtime } from "../runtime.js";
import {
  NixAttrs,
  NixPath,
  NixString,
  isInt,
  mkAttrs,
  mkInt,
  showType,
  toBig,
  type Lazy,
  type Value,
} from "../values.js";
import { isStorePath } from "./context.js";
import {
  addTreeToStore,
  download,
  fileUrlPath,
  isValidStorePath,
  storePathValue,
  unpackTarball,
} from "./fetch.js";
import { registerPrimops } from "./registry.js";
import { readTree } from "./store-paths.js";

/** Input attribute values (Nix's fetchers::Attr): strings, Booleans, unsigned integers. */
type AttrValue = string | boolean | bigint;
type InputAttrs = Map<string, AttrValue>;

interface Fetched {
  readonly storePath: string;
  readonly narHash: Hash;
  /** Attributes the fetcher adds to the input (lastModified of tarballs and paths). */
  readonly extra?: ReadonlyMap<string, AttrValue>;
}

interface InputScheme {
  /** Attributes besides `type` that an attribute-set input may have. */
  readonly allowed: ReadonlySet<string>;
  /** Nix's Input::to_string (for traces and errors). */
  toUrl(attrs: InputAttrs): string;
  fetch(rt: Runtime, attrs: InputAttrs, shown: string): Fetched;
}

// ---- attribute access (Nix's attrs.cc wording) -------------------------------------------

function attrsJson(attrs: InputAttrs): string {
  const o: Record<string, unknown> = {};
  for (const k of [...attrs.keys()].sort()) {
    const v = attrs.get(k)!;
    o[k] = typeof v === "bigint" ? Number(v) : v;
  }
  return JSON.stringify(o);
}

function maybeStr(attrs: InputAttrs, name: string): string | undefined {
  const v = attrs.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw evalError(`input attribute '${name}' is not a string ${attrsJson(attrs)}`);
  return v;
}

function getStr(attrs: InputAttrs, name: string): string {
  const v = maybeStr(attrs, name);
  if (v === undefined) throw evalError(`input attribute '${name}' is missing`);
  return v;
}

function maybeInt(attrs: InputAttrs, name: string): bigint | undefined {
  const v = attrs.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== "bigint") throw evalError(`input attribute '${name}' is not an integer`);
  return v;
}

function getNarHash(attrs: InputAttrs): Hash | undefined {
  const s = maybeStr(attrs, "narHash");
  if (s === undefined) return undefined;
  let h: Hash;
  try {
    h = s === "" ? { algo: "sha256", bytes: new Uint8Array(32) } : parseSriHash(s);
  } catch (e) {
    throw evalError((e as Error).message);
  }
  if (h.algo !== "sha256") throw evalError("narHash must use SHA-256");
  return h;
}

function getRev(attrs: InputAttrs): string | undefined {
  const s = maybeStr(attrs, "rev");
  if (s === undefined) return undefined;
  try {
    return printHash(parseHash(s, "sha1"), "base16");
  } catch (e) {
    throw evalError((e as Error).message);
  }
}

// ---- URLs ------------------------------------------------------------------------------

interface SplitUrl {
  readonly scheme: string;
  /** Everything between `scheme:` and `?`/`#`. */
  readonly body: string;
  readonly query: [string, string][];
  readonly fragment: string | null;
}

function splitUrl(url: string): SplitUrl {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(url);
  if (m === null) throw evalError(`'${url}' is not a valid URL`);
  const query: [string, string][] = [];
  for (const part of (m[3] ?? "").split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    query.push(eq < 0 ? [dec(part), ""] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))]);
  }
  return { scheme: m[1]!, body: m[2]!, query, fragment: m[4] ?? null };
}

function joinUrl(scheme: string, body: string, query: [string, string][], fragment: string | null): string {
  let s = `${scheme}:${body}`;
  if (query.length > 0)
    s += "?" + query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  if (fragment !== null) s += "#" + fragment;
  return s;
}

const TARBALL_SUFFIXES = [".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];

function hasTarballExtension(body: string): boolean {
  const last = body.slice(body.lastIndexOf("/") + 1);
  return TARBALL_SUFFIXES.some((s) => last.endsWith(s));
}

const TRANSPORTS = new Set(["file", "http", "https"]);
/** Query parameters that are input attributes, not part of the URL (CurlInputScheme). */
const CURL_QUERY_ATTRS = new Set(["narHash", "name", "unpack", "rev", "revCount", "lastModified"]);
const UNSUPPORTED_TYPES = new Set(["git", "github", "gitlab", "sourcehut", "mercurial", "hg", "indirect"]);

function unsupportedType(type: string): NixError {
  return evalError(
    `input type '${type}' is not supported by tsnix yet (fetchTree supports "file", "tarball" and "path")`,
  );
}

function toUint(s: string): bigint | undefined {
  return /^[0-9]+$/.test(s) ? BigInt(s) : undefined;
}

/** Nix's Input::fromURL for the schemes tsnix knows. */
function inputFromUrl(url: string): { type: string; attrs: InputAttrs } {
  const u = splitUrl(url);
  const plus = u.scheme.indexOf("+");
  const application = plus < 0 ? null : u.scheme.slice(0, plus);
  const transport = plus < 0 ? u.scheme : u.scheme.slice(plus + 1);
  if (
    TRANSPORTS.has(transport) &&
    (application === null || application === "file" || application === "tarball")
  ) {
    const type = application ?? (hasTarballExtension(u.body) ? "tarball" : "file");
    const attrs: InputAttrs = new Map([["type", type]]);
    const rest: [string, string][] = [];
    for (const [k, v] of u.query) {
      if (k === "narHash" || k === "rev") attrs.set(k, v);
      else if (k === "revCount" || k === "lastModified") {
        const n = toUint(v);
        if (n !== undefined) attrs.set(k, n);
      }
      if (!CURL_QUERY_ATTRS.has(k)) rest.push([k, v]);
    }
    attrs.set("url", joinUrl(transport, u.body, rest, u.fragment));
    return { type, attrs };
  }
  if (u.scheme === "path") {
    let p = u.body;
    if (p.startsWith("//")) {
      const host = p.slice(2, p.indexOf("/", 2) < 0 ? undefined : p.indexOf("/", 2));
      if (host !== "") throw evalError(`path URL '${url}' should not have an authority ('${host}')`);
      p = p.slice(2);
    }
    const attrs: InputAttrs = new Map<string, AttrValue>([
      ["type", "path"],
      ["path", decodeURIComponent(p)],
    ]);
    for (const [k, v] of u.query) {
      if (k === "rev" || k === "narHash") attrs.set(k, v);
      else if (k === "revCount" || k === "lastModified") {
        const n = toUint(v);
        if (n === undefined) throw evalError(`path URL '${url}' has invalid parameter '${k}'`);
        attrs.set(k, n);
      } else throw evalError(`path URL '${url}' has unsupported parameter '${k}'`);
    }
    return { type: "path", attrs };
  }
  const app = application ?? u.scheme;
  if (["git", "github", "gitlab", "sourcehut", "hg", "flake"].includes(app))
    throw unsupportedType(app === "hg" ? "mercurial" : app === "flake" ? "indirect" : app);
  throw evalError(`input '${url}' is unsupported`);
}

// ---- schemes ---------------------------------------------------------------------------

function curlToUrl(attrs: InputAttrs): string {
  const url = getStr(attrs, "url");
  const nar = getNarHash(attrs);
  if (nar === undefined) return url;
  return url + (url.includes("?") ? "&" : "?") + "narHash=" + encodeURIComponent(printHash(nar, "sri"));
}

const CURL_ALLOWED = new Set(["url", "narHash", "name", "unpack", "rev", "revCount", "lastModified"]);

function inputName(attrs: InputAttrs): string {
  return maybeStr(attrs, "name") ?? "source";
}

function fetchTreeToStore(rt: Runtime, attrs: InputAttrs, tree: NarNode): Fetched {
  return { storePath: addTreeToStore(rt, inputName(attrs), tree, "nar"), narHash: computeNarHash(tree).hash };
}

const SCHEMES: ReadonlyMap<string, InputScheme> = new Map<string, InputScheme>([
  [
    "file",
    {
      allowed: CURL_ALLOWED,
      toUrl: curlToUrl,
      fetch: (rt, attrs) => fetchTreeToStore(rt, attrs, narRegular(download(rt, getStr(attrs, "url")))),
    },
  ],
  [
    "tarball",
    {
      allowed: CURL_ALLOWED,
      toUrl: curlToUrl,
      fetch: (rt, attrs) => {
        const url = getStr(attrs, "url");
        if (/^file:/i.test(url)) {
          const local = fileUrlPath(url);
          if (!local.startsWith("/"))
            throw evalError(
              `tarball '${url}' must use an absolute path. The 'file' scheme does not support relative paths.`,
            );
          if (!rt.io.pathExists(local)) throw evalError(`tarball '${local}' does not exist.`);
          if (rt.io.readFileType(local) === "directory") {
            if (rt.io.pathExists(local + "/.git"))
              throw evalError(
                `tarball '${local}' is a git repository, not a tarball. Please use \`git+file\` as the scheme.`,
              );
            throw evalError(`tarball '${local}' is a directory, not a file.`);
          }
        }
        if (/\.zip$/i.test(splitUrl(url).body))
          throw evalError(`tsnix cannot unpack zip archives ('${url}')`);
        const t = unpackTarball(rt, url);
        const r = fetchTreeToStore(rt, attrs, t.tree);
        const extra = new Map<string, AttrValue>();
        if (t.lastModified > 0 && !attrs.has("lastModified"))
          extra.set("lastModified", BigInt(t.lastModified));
        return { ...r, extra };
      },
    },
  ],
  [
    "path",
    {
      allowed: new Set(["path", "rev", "revCount", "lastModified", "narHash"]),
      toUrl: (attrs) => {
        const query: [string, string][] = [];
        for (const k of [...attrs.keys()].sort()) {
          if (k === "path" || k === "type" || k === "__final") continue;
          const v = attrs.get(k)!;
          query.push([k, typeof v === "boolean" ? (v ? "1" : "0") : String(v)]);
        }
        return joinUrl("path", getStr(attrs, "path"), query, null);
      },
      fetch: (rt, attrs, shown) => {
        const p = getStr(attrs, "path");
        if (!p.startsWith("/"))
          throw evalError(`cannot fetch input '${shown}' because it uses a relative path`);
        const abs = canonPath(p);
        const extra = new Map<string, AttrValue>();
        const lastModified = (mtime: number) => {
          if (!attrs.has("lastModified")) extra.set("lastModified", BigInt(mtime));
        };
        if (isStorePath(rt.storeDir, abs) && abs.endsWith("-source") && isValidStorePath(rt, abs)) {
          const tree = readTree(rt, abs, null);
          lastModified(0);
          return { storePath: abs, narHash: computeNarHash(tree).hash, extra };
        }
        if (!rt.io.pathExists(abs)) throw evalError(`getting status of '${abs}': No such file or directory`);
        const tree = readTree(rt, abs, null);
        lastModified(newestMtime(rt, abs));
        return { ...fetchTreeToStore(rt, new Map(), tree), extra };
      },
    },
  ],
]);

/** Nix's dumpPathAndGetMtime: the newest lstat mtime in the tree. */
function newestMtime(rt: Runtime, path: string): number {
  const mtime = rt.io.mtime;
  if (mtime === undefined) return 0;
  let newest = mtime(path);
  if (rt.io.readFileType(path) === "directory")
    for (const name of rt.io.readDir(path).keys())
      newest = Math.max(newest, newestMtime(rt, `${path}/${name}`));
  return newest;
}

// ---- the primop ------------------------------------------------------------------------

function lastModifiedDate(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds())
  );
}

function inputFromArg(rt: Runtime, arg: Lazy, span: Span | null): { type: string; attrs: InputAttrs } {
  const v = force(arg, span);
  if (!(v instanceof NixAttrs)) {
    const url = coerceToString(
      rt,
      v,
      span,
      { coerceMore: false, copyToStore: false },
      "while evaluating the first argument passed to 'fetchTree'",
    ).s;
    return inputFromUrl(url);
  }
  const typeV = v.get("type");
  if (typeV === undefined) throw evalError("argument 'type' is missing in call to 'fetchTree'");
  const type = forceStringNoCtx(
    typeV,
    v.posOf("type"),
    "while evaluating the `type` argument passed to 'fetchTree'",
  );
  const attrs: InputAttrs = new Map([["type", type]]);
  for (const [name, lazy] of v.entries()) {
    if (name === "type") continue;
    const pos = v.posOf(name);
    const x = force(lazy, pos);
    if (typeof x === "string" || x instanceof NixString || x instanceof NixPath)
      attrs.set(name, coerceToString(rt, x, pos, { coerceMore: false, copyToStore: false }, "").s);
    else if (typeof x === "boolean") attrs.set(name, x);
    else if (isInt(x)) {
      const n = toBig(x);
      if (n < 0n) throw evalError(`negative value given for 'fetchTree' argument '${name}': ${n}`);
      attrs.set(name, n);
    } else if (name === "publicKeys")
      throw evalError(
        "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
      );
    else
      throw typeError(
        `argument '${name}' to 'fetchTree' is ${showType(x as Value)} while a string, Boolean or integer is expected`,
      );
  }
  if (attrs.has("name")) throw evalError("argument 'name' isn\u2019t supported in call to 'fetchTree'");
  return { type, attrs };
}

function fetchTree(rt: Runtime, arg: Lazy, span: Span | null): Value {
  const input = inputFromArg(rt, arg, span);
  const scheme = SCHEMES.get(input.type);
  if (scheme === undefined) {
    if (UNSUPPORTED_TYPES.has(input.type)) throw unsupportedType(input.type);
    throw evalError(`cannot show unsupported input '${attrsJson(input.attrs)}'`);
  }
  for (const name of input.attrs.keys())
    if (name !== "type" && name !== "__final" && !scheme.allowed.has(name))
      throw evalError(`input attribute '${name}' not supported by scheme '${input.type}'`);
  const shown = scheme.toUrl(input.attrs);
  const expected = getNarHash(input.attrs);
  if (rt.pureEval) {
    if (expected === undefined)
      throw evalError(`in pure evaluation mode, 'fetchTree' doesn't fetch unlocked input '${shown}'`);
    rt.warn(
      `Input '${shown}' is unlocked (e.g. lacks a Git revision) but does have a NAR hash. ` +
        "This is deprecated since such inputs are verifiable but may not be reproducible.",
    );
  }
  let fetched: Fetched;
  try {
    fetched = scheme.fetch(rt, input.attrs, shown);
    if (expected !== undefined && printHash(expected, "sri") !== printHash(fetched.narHash, "sri"))
      throw evalError(
        `NAR hash mismatch in input '${shown}', expected '${printHash(expected, "sri")}' but got '${printHash(fetched.narHash, "sri")}'`,
      );
  } catch (e) {
    if (e instanceof NixError) e.addTrace(null, `while fetching the input '${shown}'`);
    throw e;
  }
  const out = new Map<string, AttrValue>(input.attrs);
  for (const [k, x] of fetched.extra ?? []) out.set(k, x);
  const result: [string, Lazy][] = [
    ["outPath", storePathValue(fetched.storePath)],
    ["narHash", printHash(fetched.narHash, "sri")],
  ];
  const rev = getRev(out);
  if (rev !== undefined) result.push(["rev", rev], ["shortRev", rev.slice(0, 7)]);
  const revCount = maybeInt(out, "revCount");
  if (revCount !== undefined) result.push(["revCount", mkInt(revCount)]);
  const lastModified = maybeInt(out, "lastModified");
  if (lastModified !== undefined)
    result.push(["lastModified", mkInt(lastModified)], ["lastModifiedDate", lastModifiedDate(lastModified)]);
  return mkAttrs(result);
}

registerPrimops([
  {
    name: "fetchTree",
    arity: 1,
    args: ["input"],
    global: true,
    doc: 'Fetch a tree or a file ({ type = "file" | "tarball" | "path"; ... } or a URL); returns { outPath; narHash; ... }.',
    impl: (rt, [a], span) => fetchTree(rt, a!, span),
  },
]);
