// builtins.parseFlakeRef / builtins.flakeRefToString against Nix's own expectations.
// Sources of the expected values (NixOS/nix):
//   [T] src/libflake-tests/flakeref.cc (parseFlakeRef tests, InputFromURL table, doesntReencodeUrl)
//   [M] doc/manual/source/command-ref/new-cli/nix3-flake.md ("Flake references": the example refs)
//   [C] tests/functional/lang/eval-okay-parse-flake-ref.nix / eval-okay-flake-ref-to-string.nix
//   [S] derived from the source (libfetchers/*.cc, libutil/url.cc); the comment names the rule.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { fixGitURL, parseURL, percentDecode, percentEncode, urlToString } from "./url.js";

const REV = "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed";
const DWARFFS_REV = "e486d8d40e626a20e06d792db8cc5ac5aba9a5b4";
const NAR = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

function evaluator(settings: Record<string, string> = {}): Evaluator {
  return new Evaluator({ io: createMemoryIO({}, {}), settings });
}
const nixStr = (s: string) => JSON.stringify(s).replace(/\$/g, "\\$");

function parse(ref: string): unknown {
  const ev = evaluator();
  return ev.toJS(ev.evalString(`builtins.parseFlakeRef ${nixStr(ref)}`));
}
function toStr(attrsExpr: string): unknown {
  const ev = evaluator();
  return ev.toJS(ev.evalString(`builtins.flakeRefToString ${attrsExpr}`));
}
function roundTrip(ref: string): unknown {
  const ev = evaluator();
  return ev.toJS(ev.evalString(`builtins.flakeRefToString (builtins.parseFlakeRef ${nixStr(ref)})`));
}
function errorOf(expr: string): string {
  const ev = evaluator();
  try {
    ev.forceDeep(ev.evalString(expr));
  } catch (e) {
    if (e instanceof NixError) return e.message;
    throw e;
  }
  throw new Error(`no error from ${expr}`);
}

type Case = [source: string, ref: string, attrs: Record<string, unknown>, str: string];

