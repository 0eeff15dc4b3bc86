// builtins.fetchGit and fetchTree `type = "git"` (Nix's libfetchers/git.cc, fetchTree.cc
// `prim_fetchGit`), for local repositories: absolute paths and file:// URLs. The repository is read
// through EvalIO.gitFetch (glue: the git command line); this file decides what Nix reports.
import { evalError } from "../errors.js";
import { canonPath } from "../paths.js";
import { IOError } from "../io.js";
import type { Runtime } from "../runtime.js";
import { fileUrlPath } from "./fetch.js";
import { fetchTreeToStore, fetchTreeWith, registerTreeFetcher, type Fetched } from "./fetch-tree.js";
import {
  getRev,
  getStrAttr,
  maybeGetBoolAttr,
  maybeGetStrAttr,
  type AttrValue,
  type Attrs,
} from "./flakeref-inputs.js";
import { registerPrimops } from "./registry.js";

/** The local repository of a Git input's (fixGitURL-normalised) URL. */
function localRepoPath(url: string): string {
  if (!/^file:/i.test(url))
    throw evalError(`fetching git repositories over the network is not supported by tsnix yet ('${url}')`);
  const path = fileUrlPath(url);
  if (!path.startsWith("/"))
    throw evalError(
      `Git repository '${url}' must use an absolute path: tsnix does not resolve relative ones`,
    );
  return canonPath(path);
}

function fetchGitInput(rt: Runtime, attrs: Attrs): Fetched {
  const gitFetch = rt.io.gitFetch;
  const repo = localRepoPath(getStrAttr(attrs, "url"));
  if (gitFetch === undefined)
    throw evalError(
      `cannot fetch Git repository '${repo}': this evaluation has no Git access (EvalIO.gitFetch)`,
    );
  if (maybeGetBoolAttr(attrs, "lfs") === true)
    throw evalError(`fetching Git LFS files is not supported by tsnix yet ('${repo}')`);
  if (maybeGetBoolAttr(attrs, "verifyCommit") === true || attrs.has("publicKey") || attrs.has("publicKeys"))
    throw evalError(`verifying Git commits is not supported by tsnix yet ('${repo}')`);
  const exportIgnore = maybeGetBoolAttr(attrs, "exportIgnore") ?? false;
  const submodules = maybeGetBoolAttr(attrs, "submodules") ?? false;
  if (exportIgnore && submodules)
    throw evalError("exportIgnore and submodules are not supported together yet");
  const rev = getRev(attrs);
  const ref = maybeGetStrAttr(attrs, "ref");
  let got;
  try {
    got = gitFetch({
      repo,
      ...(rev === undefined ? {} : { rev }),
      ...(ref === undefined ? {} : { ref }),
      shallow: maybeGetBoolAttr(attrs, "shallow") ?? false,
      submodules,
      exportIgnore,
      warn: (m) => rt.warn(m),
    });
  } catch (e) {
    if (e instanceof IOError) throw evalError(e.message);
    throw e;
  }
  const extra = new Map<string, AttrValue>();
  if (got.dirty) {
    rt.warn(`Git tree '${repo}' is dirty`);
    if (got.headRev !== undefined) {
      extra.set("dirtyRev", got.headRev + "-dirty");
      extra.set("dirtyShortRev", got.headRev.slice(0, 7) + "-dirty");
    }
  } else if (got.rev !== undefined) extra.set("rev", got.rev);
  if (got.ref !== undefined) extra.set("ref", got.ref);
  if (got.revCount !== undefined) extra.set("revCount", BigInt(got.revCount));
  extra.set("lastModified", BigInt(got.lastModified));
  return { ...fetchTreeToStore(rt, attrs, got.tree), extra };
}

registerTreeFetcher("git", (rt, attrs) => fetchGitInput(rt, attrs));

registerPrimops([
  {
    name: "fetchGit",
    arity: 1,
    args: ["args"],
    global: true,
    doc: "Fetch a local Git repository (a path or URL, or { url; ref?; rev?; name?; shallow?; submodules?; allRefs?; }); returns { outPath; rev; shortRev; revCount; lastModified; narHash; submodules; ... }.",
    impl: (rt, [a], span) =>
      fetchTreeWith(rt, a!, span, {
        fetcher: "fetchGit",
        isFetchGit: true,
        emptyRevFallback: true,
        allowNameArgument: true,
      }),
  },
]);
