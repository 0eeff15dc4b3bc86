// URLs as Nix's libutil/url.cc sees them (RFC 3986, parsed there by boost::urls): a scheme, an
// optional authority, a path kept as percent-decoded segments, a query map (sorted, first
// occurrence wins) and a fragment. Printing re-encodes each part with Nix's "keep" sets, so
// `+` in a path becomes `%2B` and hex digits are upper case, as boost writes them.
// Shared by builtins.parseFlakeRef/flakeRefToString (flakeref.ts) and free for the fetchers.

/** Nix's BadURL: flake-ref parsing treats it as "not a URL" and falls back to a path. */
export class BadURL extends Error {}

/** Nix's plain `Error` from URL/fetcher code (never caught by the flake-ref fallbacks). */
export class UrlError extends Error {}

export type HostType = "name" | "ipv4" | "ipv6";

export interface Authority {
  hostType: HostType;
  host: string;
  user?: string;
  password?: string;
  port?: number;
}

export interface ParsedURL {
  scheme: string;
  authority?: Authority;
  /** Percent-decoded segments: "/a/b" is ["", "a", "b"], "" is [""]. */
  path: string[];
  /** Sorted when printed (Nix's std::map). */
  query: Map<string, string>;
  fragment: string;
}

const HEX = "0123456789ABCDEF";
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const SUB_DELIMS = "!$&'()*+,;=";
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8");

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** boost::urls::encode with Nix's `keep` set: unreserved characters and `keep` stay, the rest is %XX. */
export function percentEncode(s: string, keep = ""): string {
  let out = "";
  for (const b of utf8.encode(s)) {
    const ch = String.fromCharCode(b);
    if (b < 0x80 && (UNRESERVED.test(ch) || keep.includes(ch))) out += ch;
    else out += "%" + HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** Decode %XX escapes (the bytes are UTF-8). A stray `%` is Nix's "invalid URI parameter". */
export function percentDecode(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s.charCodeAt(i) === 37) {
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2)))
        throw new BadURL(`invalid URI parameter '${s}': bad percent-encoding`);
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      for (const b of utf8.encode(s.slice(i, i + len))) bytes.push(b);
      i += len;
    }
  }
  return fromUtf8.decode(new Uint8Array(bytes));
}

/** Characters allowed (besides %XX) in each part of a URI, per RFC 3986. */
const PCHAR = SUB_DELIMS + ":@";
const ALLOWED = {
  path: PCHAR + "/",
  query: PCHAR + "/?",
  userinfo: SUB_DELIMS + ":",
  regName: SUB_DELIMS,
};

function validChars(s: string, extra: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!(c.charCodeAt(0) < 0x80 && (UNRESERVED.test(c) || extra.includes(c)))) return false;
  }
  return true;
}

const IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** Nix's ParsedURL::Authority::parse. */
export function parseAuthority(encoded: string): Authority {
  let rest = encoded;
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const info = rest.slice(0, at);
    if (!validChars(info, ALLOWED.userinfo)) throw new BadURL(`invalid URL authority: '${encoded}'`);
    const colon = info.indexOf(":");
    user = percentDecode(colon < 0 ? info : info.slice(0, colon));
    if (colon >= 0) password = percentDecode(info.slice(colon + 1));
    rest = rest.slice(at + 1);
  }
  let host: string;
  let hostType: HostType;
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new BadURL(`invalid URL authority: '${encoded}'`);
    host = rest.slice(1, close);
    if (!IPV6_CHARS.test(host)) throw new BadURL(`invalid URL authority: '${encoded}'`);
    hostType = "ipv6";
    const after = rest.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw new BadURL(`invalid URL authority: '${encoded}'`);
    if (after !== "") portText = after.slice(1);
  } else {
    const colon = rest.lastIndexOf(":");
    const name = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) portText = rest.slice(colon + 1);
    if (!validChars(name, ALLOWED.regName)) throw new BadURL(`invalid URL authority: '${encoded}'`);
    hostType = IPV4.test(name) ? "ipv4" : "name";
    host = percentDecode(name);
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^[0-9]*$/.test(portText)) throw new BadURL(`invalid URL authority: '${encoded}'`);
    if (portText !== "") {
      const n = Number(portText);
      if (n === 0 || n > 65535) throw new BadURL(`port '${portText}' is invalid`);
      port = n;
    }
  }
  const a: Authority = { hostType, host };
  if (user !== undefined) a.user = user;
  if (password !== undefined) a.password = password;
  if (port !== undefined) a.port = port;
  return a;
}

