import { formatError } from "./errors.js";
import {
  type Hash,
  hashString,
  parseHashAlgo,
  parseHashUnprefixed,
  parseSriHash,
  printHash,
  type HashAlgo,
} from "./hash.js";
import {
  DEFAULT_STORE_DIR,
  makeStorePath,
  makeStorePathType,
  makeTextPath,
  type References,
  type StorePath,
} from "./store-path.js";

/**
 * How a store object's contents are hashed: `text` (flat, may have references, sha256 only; `.drv`,
 * `toFile`), `flat` (the file's bytes), `nar` (the NAR serialisation, "recursive"), `git` (experimental).
 */
export type ContentAddressMethod = "text" | "flat" | "nar" | "git";

export interface ContentAddress {
  readonly method: ContentAddressMethod;
  readonly hash: Hash;
}

const METHOD_PREFIX: Record<ContentAddressMethod, string> = {
  text: "text:",
  flat: "",
  nar: "r:",
  git: "git:",
};

/** The prefix used in ATerm `hashAlgo` fields and content-address strings: `r:`, `text:`, `git:` or ``. */
export function methodPrefix(method: ContentAddressMethod): string {
  return METHOD_PREFIX[method];
}

/** Nix's `ContentAddressMethod::parse` (the JSON names). */
export function parseContentAddressMethod(s: string): ContentAddressMethod {
  if (s === "text" || s === "flat" || s === "nar" || s === "git") return s;
  return formatError(`unknown content address method '${s}'`);
}

/** Split `r:sha256` / `text:sha256` / `git:sha1` / `sha256` into method and algorithm (ATerm outputs). */
export function parseMethodAlgo(s: string): { method: ContentAddressMethod; algo: HashAlgo } {
  const { method, rest } = splitMethodPrefix(s, ["nar", "text", "git"]);
  return { method, algo: parseHashAlgo(rest) };
}

/** Strip one of the given methods' prefixes (Nix's `ContentAddressMethod::parsePrefix`); none means flat. */
function splitMethodPrefix(
  s: string,
  allowed: readonly ContentAddressMethod[],
): { method: ContentAddressMethod; rest: string } {
  for (const m of allowed) {
    const prefix = METHOD_PREFIX[m];
    if (prefix !== "" && s.startsWith(prefix)) return { method: m, rest: s.slice(prefix.length) };
  }
  return { method: "flat", rest: s };
}

/** `r:sha256` etc. (Nix's `printMethodAlgo`). */
export function printMethodAlgo(method: ContentAddressMethod, algo: HashAlgo): string {
  return METHOD_PREFIX[method] + algo;
}

/** `text:sha256:<nix32>`, `fixed:r:sha256:<nix32>`, `fixed:sha1:<nix32>`, `fixed:git:sha1:<nix32>`. */
export function printContentAddress(ca: ContentAddress): string {
  const head = ca.method === "text" ? "text:" : "fixed:" + METHOD_PREFIX[ca.method];
  return head + printHash(ca.hash, "nix32", true);
}

/** Inverse of `printContentAddress`; the digest may be base16, nix32 or base64 as in Nix. */
export function parseContentAddress(s: string): ContentAddress {
  const colon = s.indexOf(":");
  if (colon < 0) formatError(`not a content address because it is not in the form '<prefix>:<rest>': ${s}`);
  const prefix = s.slice(0, colon);
  let rest = s.slice(colon + 1);
  let method: ContentAddressMethod;
  if (prefix === "text") {
    method = "text";
  } else if (prefix === "fixed") {
    ({ method, rest } = splitMethodPrefix(rest, ["nar", "git"]));
  } else {
    return formatError(
      `content address prefix '${prefix}' is unrecognized. Recogonized prefixes are 'text' or 'fixed'`,
    );
  }
  const algoEnd = rest.indexOf(":");
  if (algoEnd < 0) formatError(`content address hash must be in form '<algo>:<hash>', but found: ${rest}`);
  const algo = parseHashAlgo(rest.slice(0, algoEnd));
  if (method === "text" && algo !== "sha256")
    formatError(`text content address hash should use sha256, but instead uses ${algo}`);
  return { method, hash: parseHashUnprefixed(rest.slice(algoEnd + 1), algo) };
}

export interface ContentAddressJson {
  hash: string;
  method: ContentAddressMethod;
}

/** `{ "hash": "<SRI>", "method": "nar" }` as in Nix's JSON (keys sorted). */
export function contentAddressToJson(ca: ContentAddress): ContentAddressJson {
  return { hash: printHash(ca.hash, "sri"), method: ca.method };
}

export function contentAddressFromJson(json: unknown): ContentAddress {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    formatError("content address JSON must be an object");
  const o = json as Record<string, unknown>;
  if (typeof o.method !== "string" || typeof o.hash !== "string")
    formatError("content address JSON needs string fields 'method' and 'hash'");
  return { method: parseContentAddressMethod(o.method), hash: parseSriHash(o.hash) };
}

/**
 * Nix's `makeFixedOutputPath`. `nar`+sha256 is the `source` type (references allowed, like `builtins.path`
 * and `filterSource`); everything else goes through `fixed:out:<prefix><algo>:<base16>:` and must have no
 * references.
 */
export function makeFixedOutputPath(
  name: string,
  method: Exclude<ContentAddressMethod, "text">,
  hash: Hash,
  references?: References,
  hasSelfReference = false,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  if (method === "nar" && hash.algo === "sha256")
    return makeStorePath(
      makeStorePathType("source", references, hasSelfReference, storeDir),
      hash,
      name,
      storeDir,
    );
  if (hasSelfReference || (references && [...references].length > 0))
    formatError(
      `fixed output derivation '${name}' is not allowed to refer to other store paths.\n` +
        "You may need to use the 'unsafeDiscardReferences' derivation attribute, see the manual for more details.",
    );
  const inner = hashString("sha256", `fixed:out:${METHOD_PREFIX[method]}${printHash(hash, "base16", true)}:`);
  return makeStorePath("output:out", inner, name, storeDir);
}

/** Store path of a content-addressed object (Nix's `makeFixedOutputPathFromCA`). */
export function makeFixedOutputPathFromCA(
  name: string,
  ca: ContentAddress,
  references?: References,
  hasSelfReference = false,
  storeDir: string = DEFAULT_STORE_DIR,
): StorePath {
  if (ca.method === "text") {
    if (hasSelfReference) formatError(`text store object '${name}' cannot refer to itself`);
    return makeTextPath(name, ca.hash, references, storeDir);
  }
  return makeFixedOutputPath(name, ca.method, ca.hash, references, hasSelfReference, storeDir);
}
