// Fetcher inputs as libfetchers describes them, without fetching: attribute sets (Attrs), the
// input schemes (github/gitlab/sourcehut, indirect, path, git, hg, file, tarball) with their
// URL <-> attrs conversions and checks, and Input::fromURL / fromAttrs / toURLString.
// Texts of errors follow libfetchers (fetchers.cc, attrs.cc, github.cc, git.cc, ...). Errors are
// UrlError (Nix's Error) or BadURL, which flake-ref parsing catches to try the next syntax.
// Shared by builtins.parseFlakeRef/flakeRefToString (flakeref.ts) and builtins.fetchTree.
import { experimentalFeatures } from "@tsnix/parser";
import {
  NixFormatError,
  parseHash,
  parseHashPrefixed,
  parseSriHash,
  printHash,
  type Hash,
} from "@tsnix/nix-compat";
import { evalError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { NixUsageError } from "./hashing.js";
import {
  BadURL,
  UrlError,
  compareBytewise,
  fixGitURL,
  nonEmptySegments,
  parseURL,
  parseUrlScheme,
  renderUrlPathEnsureLegal,
  urlToString,
  type ParsedURL,
} from "./url.js";

/** An input attribute: Nix's std::variant<std::string, uint64_t, Explicit<bool>>. */
export type AttrValue = string | bigint | boolean;
export type Attrs = Map<string, AttrValue>;

export interface InputContext {
  readonly experimentalFeatures: ReadonlySet<string>;
  warn(message: string): void;
}

export interface Input {
  readonly attrs: Attrs;
  /** null: a type no scheme claims (Nix keeps such inputs, but cannot print them). */
  readonly scheme: InputScheme | null;
}

export interface InputScheme {
  readonly name: string;
  readonly allowedAttrs: ReadonlySet<string>;
  fromURL(url: ParsedURL, requireTree: boolean, ctx: InputContext): Attrs | null;
  fromAttrs(attrs: Attrs, ctx: InputContext): Attrs;
  toURL(attrs: Attrs): ParsedURL;
}

// ---------------------------------------------------------------- attrs (attrs.cc)

/** nlohmann's compact dump of the attrs (keys sorted), as Nix puts it in messages. */
export function attrsToJSON(attrs: Attrs): string {
  const parts = [...attrs.keys()].sort(compareBytewise).map((k) => {
    const v = attrs.get(k)!;
    return JSON.stringify(k) + ":" + (typeof v === "string" ? JSON.stringify(v) : String(v));
  });
  return "{" + parts.join(",") + "}";
}

export function maybeGetStrAttr(attrs: Attrs, name: string): string | undefined {
  const v = attrs.get(name);
  if (v === undefined || typeof v === "string") return v;
  throw new UrlError(`input attribute '${name}' is not a string ${attrsToJSON(attrs)}`);
}

export function getStrAttr(attrs: Attrs, name: string): string {
  const v = maybeGetStrAttr(attrs, name);
  if (v === undefined) throw new UrlError(`input attribute '${name}' is missing`);
  return v;
}

export function maybeGetIntAttr(attrs: Attrs, name: string): bigint | undefined {
  const v = attrs.get(name);
  if (v === undefined || typeof v === "bigint") return v;
  throw new UrlError(`input attribute '${name}' is not an integer`);
}

export function maybeGetBoolAttr(attrs: Attrs, name: string): boolean | undefined {
  const v = attrs.get(name);
  if (v === undefined || typeof v === "boolean") return v;
  throw new UrlError(`input attribute '${name}' is not a Boolean`);
}

function attrsToQuery(attrs: Attrs): Map<string, string> {
  const q = new Map<string, string>();
  for (const [k, v] of attrs) q.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  return q;
}

/** Nix's string2Int<uint64_t>: decimal digits only, within 64 bits. */
export function parseUint64(s: string): bigint | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n <= 0xffffffffffffffffn ? n : undefined;
}

// ---------------------------------------------------------------- hashes and names