const CASES: Case[] = [
  // ---- indirect
  ["T", "flake:nixpkgs", { type: "indirect", id: "nixpkgs" }, "flake:nixpkgs"],
  ["T", "flake:nixpkgs/branch", { type: "indirect", id: "nixpkgs", ref: "branch" }, "flake:nixpkgs/branch"],
  ["T", "nixpkgs/branch", { type: "indirect", id: "nixpkgs", ref: "branch" }, "flake:nixpkgs/branch"],
  [
    "T",
    `nixpkgs/branch/${REV}`,
    { type: "indirect", id: "nixpkgs", ref: "branch", rev: REV },
    `flake:nixpkgs/branch/${REV}`,
  ],
  ["T", "nixpkgs/branch////", { type: "indirect", id: "nixpkgs", ref: "branch" }, "flake:nixpkgs/branch"],
  [
    "T",
    `nixpkgs/branch///${REV}///`,
    { type: "indirect", id: "nixpkgs", ref: "branch", rev: REV },
    `flake:nixpkgs/branch/${REV}`,
  ],
  [
    "T",
    "flake:/nixpkgs///branch////",
    { type: "indirect", id: "nixpkgs", ref: "branch" },
    "flake:nixpkgs/branch",
  ],
  ["M", "nixpkgs", { type: "indirect", id: "nixpkgs" }, "flake:nixpkgs"],
  [
    "M",
    "nixpkgs/nixos-unstable",
    { type: "indirect", id: "nixpkgs", ref: "nixos-unstable" },
    "flake:nixpkgs/nixos-unstable",
  ],
  [
    "M",
    "nixpkgs/a3a3dda3bacf61e8a39258a0ed9c924eeca8e293",
    { type: "indirect", id: "nixpkgs", rev: "a3a3dda3bacf61e8a39258a0ed9c924eeca8e293" },
    "flake:nixpkgs/a3a3dda3bacf61e8a39258a0ed9c924eeca8e293",
  ],
  [
    "M",
    "nixpkgs/nixos-unstable/a3a3dda3bacf61e8a39258a0ed9c924eeca8e293",
    {
      type: "indirect",
      id: "nixpkgs",
      ref: "nixos-unstable",
      rev: "a3a3dda3bacf61e8a39258a0ed9c924eeca8e293",
    },
    "flake:nixpkgs/nixos-unstable/a3a3dda3bacf61e8a39258a0ed9c924eeca8e293",
  ],
  ["M", "sub/dir", { type: "indirect", id: "sub", ref: "dir" }, "flake:sub/dir"],
  // ---- path
  ["T", "/foo/bar", { type: "path", path: "/foo/bar" }, "path:/foo/bar"],
  [
    "T",
    `/foo/bar?revCount=123&rev=${"a".repeat(40)}`,
    { type: "path", path: "/foo/bar", rev: "a".repeat(40), revCount: 123 },
    `path:/foo/bar?rev=${"a".repeat(40)}&revCount=123`,
  ],
  [
    "T",
    "/foo bar/baz?dir=bla space",
    { type: "path", path: "/foo bar/baz", dir: "bla space" },
    "path:/foo%20bar/baz?dir=bla%20space",
  ],
  ["M", "path:/home/user/sub/dir", { type: "path", path: "/home/user/sub/dir" }, "path:/home/user/sub/dir"],
  ["M", "path:sub/dir", { type: "path", path: "sub/dir" }, "path:sub/dir"],
  ["M", "path:../parent", { type: "path", path: "../parent" }, "path:../parent"],
  [
    "S", // path.cc: lastModified is an integer attribute
    "path:/nix/store/x-source?lastModified=1585388205",
    { type: "path", path: "/nix/store/x-source", lastModified: 1585388205 },
    "path:/nix/store/x-source?lastModified=1585388205",
  ],
  // ---- git
  [
    "T",
    "git://somewhere/repo?ref=branch",
    { type: "git", ref: "branch", url: "git://somewhere/repo" },
    "git://somewhere/repo?ref=branch",
  ],
  [
    "T",
    "git+https://somewhere.aaaaaaa/repo?ref=branch",
    { type: "git", ref: "branch", url: "https://somewhere.aaaaaaa/repo" },
    "git+https://somewhere.aaaaaaa/repo?ref=branch",
  ],
  ["M", "git:/home/user/sub/dir", { type: "git", url: "git:/home/user/sub/dir" }, "git:/home/user/sub/dir"],
  [
    "M",
    "git+https://example.org/my/repo",
    { type: "git", url: "https://example.org/my/repo" },
    "git+https://example.org/my/repo",
  ],
  [
    "M",
    "git+https://example.org/my/repo?dir=flake1",
    { type: "git", url: "https://example.org/my/repo", dir: "flake1" },
    "git+https://example.org/my/repo?dir=flake1",
  ],
  [
    "M",
    "git+https://example.org/my/repo?shallow=1",
    { type: "git", url: "https://example.org/my/repo", shallow: true },
    "git+https://example.org/my/repo?shallow=1",
  ],
  [
    "M",
    "git+ssh://git@github.com/NixOS/nix?ref=v1.2.3",
    { type: "git", url: "ssh://git@github.com/NixOS/nix", ref: "v1.2.3" },
    "git+ssh://git@github.com/NixOS/nix?ref=v1.2.3",
  ],
  [
    "M",
    `git://github.com/edolstra/dwarffs?ref=unstable&rev=${DWARFFS_REV}`,
    { type: "git", url: "git://github.com/edolstra/dwarffs", ref: "unstable", rev: DWARFFS_REV },
    `git://github.com/edolstra/dwarffs?ref=unstable&rev=${DWARFFS_REV}`,
  ],
  [
    "M",
    "git+file:///home/my-user/some-repo/some-repo",
    { type: "git", url: "file:///home/my-user/some-repo/some-repo" },
    "git+file:///home/my-user/some-repo/some-repo",
  ],
  [
    "S", // git.cc: submodules is a Boolean; unknown parameters stay in the url
    "git+https://example.org/my/repo?submodules=1&foo=bar",
    { type: "git", url: "https://example.org/my/repo?foo=bar", submodules: true },
    "git+https://example.org/my/repo?foo=bar&submodules=1",
  ],
  // ---- github / gitlab / sourcehut
  [
    "C",
    "github:NixOS/nixpkgs/23.05?dir=lib",
    { type: "github", owner: "NixOS", repo: "nixpkgs", ref: "23.05", dir: "lib" },
    "github:NixOS/nixpkgs/23.05?dir=lib",
  ],
  [
    "T",
    "github:foo/bar/branch%23",
    { type: "github", owner: "foo", repo: "bar", ref: "branch#" },
    "github:foo/bar/branch%23",
  ],
  [
    "T",
    "github:foo/bar?ref=branch%23",
    { type: "github", owner: "foo", repo: "bar", ref: "branch#" },
    "github:foo/bar/branch%23",
  ],
  [
    "T",
    "github://////owner%42/////repo%41///branch%43////",
    { type: "github", owner: "ownerB", repo: "repoA", ref: "branchC" },
    "github:ownerB/repoA/branchC",
  ],
  [
    "T",
    "gitlab:/owner%252Fsubgroup/////repo%41///branch%43////",
    { type: "gitlab", owner: "owner%2Fsubgroup", repo: "repoA", ref: "branchC" },
    "gitlab:owner%252Fsubgroup/repoA/branchC",
  ],
  [
    "M",
    "github:edolstra/dwarffs",
    { type: "github", owner: "edolstra", repo: "dwarffs" },
    "github:edolstra/dwarffs",
  ],
  [
    "M",
    "github:edolstra/dwarffs/unstable",
    { type: "github", owner: "edolstra", repo: "dwarffs", ref: "unstable" },
    "github:edolstra/dwarffs/unstable",
  ],
  [
    "M",
    "github:edolstra/dwarffs/d3f2baba8f425779026c6ec04021b2e927f61e31",
    { type: "github", owner: "edolstra", repo: "dwarffs", rev: "d3f2baba8f425779026c6ec04021b2e927f61e31" },
    "github:edolstra/dwarffs/d3f2baba8f425779026c6ec04021b2e927f61e31",
  ],
  [
    "M",
    "github:internal/project?host=company-github.example.org",
    { type: "github", owner: "internal", repo: "project", host: "company-github.example.org" },
    "github:internal/project?host=company-github.example.org",
  ],
  [
    "M",
    "gitlab:veloren/veloren",
    { type: "gitlab", owner: "veloren", repo: "veloren" },
    "gitlab:veloren/veloren",
  ],
  [
    "M",
    "gitlab:veloren/veloren/master",
    { type: "gitlab", owner: "veloren", repo: "veloren", ref: "master" },
    "gitlab:veloren/veloren/master",
  ],
  [
    "M",
    "gitlab:veloren/veloren/80a4d7f13492d916e47d6195be23acae8001985a",
    { type: "gitlab", owner: "veloren", repo: "veloren", rev: "80a4d7f13492d916e47d6195be23acae8001985a" },
    "gitlab:veloren/veloren/80a4d7f13492d916e47d6195be23acae8001985a",
  ],
  [
    "M",
    "gitlab:openldap/openldap?host=git.openldap.org",
    { type: "gitlab", owner: "openldap", repo: "openldap", host: "git.openldap.org" },
    "gitlab:openldap/openldap?host=git.openldap.org",
  ],
  [
    "M",
    "gitlab:veloren%2Fdev/rfcs",
    { type: "gitlab", owner: "veloren/dev", repo: "rfcs" },
    "gitlab:veloren%2Fdev/rfcs",
  ],
  [
    "M",
    "sourcehut:~misterio/nix-colors",
    { type: "sourcehut", owner: "~misterio", repo: "nix-colors" },
    "sourcehut:~misterio/nix-colors",
  ],
  [
    "M",
    "sourcehut:~misterio/nix-colors/main",
    { type: "sourcehut", owner: "~misterio", repo: "nix-colors", ref: "main" },
    "sourcehut:~misterio/nix-colors/main",
  ],
  [
    "M",
    "sourcehut:~misterio/nix-colors?host=git.example.org",
    { type: "sourcehut", owner: "~misterio", repo: "nix-colors", host: "git.example.org" },
    "sourcehut:~misterio/nix-colors?host=git.example.org",
  ],
  [
    "M",
    "sourcehut:~misterio/nix-colors/21c1a380a6915d890d408e9f22203436a35bb2de?host=hg.sr.ht",
    {
      type: "sourcehut",
      owner: "~misterio",
      repo: "nix-colors",
      rev: "21c1a380a6915d890d408e9f22203436a35bb2de",
      host: "hg.sr.ht",
    },
    "sourcehut:~misterio/nix-colors/21c1a380a6915d890d408e9f22203436a35bb2de?host=hg.sr.ht",
  ],
  [
    "S", // github.cc toURL: narHash is printed in SRI form after the path
    `github:NixOS/nix/${REV}?narHash=${encodeURIComponent(NAR)}`,
    { type: "github", owner: "NixOS", repo: "nix", rev: REV, narHash: NAR },
    `github:NixOS/nix/${REV}?narHash=sha256-47DEQpj8HBSa%2B/TImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D`,
  ],
  // ---- tarball / file / mercurial
  [
    "T",
    "http://localhost:8181/test/+3d.tar.gz",
    { type: "tarball", url: "http://localhost:8181/test/%2B3d.tar.gz" },
    "http://localhost:8181/test/%2B3d.tar.gz",
  ],
  [
    "M",
    "https://github.com/NixOS/patchelf/archive/master.tar.gz",
    { type: "tarball", url: "https://github.com/NixOS/patchelf/archive/master.tar.gz" },
    "https://github.com/NixOS/patchelf/archive/master.tar.gz",
  ],
  [
    "S", // tarball.cc: a flake ref requires a tree, so an https URL without extension is a tarball
    "tarball+https://example.org/download?version=2",
    { type: "tarball", url: "https://example.org/download?version=2" },
    "https://example.org/download?version=2",
  ],
  [
    "S", // tarball.cc: file+ selects the file scheme; toURL prints the transport URL only
    "file+https://example.org/README.md",
    { type: "file", url: "https://example.org/README.md" },
    "https://example.org/README.md",
  ],
  [
    "S", // mercurial.cc: hg+ prefix, rev and ref become attrs
    "hg+https://hg.sr.ht/~misterio/nix-colors?ref=default",
    { type: "hg", url: "https://hg.sr.ht/~misterio/nix-colors", ref: "default" },
    "hg+https://hg.sr.ht/~misterio/nix-colors?ref=default",
  ],
];