export function authorityToString(a: Authority): string {
  let out = "";
  if (a.user !== undefined) {
    out += percentEncode(a.user);
    if (a.password !== undefined) out += ":" + percentEncode(a.password);
    out += "@";
  }
  if (a.hostType === "name") out += percentEncode(a.host);
  else if (a.hostType === "ipv4") out += a.host;
  else out += "[" + percentEncode(a.host, ":") + "]";
  if (a.port !== undefined) out += ":" + a.port;
  return out;
}

/** Nix's parseUrlScheme: "tarball+https" is application "tarball", transport "https". */
export function parseUrlScheme(scheme: string): { application?: string; transport: string } {
  const plus = scheme.indexOf("+");
  return plus < 0
    ? { transport: scheme }
    : { application: scheme.slice(0, plus), transport: scheme.slice(plus + 1) };
}

/** The query part of a URL; a parameter without '=' is skipped (Nix warns "dubious URI query"). */
export function decodeQuery(
  query: string,
  lenient = false,
  warn?: (msg: string) => void,
): Map<string, string> {
  const q = lenient ? encodeChars(query, ' "') : query;
  if (!validChars(q, ALLOWED.query)) throw new BadURL(`invalid URI query '${query}'`);
  const result = new Map<string, string>();
  if (q === "") return result;
  for (const param of q.split("&")) {
    const eq = param.indexOf("=");
    if (eq < 0) {
      warn?.(`dubious URI query '${percentDecode(param)}' is missing equal sign '='`);
      continue;
    }
    const key = percentDecode(param.slice(0, eq));
    if (!result.has(key)) result.set(key, percentDecode(param.slice(eq + 1)));
  }
  return result;
}

function encodeChars(s: string, chars: string): string {
  let out = "";
  for (const c of s) out += chars.includes(c) ? percentEncode(c) : c;
  return out;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/**
 * Nix's parseURL. `lenient` (as flake references are parsed) also accepts unescaped spaces and
 * double quotes in the query, and those plus `^` in the fragment.
 */
export function parseURL(url: string, lenient = false): ParsedURL {
  const s = lenient ? fixLenient(url) : url;
  const colon = s.indexOf(":");
  const scheme = colon < 0 ? "" : s.slice(0, colon);
  if (!SCHEME.test(scheme)) throw new BadURL(`'${url}' is not a valid URL`);
  let rest = s.slice(colon + 1);
  let fragment: string | undefined;
  let query: string | undefined;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const qm = rest.indexOf("?");
  if (qm >= 0) {
    query = rest.slice(qm + 1);
    rest = rest.slice(0, qm);
  }
  let authority: Authority | undefined;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const end = slash < 0 ? rest.length : slash;
    authority = parseAuthority(rest.slice(2, end));
    rest = rest.slice(end);
  }
  if (!validChars(rest, ALLOWED.path) || (fragment !== undefined && !validChars(fragment, ALLOWED.query)))
    throw new BadURL(`'${url}' is not a valid URL`);
  const transportIsFile = parseUrlScheme(scheme).transport === "file";
  if (authority && authority.host !== "" && transportIsFile)
    throw new BadURL(`file:// URL '${url}' has unexpected authority '${authorityToString(authority)}'`);
  const path = rest.split("/").map(percentDecode);
  const parsed: ParsedURL = {
    scheme,
    path,
    query: query === undefined ? new Map() : decodeQuery(query),
    fragment: fragment === undefined ? "" : percentDecode(fragment),
  };
  if (authority) parsed.authority = authority;
  return parsed;
}

function fixLenient(url: string): string {
  let fixed = "";
  let view = url;
  const qm = view.indexOf("?");
  if (qm >= 0) {
    fixed += view.slice(0, qm + 1);
    view = view.slice(qm + 1);
    const hash = view.indexOf("#");
    const end = hash < 0 ? view.length : hash;
    fixed += encodeChars(view.slice(0, end), ' "');
    view = view.slice(end);
  }
  const hash = view.indexOf("#");
  if (hash >= 0) return fixed + view.slice(0, hash + 1) + encodeChars(view.slice(hash + 1), ' "^');
  return fixed + view;
}