/** Run a nix-compat hash parser; its errors are Nix's BadHash (an Error, not a BadURL). */
function hashOrThrow(f: () => Hash): Hash {
  try {
    return f();
  } catch (e) {
    if (e instanceof NixFormatError) throw new UrlError(e.message);
    throw e;
  }
}

/** Input::getRev: a prefixed hash, else a SHA-1 in any encoding; printed as 40 hex digits. */
export function getRev(attrs: Attrs): string | undefined {
  const s = maybeGetStrAttr(attrs, "rev");
  if (s === undefined) return undefined;
  let h: Hash;
  try {
    h = parseHashPrefixed(s);
  } catch {
    h = hashOrThrow(() => parseHash(s, "sha1"));
  }
  return printHash(h, "base16");
}

/** Input::getNarHash, printed in SRI form ("" means the all-zero SHA-256). */
export function getNarHash(attrs: Attrs): string | undefined {
  const s = maybeGetStrAttr(attrs, "narHash");
  if (s === undefined) return undefined;
  const h: Hash =
    s === "" ? { algo: "sha256", bytes: new Uint8Array(32) } : hashOrThrow(() => parseSriHash(s));
  if (h.algo !== "sha256") throw new NixUsageError("narHash must use SHA-256");
  return printHash(h, "sri");
}