describe("parseFlakeRef and flakeRefToString", () => {
  test("the table is big enough", () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  test.each(CASES)("[%s] %s", (_src, ref, attrs, str) => {
    expect(parse(ref)).toEqual(attrs);
    expect(roundTrip(ref)).toBe(str);
    // The printed form parses back to the same reference (Nix's round-trip check in [T]).
    expect(roundTrip(str)).toBe(str);
  });

  test("flakeRefToString takes the attrs form [C]", () => {
    expect(toStr(`{ type = "github"; owner = "NixOS"; repo = "nixpkgs"; ref = "23.05"; dir = "lib"; }`)).toBe(
      "github:NixOS/nixpkgs/23.05?dir=lib",
    );
    expect(toStr(`{ type = "path"; path = "/foo"; revCount = 5; lastModified = 7; }`)).toBe(
      "path:/foo?lastModified=7&revCount=5",
    );
    expect(toStr(`{ type = "git"; url = "https://x.org/r"; shallow = true; submodules = false; }`)).toBe(
      "git+https://x.org/r?shallow=1",
    );
    expect(toStr(`{ type = "git"; url = "/home/me/repo"; }`)).toBe("git+file:///home/me/repo");
    expect(toStr(`{ type = "git"; url = "git@github.com:/NixOS/nix.git"; }`)).toBe(
      "git+ssh://git@github.com/NixOS/nix.git",
    );
    expect(toStr(`{ type = "indirect"; id = "nixpkgs"; rev = "${REV.toUpperCase()}"; }`)).toBe(
      `flake:nixpkgs/${REV}`,
    );
    expect(toStr(`{ type = "tarball"; url = "https://x.org/a.tar.gz"; narHash = ""; }`)).toBe(
      "https://x.org/a.tar.gz?narHash=sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D",
    );
  });

  test("integer and Boolean attrs keep their types", () => {
    expect(parse("git+https://x.org/r?shallow=0&allRefs=1")).toEqual({
      type: "git",
      url: "https://x.org/r",
      shallow: false,
      allRefs: true,
    });
    expect(parse("https://x.org/a.tar.gz?revCount=12&lastModified=x")).toEqual({
      type: "tarball",
      url: "https://x.org/a.tar.gz",
      revCount: 12,
    });
  });
});

describe("errors", () => {
  test.each([
    // flakeref.cc: without a base directory only absolute paths are paths
    ["./foo", "flake reference './foo' is not an absolute path"],
    ["", "flake reference '' is not an absolute path"],
    // a URL that its scheme rejects with BadURL is retried as a path (flakeref.cc parseURLFlakeRef)
    ["github:foo", "flake reference 'github:foo' is not an absolute path"],
    [
      `github:a/b/c?rev=${REV}&ref=x`,
      `flake reference 'github:a/b/c?rev=${REV}&ref=x' is not an absolute path`,
    ],
    [
      "git+https://x.org/r?ref=a..b",
      "flake reference 'git+https://x.org/r?ref=a..b' is not an absolute path",
    ],
    ["github:a b/c", "flake reference 'github:a b/c' is not an absolute path"],
    // errors that are not BadURL are Nix's answer
    ["/foo/bar?xyzzy=123", "path URL 'path:///foo/bar?xyzzy=123' has unsupported parameter 'xyzzy'"],
    ["/foo/bar?revCount=x", "path URL 'path:///foo/bar?revCount=x' has invalid parameter 'revCount'"],
    ["/foo/bar#bla", "unexpected fragment 'bla' in flake reference '/foo/bar#bla'"],
    ["github:foo/bar#out", "unexpected fragment 'out' in flake reference 'github:foo/bar#out'"],
    ["foo:bar", "input 'foo:bar' is unsupported"],
    ["file+git:///x", "input 'file+git:///x' is unsupported; did you mean 'git+file' instead of 'file+git'?"],
    ["nixpkgs/a/b/c", "GitHub URL 'flake:nixpkgs/a/b/c' is invalid"],
    ["github:a/b?rev=abc", "hash 'abc' has wrong length for hash algorithm 'sha1'"],
    ["path://host/x", "path URL 'path://host/x' should not have an authority ('host')"],
  ])("parseFlakeRef %j", (ref, message) => {
    expect(errorOf(`builtins.parseFlakeRef ${nixStr(ref)}`)).toBe(message);
  });

  test.each([
    [`{ type = "github"; owner = "NixOS"; repo = -1; }`, "negative value given for flake ref attr repo: -1"],
    [
      `{ type = "github"; owner = "NixOS"; repo = 1.5; }`,
      "flake reference attribute sets may only contain integers, Booleans, and strings, but attribute 'repo' is a float",
    ],
    [
      `{ type = "github"; owner = [ ]; repo = "x"; }`,
      "flake reference attribute sets may only contain integers, Booleans, and strings, but attribute 'owner' is a list",
    ],
    [`{ owner = "a"; }`, "'type' attribute to specify input scheme is required but not provided"],
    [`{ type = 1; }`, `input attribute 'type' is not a string {"type":1}`],
    [`{ type = "github"; owner = "a"; }`, "input attribute 'repo' is missing"],
    [
      `{ type = "github"; owner = "a"; repo = "b"; foo = "c"; }`,
      "input attribute 'foo' not supported by scheme 'github'",
    ],
    [
      `{ type = "github"; owner = "a"; repo = 2; }`,
      `input attribute 'repo' is not a string {"owner":"a","repo":2,"type":"github"}`,
    ],
    [
      `{ type = "github"; owner = "a"; repo = "b"; ref = "x"; rev = "${REV}"; }`,
      `input {"owner":"a","ref":"x","repo":"b","rev":"${REV}","type":"github"} contains both a commit hash ('${REV}') and a branch/tag name ('x')`,
    ],
    [
      `{ type = "github"; owner = "a"; repo = "b"; ref = "a..b"; }`,
      `input {"owner":"a","ref":"a..b","repo":"b","type":"github"} contains an invalid branch/tag name`,
    ],
    [`{ type = "git"; url = "https://x"; ref = "a b"; }`, "invalid Git branch/tag name 'a b'"],
    [`{ type = "git"; url = "https://x"; shallow = "yes"; }`, "input attribute 'shallow' is not a Boolean"],
    [`{ type = "path"; path = "/x"; revCount = "3"; }`, "input attribute 'revCount' is not an integer"],
    [`{ type = "indirect"; id = "1x"; }`, "'1x' is not a valid flake ID"],
    [`{ type = "foo"; bar = 1; }`, `cannot show unsupported input '{"bar":1,"type":"foo"}'`],
    [
      `{ type = "path"; path = "/x"; dir = 1; }`,
      `input attribute 'dir' is not a string {"dir":1,"path":"/x","type":"path"}`,
    ],
    [
      `{ type = "tarball"; url = "https://x/a.zip"; narHash = "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA="; }`,
      "narHash must use SHA-256",
    ],
    [
      `{ type = "git"; url = "https://x"; publicKey = "k"; }`,
      "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
    ],
  ])("flakeRefToString %s", (attrs, message) => {
    expect(errorOf(`builtins.flakeRefToString ${attrs}`)).toBe(message);
  });

  test("the negative-integer error has Nix's trace (conformance case)", () => {
    const ev = evaluator();
    try {
      ev.evalString(
        `let n = -1; in builtins.seq n (builtins.flakeRefToString { type = "github"; owner = "NixOS"; repo = n; })`,
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NixError);
      const text = (e as NixError).format();
      expect(text).toContain("while calling the 'flakeRefToString' builtin");
      expect(text).toContain("error: negative value given for flake ref attr repo: -1");
    }
  });

  test("parseFlakeRef refuses a string with context and a non-string", () => {
    expect(errorOf(`builtins.parseFlakeRef 1`)).toBe("expected a string but found an integer: 1");
    expect(errorOf(`builtins.flakeRefToString "x"`)).toBe('expected a set but found a string: "x"');
  });
});

describe("robustness", () => {
  test("any string parses or fails with a Nix error, and what parses prints and re-parses", () => {
    const piece = fc.constantFrom(
      "github:",
      "git+",
      "https://",
      "path:",
      "/",
      "?",
      "#",
      "&",
      "=",
      "%",
      "%2F",
      "..",
      "a",
      "Z9",
      " ",
      "@",
      ":",
      "dir",
      "ref",
      "rev",
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((a) => a.join("")),
        (ref) => {
          const ev = evaluator();
          let printed: string;
          try {
            printed = ev.toJS(
              ev.evalString(`builtins.flakeRefToString (builtins.parseFlakeRef ${nixStr(ref)})`),
            ) as string;
          } catch (e) {
            expect(e).toBeInstanceOf(NixError);
            return;
          }
          expect(roundTrip(printed)).toBe(printed);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});

describe("url.ts", () => {
  test("percent-encoding keeps unreserved characters and the keep set, upper-case hex", () => {
    expect(percentEncode("a b+c/d:é")).toBe("a%20b%2Bc%2Fd%3A%C3%A9");
    expect(percentEncode("a:b@c/d", ":@")).toBe("a:b@c%2Fd");
    expect(percentDecode("a%20b%C3%A9")).toBe("a bé");
    expect(() => percentDecode("a%2")).toThrow("invalid URI parameter");
  });

  test("parse and print", () => {
    const u = parseURL("https://user:pw@example.org:8080/a%2Fb/c?z=1&a=%20#frag%20x");
    expect(u.authority).toEqual({
      hostType: "name",
      host: "example.org",
      user: "user",
      password: "pw",
      port: 8080,
    });
    expect(u.path).toEqual(["", "a/b", "c"]);
    expect([...u.query]).toEqual([
      ["z", "1"],
      ["a", " "],
    ]);
    expect(u.fragment).toBe("frag x");
    expect(urlToString(u)).toBe("https://user:pw@example.org:8080/a%2Fb/c?a=%20&z=1#frag%20x");
    expect(() => parseURL("https://x/a b")).toThrow("is not a valid URL");
    expect(parseURL('https://x/a?q=a b"c', true).query.get("q")).toBe('a b"c');
    expect(() => parseURL("file://host/x")).toThrow("has unexpected authority");
    expect(() => parseURL("http://x:99999/")).toThrow("port '99999' is invalid");
  });

  test("fixGitURL", () => {
    expect(urlToString(fixGitURL("/a/b"))).toBe("file:///a/b");
    expect(urlToString(fixGitURL("git@github.com:NixOS/nix.git"))).toBe("ssh://git@github.com/NixOS/nix.git");
    expect(urlToString(fixGitURL("git+https://x.org/r"))).toBe("https://x.org/r");
  });
});
