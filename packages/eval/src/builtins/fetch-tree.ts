// builtins.fetchTree (Nix's fetchTree.cc `fetchTree` and libfetchers' Input): an input from an
// attribute set or a URL, parsed and validated by the input schemes of flakeref-inputs.ts, fetched,
// and described by the attributes Nix returns
// ({ outPath; narHash; lastModified?; lastModifiedDate?; rev?; shortRev?; revCount? }).
// Fetched here: "file" and "tarball" (file://, http(s)://) and "path"; "git" by fetch-git.ts. The
// other schemes Nix knows (github, gitlab, sourcehut, hg, indirect) are validated, then fail.
import type { Span } from "@tsnix/parser";
import { narHash as computeNarHash, narRegular, printHash, type Hash, type NarNode } from "@tsnix/nix-compat";
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
import {
  attrsToJSON,
  getNarHash,
  getRev,
  getStrAttr,
  inputContextOf,
  inputErrorsAsNix,
  inputFromAttrs,
  inputFromURL,
  inputToURLString,
  maybeGetBoolAttr,
  maybeGetIntAttr,
  maybeGetStrAttr,
  type AttrValue,
  type Attrs,
  type Input,
} from "./flakeref-inputs.js";
import { registerPrimops } from "./registry.js";
import { readTree } from "./store-paths.js";
import { parseURL } from "./url.js";

export interface Fetched {
  readonly storePath: string;
  readonly narHash: Hash;
  /** Attributes the fetcher adds to the input (lastModified of tarballs and paths). */
  readonly extra?: ReadonlyMap<string, AttrValue>;
}

/** Fetches an input its scheme has already validated; `shown` is Nix's Input::to_string. */
export type Fetcher = (rt: Runtime, attrs: Attrs, shown: string) => Fetched;

/** How fetchTree.cc's `fetchTree` is called: by fetchTree itself or by fetchGit. */
export interface FetchTreeParams {
  /** The builtin's name in messages. */
  readonly fetcher: "fetchTree" | "fetchGit";
  /** fetchGit: a string is a Git URL, `type` is implied, `exportIgnore` defaults to true. */
  readonly isFetchGit: boolean;
  /** fetchGit: `rev` / `shortRev` / `revCount` of 0s for a dirty tree. */
  readonly emptyRevFallback: boolean;
  readonly allowNameArgument: boolean;
}

const FETCH_TREE: FetchTreeParams = {
  fetcher: "fetchTree",
  isFetchGit: false,
  emptyRevFallback: false,
  allowNameArgument: false,
};

function unsupportedType(type: string): NixError {
  return evalError(
    `input type '${type}' is not supported by tsnix yet (fetchTree supports "file", "tarball", "path" and "git")`,
  );
}

function inputName(attrs: Attrs): string {
  return maybeGetStrAttr(attrs, "name") ?? "source";
}

export function fetchTreeToStore(rt: Runtime, attrs: Attrs, tree: NarNode): Fetched {
  return { storePath: addTreeToStore(rt, inputName(attrs), tree, "nar"), narHash: computeNarHash(tree).hash };
}