const REV = /^[0-9a-fA-F]{40}$/;
const FLAKE_ID = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const HG_REF = /^[a-zA-Z0-9@][a-zA-Z0-9_./@+-]*$/;
const FORGE_HOST = /^[a-zA-Z0-9.-]*$/;
/** git check-ref-format's refusals (one-level names allowed), as Nix's badGitRefRegex. */
const BAD_GIT_REF = /\/\/|^[./]|\/\.|\.\.|[\x00-\x20\x7f:?^~[]|\\|\*|\.lock$|\.lock\/|@\{|[/.]$|^@$|^$/;

/** Nix's isLegalRefName (libgit2's reference/branch/tag name checks). */
export function isLegalRefName(ref: string): boolean {
  return !BAD_GIT_REF.test(ref);
}

const set = (...names: string[]): ReadonlySet<string> => new Set(names);
const emptyUrl = (scheme: string, path: string[]): ParsedURL => ({
  scheme,
  path,
  query: new Map(),
  fragment: "",
});

// ---------------------------------------------------------------- forges (github.cc)

function forgeScheme(name: string): InputScheme {
  const scheme: InputScheme = {
    name,
    allowedAttrs: set("owner", "repo", "ref", "rev", "narHash", "lastModified", "host"),
    fromURL(url, _requireTree, ctx) {
      if (url.scheme !== name) return null;
      const path = nonEmptySegments(url);
      let rev: string | undefined;
      let ref: string | undefined;
      let host: string | undefined;
      if (path.length === 3) {
        if (REV.test(path[2]!)) rev = path[2];
        else ref = path[2];
      } else if (path.length > 3) ref = path.slice(2).join("/");
      else if (path.length < 2) throw new BadURL(`URL '${urlToString(url)}' is invalid`);
      for (const k of [...url.query.keys()].sort(compareBytewise)) {
        const value = url.query.get(k)!;
        if (k === "rev") {
          if (rev !== undefined)
            throw new BadURL(`URL '${urlToString(url)}' contains multiple commit hashes`);
          rev = value;
        } else if (k === "ref") {
          if (ref !== undefined)
            throw new BadURL(`URL '${urlToString(url)}' contains multiple branch/tag names`);
          ref = value;
        } else if (k === "host") host = value;
      }
      const attrs: Attrs = new Map([
        ["type", name],
        ["owner", path[0]!],
        ["repo", path[1]!],
      ]);
      if (rev !== undefined) attrs.set("rev", rev);
      if (ref !== undefined) attrs.set("ref", ref);
      if (host !== undefined) attrs.set("host", host);
      const narHash = url.query.get("narHash");
      if (narHash !== undefined) attrs.set("narHash", narHash);
      return scheme.fromAttrs(attrs, ctx);
    },
    fromAttrs(attrs) {
      getStrAttr(attrs, "owner");
      getStrAttr(attrs, "repo");
      const ref = maybeGetStrAttr(attrs, "ref");
      const rev = maybeGetStrAttr(attrs, "rev");
      if (ref !== undefined && rev !== undefined)
        throw new BadURL(
          `input ${attrsToJSON(attrs)} contains both a commit hash ('${rev}') and a branch/tag name ('${ref}')`,
        );
      if (rev !== undefined) hashOrThrow(() => parseHash(rev, "sha1"));
      if (ref !== undefined && !isLegalRefName(ref))
        throw new BadURL(`input ${attrsToJSON(attrs)} contains an invalid branch/tag name`);
      const host = maybeGetStrAttr(attrs, "host");
      if (host !== undefined && !FORGE_HOST.test(host))
        throw new BadURL(`input ${attrsToJSON(attrs)} contains an invalid instance host`);
      return attrs;
    },
    toURL(attrs) {
      const path = [getStrAttr(attrs, "owner"), getStrAttr(attrs, "repo")];
      const ref = maybeGetStrAttr(attrs, "ref");
      const rev = getRev(attrs);
      if (ref !== undefined) path.push(ref);
      if (rev !== undefined) path.push(rev);
      const url = emptyUrl(name, path);
      const narHash = getNarHash(attrs);
      if (narHash !== undefined) url.query.set("narHash", narHash);
      const host = maybeGetStrAttr(attrs, "host");
      if (host !== undefined) url.query.set("host", host);
      return url;
    },
  };
  return scheme;
}

// ---------------------------------------------------------------- indirect (indirect.cc)

const indirectScheme: InputScheme = {
  name: "indirect",
  allowedAttrs: set("id", "ref", "rev", "narHash"),
  fromURL(url) {
    if (url.scheme !== "flake") return null;
    const path = nonEmptySegments(url);
    const shown = () => urlToString(url);
    const attrs: Attrs = new Map([["type", "indirect"]]);
    let ref: string | undefined;
    let rev: string | undefined;
    if (path.length === 2) {
      if (REV.test(path[1]!)) rev = path[1]!.toLowerCase();
      else if (isLegalRefName(path[1]!)) ref = path[1];
      else
        throw new BadURL(`in flake URL '${shown()}', '${path[1]}' is not a commit hash or branch/tag name`);
    } else if (path.length === 3) {
      if (!isLegalRefName(path[1]!))
        throw new BadURL(`in flake URL '${shown()}', '${path[1]}' is not a branch/tag name`);
      ref = path[1];
      if (!REV.test(path[2]!))
        throw new BadURL(`in flake URL '${shown()}', '${path[2]}' is not a commit hash`);
      rev = path[2]!.toLowerCase();
    } else if (path.length !== 1) throw new BadURL(`GitHub URL '${shown()}' is invalid`);
    const id = path[0]!;
    if (!FLAKE_ID.test(id)) throw new BadURL(`'${id}' is not a valid flake ID`);
    attrs.set("id", id);
    if (rev !== undefined) attrs.set("rev", rev);
    if (ref !== undefined) attrs.set("ref", ref);
    return attrs;
  },
  fromAttrs(attrs) {
    const id = getStrAttr(attrs, "id");
    if (!FLAKE_ID.test(id)) throw new BadURL(`'${id}' is not a valid flake ID`);
    return attrs;
  },
  toURL(attrs) {
    const path = [getStrAttr(attrs, "id")];
    const ref = maybeGetStrAttr(attrs, "ref");
    const rev = getRev(attrs);
    if (ref !== undefined) path.push(ref);
    if (rev !== undefined) path.push(rev);
    return emptyUrl("flake", path);
  },
};

// ---------------------------------------------------------------- path (path.cc)

const pathScheme: InputScheme = {
  name: "path",
  allowedAttrs: set("path", "rev", "revCount", "lastModified", "narHash"),
  fromURL(url) {
    if (url.scheme !== "path") return null;
    const shown = () => urlToString(url);
    if (url.authority && url.authority.host !== "")
      throw new UrlError(`path URL '${shown()}' should not have an authority ('${url.authority.host}')`);
    const attrs: Attrs = new Map([
      ["type", "path"],
      ["path", renderUrlPathEnsureLegal(url.path)],
    ]);
    for (const k of [...url.query.keys()].sort(compareBytewise)) {
      const value = url.query.get(k)!;
      if (k === "rev" || k === "narHash") attrs.set(k, value);
      else if (k === "revCount" || k === "lastModified") {
        const n = parseUint64(value);
        if (n === undefined) throw new UrlError(`path URL '${shown()}' has invalid parameter '${k}'`);
        attrs.set(k, n);
      } else throw new UrlError(`path URL '${shown()}' has unsupported parameter '${k}'`);
    }
    return attrs;
  },
  fromAttrs(attrs) {
    getStrAttr(attrs, "path");
    return attrs;
  },
  toURL(attrs) {
    const query = attrsToQuery(attrs);
    for (const k of ["path", "type", "__final"]) query.delete(k);
    const url = emptyUrl("path", getStrAttr(attrs, "path").split("/"));
    url.query = query;
    return url;
  },
};

// ---------------------------------------------------------------- git (git.cc)

const GIT_STRING_PARAMS = set("rev", "ref", "keytype", "publicKey", "publicKeys");
const GIT_BOOL_PARAMS = set("shallow", "submodules", "lfs", "exportIgnore", "allRefs", "verifyCommit");
const GIT_BOOL_QUERY = ["shallow", "lfs", "submodules", "exportIgnore", "verifyCommit"];

const gitScheme: InputScheme = {
  name: "git",
  allowedAttrs: set(
    "url",
    "ref",
    "rev",
    "shallow",
    "submodules",
    "lfs",
    "exportIgnore",
    "lastModified",
    "revCount",
    "narHash",
    "allRefs",
    "name",
    "dirtyRev",
    "dirtyShortRev",
    "verifyCommit",
    "keytype",
    "publicKey",
    "publicKeys",
  ),
  fromURL(url, _requireTree, ctx) {
    if (url.scheme !== "git" && parseUrlScheme(url.scheme).application !== "git") return null;
    const url2: ParsedURL = { ...url, query: new Map() };
    const attrs: Attrs = new Map([["type", "git"]]);
    for (const k of [...url.query.keys()].sort(compareBytewise)) {
      const value = url.query.get(k)!;
      if (GIT_STRING_PARAMS.has(k)) attrs.set(k, value);
      else if (GIT_BOOL_PARAMS.has(k)) attrs.set(k, value === "1");
      else url2.query.set(k, value);
    }
    attrs.set("url", urlToString(url2));
    return gitScheme.fromAttrs(attrs, ctx);
  },
  fromAttrs(attrs, ctx) {
    for (const k of ["verifyCommit", "keytype", "publicKey", "publicKeys"])
      if (attrs.has(k) && !ctx.experimentalFeatures.has("verified-fetches"))
        throw new UrlError(
          "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
        );
    maybeGetBoolAttr(attrs, "verifyCommit");
    const ref = maybeGetStrAttr(attrs, "ref");
    if (ref !== undefined && !isLegalRefName(ref)) throw new BadURL(`invalid Git branch/tag name '${ref}'`);
    const out: Attrs = new Map(attrs);
    out.set("url", urlToString(fixGitURL(getStrAttr(attrs, "url"), (m) => ctx.warn(m))));
    for (const k of ["shallow", "submodules", "allRefs"]) maybeGetBoolAttr(out, k);
    return out;
  },
  toURL(attrs) {
    const url = parseURL(getStrAttr(attrs, "url"));
    if (url.scheme !== "git") url.scheme = "git+" + url.scheme;
    const rev = getRev(attrs);
    if (rev !== undefined) url.query.set("rev", rev);
    const ref = maybeGetStrAttr(attrs, "ref");
    if (ref !== undefined) url.query.set("ref", ref);
    for (const k of GIT_BOOL_QUERY) if (maybeGetBoolAttr(attrs, k)) url.query.set(k, "1");
    const keys = publicKeys(attrs);
    if (keys.length === 1) {
      url.query.set("keytype", keys[0]!.type);
      url.query.set("publicKey", keys[0]!.key);
    } else if (keys.length > 1) url.query.set("publicKeys", JSON.stringify(keys));
    return url;
  },
};

function publicKeys(attrs: Attrs): { type: string; key: string }[] {
  const many = maybeGetStrAttr(attrs, "publicKeys");
  if (many !== undefined) {
    try {
      return (JSON.parse(many) as { type?: string; key: string }[]).map((k) => ({
        type: k.type ?? "ssh-ed25519",
        key: k.key,
      }));
    } catch {
      throw new UrlError(`input attribute 'publicKeys' is not a valid JSON list of keys`);
    }
  }
  const key = maybeGetStrAttr(attrs, "publicKey");
  if (key === undefined) return [];
  return [{ type: maybeGetStrAttr(attrs, "keytype") ?? "ssh-ed25519", key }];
}

// ---------------------------------------------------------------- mercurial (mercurial.cc)

const HG_SCHEMES = set("hg+http", "hg+https", "hg+ssh", "hg+file");

const hgScheme: InputScheme = {
  name: "hg",
  allowedAttrs: set("url", "ref", "rev", "revCount", "narHash", "name"),
  fromURL(url, _requireTree, ctx) {
    if (!HG_SCHEMES.has(url.scheme)) return null;
    const url2: ParsedURL = { ...url, scheme: url.scheme.slice(3), query: new Map() };
    const attrs: Attrs = new Map([["type", "hg"]]);
    for (const [k, v] of url.query) {
      if (k === "rev" || k === "ref") attrs.set(k, v);
      else url2.query.set(k, v);
    }
    attrs.set("url", urlToString(url2));
    return hgScheme.fromAttrs(attrs, ctx);
  },
  fromAttrs(attrs) {
    parseURL(getStrAttr(attrs, "url"));
    const ref = maybeGetStrAttr(attrs, "ref");
    if (ref !== undefined && !HG_REF.test(ref))
      throw new BadURL(`invalid Mercurial branch/tag name '${ref}'`);
    return attrs;
  },
  toURL(attrs) {
    const url = parseURL(getStrAttr(attrs, "url"));
    url.scheme = "hg+" + url.scheme;
    const rev = getRev(attrs);
    if (rev !== undefined) url.query.set("rev", rev);
    const ref = maybeGetStrAttr(attrs, "ref");
    if (ref !== undefined) url.query.set("ref", ref);
    return url;
  },
};

// ---------------------------------------------------------------- file, tarball (tarball.cc)

const CURL_TRANSPORTS = set("file", "http", "https");
const TARBALL_EXTENSIONS = [".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];

function hasTarballExtension(url: ParsedURL): boolean {
  const last = url.path[url.path.length - 1];
  return last !== undefined && TARBALL_EXTENSIONS.some((e) => last.endsWith(e));
}

function curlScheme(name: "file" | "tarball"): InputScheme {
  const allowedAttrs = set("url", "narHash", "name", "unpack", "rev", "revCount", "lastModified");
  const isValidURL = (url: ParsedURL, requireTree: boolean): boolean => {
    const s = parseUrlScheme(url.scheme);
    if (!CURL_TRANSPORTS.has(s.transport)) return false;
    if (s.application !== undefined) return s.application === name;
    const wantsTree = requireTree || hasTarballExtension(url);
    return name === "tarball" ? wantsTree : !wantsTree;
  };
  return {
    name,
    allowedAttrs,
    fromURL(orig, requireTree) {
      if (!isValidURL(orig, requireTree)) return null;
      const url: ParsedURL = {
        ...orig,
        scheme: parseUrlScheme(orig.scheme).transport,
        query: new Map(orig.query),
      };
      const attrs: Attrs = new Map();
      const narHash = url.query.get("narHash");
      if (narHash !== undefined) attrs.set("narHash", narHash);
      const rev = url.query.get("rev");
      if (rev !== undefined) attrs.set("rev", rev);
      for (const k of ["revCount", "lastModified"]) {
        const n = parseUint64(url.query.get(k) ?? "");
        if (n !== undefined) attrs.set(k, n);
      }
      for (const k of allowedAttrs) url.query.delete(k);
      attrs.set("type", name);
      attrs.set("url", urlToString(url));
      return attrs;
    },
    fromAttrs: (attrs) => attrs,
    toURL(attrs) {
      const url = parseURL(getStrAttr(attrs, "url"));
      const narHash = getNarHash(attrs);
      if (narHash !== undefined) url.query.set("narHash", narHash);
      return url;
    },
  };
}

// ---------------------------------------------------------------- Input (fetchers.cc)

/** By name, in the order Nix's std::map tries them. */
const SCHEMES: readonly InputScheme[] = [
  curlScheme("file"),
  gitScheme,
  forgeScheme("github"),
  forgeScheme("gitlab"),
  hgScheme,
  indirectScheme,
  pathScheme,
  forgeScheme("sourcehut"),
  curlScheme("tarball"),
];
const SCHEME_BY_NAME = new Map(SCHEMES.map((s) => [s.name, s]));

/** Nix's fixupInput: the attributes every input shares must have their types. */
function fixupInput(attrs: Attrs): void {
  getStrAttr(attrs, "type");
  maybeGetStrAttr(attrs, "ref");
  maybeGetIntAttr(attrs, "revCount");
  maybeGetIntAttr(attrs, "lastModified");
}

export function inputFromURL(url: ParsedURL, requireTree: boolean, ctx: InputContext): Input {
  for (const scheme of SCHEMES) {
    const attrs = scheme.fromURL(url, requireTree, ctx);
    if (attrs) {
      fixupInput(attrs);
      return { attrs, scheme };
    }
  }
  const s = parseUrlScheme(url.scheme);
  if (s.application === "file" && s.transport === "git")
    throw new UrlError(
      `input '${urlToString(url)}' is unsupported; did you mean 'git+file' instead of 'file+git'?`,
    );
  throw new UrlError(`input '${urlToString(url)}' is unsupported`);
}

export function inputFromAttrs(attrs: Attrs, ctx: InputContext): Input {
  const type = maybeGetStrAttr(attrs, "type");
  if (type === undefined)
    throw new UrlError("'type' attribute to specify input scheme is required but not provided");
  const scheme = SCHEME_BY_NAME.get(type);
  if (!scheme) {
    fixupInput(attrs);
    return { attrs, scheme: null };
  }
  for (const k of attrs.keys())
    if (k !== "type" && k !== "__final" && !scheme.allowedAttrs.has(k))
      throw new UrlError(`input attribute '${k}' not supported by scheme '${type}'`);
  const res = scheme.fromAttrs(attrs, ctx);
  fixupInput(res);
  return { attrs: res, scheme };
}

/** Input::toURLString: the scheme's URL with `extraQuery` added where it has no such key. */
export function inputToURLString(input: Input, extraQuery: ReadonlyMap<string, string> = new Map()): string {
  if (!input.scheme) throw new UrlError(`cannot show unsupported input '${attrsToJSON(input.attrs)}'`);
  const url = input.scheme.toURL(input.attrs);
  for (const [k, v] of extraQuery) if (!url.query.has(k)) url.query.set(k, v);
  return urlToString(url);
}

// ---------------------------------------------------------------- for the primops

export function inputContextOf(rt: Runtime): InputContext {
  return { experimentalFeatures: experimentalFeatures(rt.settings), warn: (m) => rt.warn(m) };
}

/** Fetcher-level errors become Nix errors (the caller adds the "while calling" frame). */
export function inputErrorsAsNix<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UrlError || e instanceof BadURL || e instanceof NixFormatError)
      throw evalError(e.message);
    throw e;
  }
}