export function encodeUrlPath(path: readonly string[]): string {
  return path.map((p) => percentEncode(p, ":@")).join("/");
}

export function encodeQuery(query: ReadonlyMap<string, string>): string {
  return [...query.keys()]
    .sort(compareBytewise)
    .map((k) => percentEncode(k, ":@/?") + "=" + percentEncode(query.get(k)!, ":@/?"))
    .join("&");
}

/** std::map<std::string> order: by UTF-8 bytes (UTF-16 code units agree for the BMP). */
export function compareBytewise(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function urlToString(url: ParsedURL): string {
  let out = url.scheme + ":";
  if (url.authority) out += "//" + authorityToString(url.authority);
  out += encodeUrlPath(url.path);
  if (url.query.size > 0) out += "?" + encodeQuery(url.query);
  if (url.fragment !== "") out += "#" + percentEncode(url.fragment);
  return out;
}

/** The path segments, without the empty ones (Nix's pathSegments(skipEmpty = true)). */
export function nonEmptySegments(url: ParsedURL): string[] {
  return url.path.filter((s) => s !== "");
}

/** Nix's renderUrlPathEnsureLegal: the path as a file name; no segment may hold '/' or NUL. */
export function renderUrlPathEnsureLegal(path: readonly string[]): string {
  for (const comp of path) {
    if (comp.includes("/"))
      throw new BadURL(`URL path component '${comp}' contains '/', which is not allowed in file names`);
    if (comp.includes("\0"))
      throw new BadURL(`URL path component '${comp}' contains NUL byte which is not allowed`);
  }
  return path.join("/");
}

const GIT_SCHEMES = new Set(
  ["ssh", "http", "https", "file", "ftp", "ftps", "git"].flatMap((s) => [s, "git+" + s]),
);

/**
 * Nix's fixGitURL: an absolute path becomes a file:// URL, `host:path` (SCP style) an ssh:// URL,
 * anything else is parsed as a URL with a "git+" application prefix dropped.
 */
export function fixGitURL(url: string, warn?: (msg: string) => void): ParsedURL {
  if (url.startsWith("/"))
    return {
      scheme: "file",
      authority: { hostType: "name", host: "" },
      path: url.split("/"),
      query: new Map(),
      fragment: "",
    };
  const scp = scpStyle(url, warn);
  if (scp) return scp;
  const parsed = parseURL(url);
  const s = parseUrlScheme(parsed.scheme);
  if (s.application === "git") parsed.scheme = s.transport;
  return parsed;
}

function scpStyle(url: string, warn?: (msg: string) => void): ParsedURL | null {
  if (url.includes("://")) return null;
  const colon = url.indexOf(":");
  if (colon < 0) return null;
  const hostPart = url.slice(0, colon);
  if (hostPart.includes("/") || GIT_SCHEMES.has(hostPart)) return null;
  const pathView = url.slice(colon + 1);
  const at = hostPart.indexOf("@");
  const user = at < 0 ? undefined : hostPart.slice(0, at);
  const hostName = at < 0 ? hostPart : hostPart.slice(at + 1);
  const authority: Authority = IPV4.test(hostName)
    ? { hostType: "ipv4", host: hostName }
    : hostName.startsWith("[") && hostName.endsWith("]")
      ? { hostType: "ipv6", host: hostName.slice(1, -1) }
      : { hostType: "name", host: hostName };
  if (user !== undefined) authority.user = user;
  if (pathView === "") throw new BadURL(`SCP-style Git URL '${url}' has an empty path`);
  const path = pathView.split("/");
  if (path[0] !== "") {
    path.unshift("");
    if (!path[1]!.startsWith("~"))
      warn?.(
        `SCP-style URL '${url}' has a relative path which cannot be faithfully converted to an SSH URL: ` +
          "we will convert it to an absolute path when making an SSH URL.",
      );
  }
  return { scheme: "ssh", authority, path, query: new Map(), fragment: "" };
}