/** By input scheme name: the schemes tsnix can fetch. */
const FETCHERS = new Map<string, Fetcher>([
  ["file", (rt, attrs) => fetchTreeToStore(rt, attrs, narRegular(download(rt, getStrAttr(attrs, "url"))))],
  [
    "tarball",
    (rt, attrs) => {
      const url = getStrAttr(attrs, "url");
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
      if (/\.zip$/i.test(url.replace(/[?#].*$/s, "")))
        throw evalError(`tsnix cannot unpack zip archives ('${url}')`);
      const t = unpackTarball(rt, url);
      const r = fetchTreeToStore(rt, attrs, t.tree);
      const extra = new Map<string, AttrValue>();
      if (t.lastModified > 0 && !attrs.has("lastModified")) extra.set("lastModified", BigInt(t.lastModified));
      return { ...r, extra };
    },
  ],
  [
    "path",
    (rt, attrs, shown) => {
      const p = getStrAttr(attrs, "path");
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
  ],
]);

/** Adds the fetcher of an input scheme (fetch-git.ts registers "git"). */
export function registerTreeFetcher(scheme: string, fetcher: Fetcher): void {
  FETCHERS.set(scheme, fetcher);
}

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

/** The argument as Nix's Input: an attribute set through Input::fromAttrs, else a URL-like
 * flake reference through Input::fromURL with `requireTree` (so a plain http(s) URL is a tarball). */
function inputFromArg(rt: Runtime, arg: Lazy, span: Span | null, params: FetchTreeParams): Input {
  const { fetcher } = params;
  const v = force(arg, span);
  if (!(v instanceof NixAttrs)) {
    const url = coerceToString(
      rt,
      v,
      span,
      { coerceMore: false, copyToStore: false },
      `while evaluating the first argument passed to '${fetcher}'`,
    ).s;
    if (params.isFetchGit)
      return inputErrorsAsNix(() =>
        inputFromAttrs(
          new Map<string, AttrValue>([
            ["type", "git"],
            ["url", url],
            ["exportIgnore", true],
          ]),
          inputContextOf(rt),
        ),
      );
    return inputErrorsAsNix(() => inputFromURL(parseURL(url), true, inputContextOf(rt)));
  }
  const typeV = v.get("type");
  let type: string;
  if (params.isFetchGit) {
    if (typeV !== undefined) throw evalError("unexpected argument 'type'");
    type = "git";
  } else if (typeV === undefined) throw evalError(`argument 'type' is missing in call to '${fetcher}'`);
  else
    type = forceStringNoCtx(
      typeV,
      v.posOf("type"),
      `while evaluating the \`type\` argument passed to '${fetcher}'`,
    );
  const attrs: Attrs = new Map([["type", type]]);
  for (const [name, lazy] of v.entries()) {
    if (name === "type") continue;
    const pos = v.posOf(name);
    const x = force(lazy, pos);
    if (typeof x === "string" || x instanceof NixString || x instanceof NixPath)
      attrs.set(name, coerceToString(rt, x, pos, { coerceMore: false, copyToStore: false }, "").s);
    else if (typeof x === "boolean") attrs.set(name, x);
    else if (isInt(x)) {
      const n = toBig(x);
      if (n < 0n) throw evalError(`negative value given for '${fetcher}' argument '${name}': ${n}`);
      attrs.set(name, n);
    } else if (name === "publicKeys")
      throw evalError(
        "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
      );
    else
      throw typeError(
        `argument '${name}' to '${fetcher}' is ${showType(x as Value)} while a string, Boolean or integer is expected`,
      );
  }
  if (params.isFetchGit && !attrs.has("exportIgnore") && attrs.get("submodules") !== true)
    attrs.set("exportIgnore", true);
  // fetchTree fetches Git repositories shallowly unless told otherwise.
  if (type === "git" && !params.isFetchGit && !attrs.has("shallow")) attrs.set("shallow", true);
  if (!params.allowNameArgument && attrs.has("name"))
    throw evalError(`argument 'name' isn\u2019t supported in call to '${fetcher}'`);
  return inputErrorsAsNix(() => inputFromAttrs(attrs, inputContextOf(rt)));
}

/** fetchTree.cc's `fetchTree`: fetchTree and fetchGit. */
export function fetchTreeWith(rt: Runtime, arg: Lazy, span: Span | null, params: FetchTreeParams): Value {
  const input = inputFromArg(rt, arg, span, params);
  // Nix keeps an input of a type no scheme claims, then fails to show it (Input::toURL).
  if (input.scheme === null) throw evalError(`cannot show unsupported input '${attrsToJSON(input.attrs)}'`);
  const fetcher = FETCHERS.get(input.scheme.name);
  if (fetcher === undefined) throw unsupportedType(input.scheme.name);
  const shown = inputErrorsAsNix(() => inputToURLString(input));
  const expected = inputErrorsAsNix(() => getNarHash(input.attrs));
  const locked = input.scheme.name === "git" && inputErrorsAsNix(() => getRev(input.attrs)) !== undefined;
  if (rt.pureEval && !locked) {
    if (expected === undefined)
      throw evalError(`in pure evaluation mode, '${params.fetcher}' doesn't fetch unlocked input '${shown}'`);
    rt.warn(
      `Input '${shown}' is unlocked (e.g. lacks a Git revision) but does have a NAR hash. ` +
        "This is deprecated since such inputs are verifiable but may not be reproducible.",
    );
  }
  let fetched: Fetched;
  try {
    fetched = fetcher(rt, input.attrs, shown);
    const got = printHash(fetched.narHash, "sri");
    if (expected !== undefined && expected !== got)
      throw evalError(`NAR hash mismatch in input '${shown}', expected '${expected}' but got '${got}'`);
  } catch (e) {
    if (e instanceof NixError) e.addTrace(null, `while fetching the input '${shown}'`);
    throw e;
  }
  return inputErrorsAsNix(() => treeAttrs(fetched, input.attrs, input.scheme!.name, params.emptyRevFallback));
}

const EMPTY_REV = "0".repeat(40);

/** Nix's emitTreeAttrs for the attributes tsnix's fetchers produce. */
function treeAttrs(fetched: Fetched, inputAttrs: Attrs, scheme: string, emptyRevFallback: boolean): Value {
  const out: Attrs = new Map(inputAttrs);
  for (const [k, x] of fetched.extra ?? []) out.set(k, x);
  const result: [string, Lazy][] = [
    ["outPath", storePathValue(fetched.storePath)],
    ["narHash", printHash(fetched.narHash, "sri")],
  ];
  if (scheme === "git") result.push(["submodules", maybeGetBoolAttr(out, "submodules") ?? false]);
  const rev = getRev(out) ?? (emptyRevFallback ? EMPTY_REV : undefined);
  if (rev !== undefined) result.push(["rev", rev], ["shortRev", rev.slice(0, 7)]);
  const revCount = maybeGetIntAttr(out, "revCount") ?? (emptyRevFallback ? 0n : undefined);
  if (revCount !== undefined) result.push(["revCount", mkInt(revCount)]);
  const dirtyRev = maybeGetStrAttr(out, "dirtyRev");
  if (dirtyRev !== undefined)
    result.push(["dirtyRev", dirtyRev], ["dirtyShortRev", maybeGetStrAttr(out, "dirtyShortRev") ?? ""]);
  const lastModified = maybeGetIntAttr(out, "lastModified");
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
    impl: (rt, [a], span) => fetchTreeWith(rt, a!, span, FETCH_TREE),
  },
]);
