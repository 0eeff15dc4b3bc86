// fetchurl / fetchTarball / fetchTree over an in-memory EvalIO. Store paths are Nix 2.8's
// (nix-instantiate on /tmp/fg/hello.txt = "hello fetchurl\n" and on a tarball of GOLDEN_PKG).
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { GOLDEN_PKG, writeTar } from "../../../nix-compat/src/test-support/tar-writer.js";
import { Evaluator, IOError, createMemoryIO, type EvalIO, type EvalStore } from "../index.js";
import { nixErrorText } from "../test-support/errors.js";

const HELLO = "/nix/store/3ay25cl2lpykmx07i7m22qxz7zwzqmvy-hello.txt";
const HELLO_SHA256 = "113a52l57f2jv9fh9igj2xh2mi0is40flxbkqi69wbh7nlybkcbm";
const PKG = "/nix/store/qyzpkzgz93l2fsnkjdnd8gvmfcdhznsb-source";
const PKG_NAMED = "/nix/store/6q5hhb1s1m76n1iq8rj6m6d9q1mlf8d5-pkg";
const PKG_NAR = "sha256-C/k6oW9v8ljHUYstWLBUQK5jKEHKldyE6tayxPyBqoY=";
const PKG_SHA256 = "11mah7yc9cnnxa2dr5fa84l67bj0ajq5hbcba73miwkgdyhkmy8b";

const TARBALL = gzipSync(writeTar(GOLDEN_PKG));

interface Harness {
  ev: Evaluator;
  added: string[];
  fetched: string[];
}

function harness(opts: { network?: boolean; valid?: string[]; pure?: boolean } = {}): Harness {
  const base = createMemoryIO({ "/tmp/fg/hello.txt": "hello fetchurl\n", "/src/dir/f": "f\n" });
  const added: string[] = [];
  const fetched: string[] = [];
  const remote = new Map<string, Uint8Array>([
    ["https://example.org/hello.txt", new TextEncoder().encode("hello fetchurl\n")],
    ["https://example.org/pkg.tar.gz", TARBALL],
  ]);
  const store: EvalStore = {
    addToStore: (req) => void added.push(req.path),
    isValidPath: (p) => (opts.valid ?? []).includes(p) || added.includes(p),
  };
  const io: EvalIO = {
    ...base,
    store,
    decompress: (bytes, format) => {
      if (format !== "gzip") throw new Error("test IO: gzip only");
      return new Uint8Array(gunzipSync(bytes));
    },
    mtime: () => 1_600_000_000,
  };
  if (opts.network === true)
    io.fetchUrl = (url) => {
      fetched.push(url);
      const b = remote.get(url) ?? (url.startsWith("file://") ? base.readFileBytes(url.slice(7)) : undefined);
      if (b === undefined) throw new IOError(`unable to download '${url}': HTTP error 404`);
      return b;
    };
  return { ev: new Evaluator({ io, pureEval: opts.pure ?? false }), added, fetched };
}

const evalJS = (h: Harness, expr: string): unknown => h.ev.toJS(h.ev.evalString(expr));

function errorOf(h: Harness, expr: string): string {
  return nixErrorText(() => h.ev.forceDeep(h.ev.evalString(expr)), expr);
}

describe("builtins.fetchurl", () => {
  test("file:// URLs are read through EvalIO and added flat (Nix 2.8's path)", () => {
    const h = harness();
    expect(evalJS(h, `builtins.fetchurl "file:///tmp/fg/hello.txt"`)).toBe(HELLO);
    expect(h.added).toEqual([HELLO]);
    expect(
      evalJS(h, `builtins.fetchurl { url = "file:///tmp/fg/hello.txt"; sha256 = "${HELLO_SHA256}"; }`),
    ).toBe(HELLO);
  });

  test("the result carries its store path as context", () => {
    const h = harness();
    expect(
      evalJS(h, `builtins.attrNames (builtins.getContext (builtins.fetchurl "file:///tmp/fg/hello.txt"))`),
    ).toEqual([HELLO]);
  });

  test("a pinned path already in the store is returned without downloading", () => {
    const h = harness({ network: true, valid: [HELLO] });
    expect(
      evalJS(h, `builtins.fetchurl { url = "https://example.org/hello.txt"; sha256 = "${HELLO_SHA256}"; }`),
    ).toBe(HELLO);
    expect(h.fetched).toEqual([]);
  });

  test("downloads go through fetchUrl once per evaluation", () => {
    const h = harness({ network: true });
    expect(
      evalJS(
        h,
        `[ (builtins.fetchurl "https://example.org/hello.txt") (builtins.fetchurl "https://example.org/hello.txt") ]`,
      ),
    ).toEqual([HELLO, HELLO]);
    expect(h.fetched).toEqual(["https://example.org/hello.txt"]);
  });

  test("hash mismatch, name, pure-mode and argument errors use Nix's wording", () => {
    const h = harness();
    const zero = "0".repeat(52);
    expect(
      errorOf(h, `builtins.fetchurl { url = "file:///tmp/fg/hello.txt"; sha256 = "${zero}"; }`),
    ).toContain(
      `hash mismatch in file downloaded from 'file:///tmp/fg/hello.txt':\n         specified: sha256:${zero}\n         got:       sha256:${HELLO_SHA256}`,
    );
    expect(errorOf(h, `builtins.fetchurl "https://example.com/~x"`)).toContain(
      "invalid store path name when fetching URL 'https://example.com/~x': name '~x' contains illegal character '~'. Please pass an attribute set with 'url' and 'name' attributes to 'fetchurl',  so that it can create a valid store path.",
    );
    expect(errorOf(h, `builtins.fetchurl { name = "x"; }`)).toContain("'url' argument required");
    expect(errorOf(h, `builtins.fetchurl { url = "file:///a"; foo = 1; }`)).toContain(
      "unsupported argument 'foo' to 'fetchurl'",
    );
    expect(errorOf(harness({ pure: true }), `builtins.fetchurl "file:///tmp/fg/hello.txt"`)).toContain(
      "in pure evaluation mode, 'fetchurl' requires a 'sha256' argument",
    );
    expect(errorOf(h, `builtins.fetchurl "file:///tmp/fg/missing"`)).toContain(
      "unable to download 'file:///tmp/fg/missing': Couldn't read a file:// file (37)",
    );
  });

  test("without a fetchUrl hook, http(s) is a clear error", () => {
    expect(errorOf(harness(), `builtins.fetchurl "https://example.org/hello.txt"`)).toContain(
      "fetching 'https://example.org/hello.txt' needs network access, which this evaluation does not have",
    );
  });
});

describe("builtins.fetchTarball", () => {
  test("unpacks into a NAR-hashed tree named source (Nix 2.8's paths), with or without sha256", () => {
    const h = harness({ network: true });
    expect(evalJS(h, `fetchTarball "https://example.org/pkg.tar.gz"`)).toBe(PKG);
    expect(evalJS(h, `builtins.fetchTarball { url = "https://example.org/pkg.tar.gz"; name = "pkg"; }`)).toBe(
      PKG_NAMED,
    );
    expect(
      evalJS(
        h,
        `builtins.fetchTarball { url = "https://example.org/pkg.tar.gz"; sha256 = "${PKG_SHA256}"; }`,
      ),
    ).toBe(PKG);
    expect(h.fetched).toEqual(["https://example.org/pkg.tar.gz"]);
  });

  test("a wrong sha256 and a download failure are reported", () => {
    const h = harness({ network: true });
    expect(
      errorOf(
        h,
        `builtins.fetchTarball { url = "https://example.org/pkg.tar.gz"; sha256 = "${HELLO_SHA256}"; }`,
      ),
    ).toContain(`got:       sha256:${PKG_SHA256}`);
    expect(errorOf(h, `builtins.fetchTarball "https://example.org/nope.tar.gz"`)).toContain(
      "unable to download 'https://example.org/nope.tar.gz': HTTP error 404",
    );
  });
});

describe("builtins.fetchTree", () => {
  test("type tarball: outPath, narHash, lastModified(Date) from the newest member", () => {
    const h = harness({ network: true });
    expect(
      evalJS(h, `builtins.fetchTree { type = "tarball"; url = "https://example.org/pkg.tar.gz"; }`),
    ).toEqual({
      outPath: PKG,
      narHash: PKG_NAR,
      lastModified: 1_795_311_616,
      lastModifiedDate: "20261122014016",
    });
    expect(evalJS(h, `(builtins.fetchTree "https://example.org/pkg.tar.gz").narHash`)).toBe(PKG_NAR);
  });

  test("type file: the file NAR-hashed under the name source; narHash is checked", () => {
    const h = harness();
    const r = evalJS(h, `builtins.fetchTree { type = "file"; url = "file:///tmp/fg/hello.txt"; }`) as Record<
      string,
      string
    >;
    expect(Object.keys(r)).toEqual(["narHash", "outPath"]);
    expect(r.outPath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-source$/);
    expect(
      evalJS(
        h,
        `(builtins.fetchTree { type = "file"; url = "file:///tmp/fg/hello.txt"; narHash = "${r.narHash}"; }).outPath`,
      ),
    ).toBe(r.outPath);
    const wrong = PKG_NAR;
    expect(
      errorOf(
        h,
        `builtins.fetchTree { type = "file"; url = "file:///tmp/fg/hello.txt"; narHash = "${wrong}"; }`,
      ),
    ).toContain(
      // The input is shown with Nix's encodeQuery, which keeps '/' (allowedInQuery ":@/?") and encodes '='.
      `NAR hash mismatch in input 'file:///tmp/fg/hello.txt?narHash=sha256-C/k6oW9v8ljHUYstWLBUQK5jKEHKldyE6tayxPyBqoY%3D', expected '${wrong}' but got '${r.narHash}'`,
    );
  });

  test("type path: copied as source, lastModified from EvalIO.mtime", () => {
    const h = harness();
    const r = evalJS(h, `builtins.fetchTree { type = "path"; path = "/src/dir"; }`) as Record<
      string,
      unknown
    >;
    expect(r.lastModified).toBe(1_600_000_000);
    expect(r.lastModifiedDate).toBe("20200913122640");
    expect(r.outPath).toMatch(/-source$/);
    expect(evalJS(h, `(builtins.fetchTree "path:/src/dir").outPath`)).toBe(r.outPath);
    expect(
      evalJS(h, `(builtins.fetchTree { type = "path"; path = /src/dir; lastModified = 5; }).lastModified`),
    ).toBe(5);
  });

  test("a string is a flake-style URL with requireTree: plain files need file+; every scheme validates", () => {
    const h = harness({ network: true });
    const viaUrl = evalJS(h, `(builtins.fetchTree "file+https://example.org/hello.txt").outPath`);
    expect(viaUrl).toBe(
      evalJS(h, `(builtins.fetchTree { type = "file"; url = "https://example.org/hello.txt"; }).outPath`),
    );
    const plain = evalJS(h, `(builtins.fetchTree "https://example.org/hello.txt").outPath`);
    expect(plain).not.toBe(viaUrl);
    expect(plain).toBe(
      evalJS(h, `(builtins.fetchTree { type = "tarball"; url = "https://example.org/hello.txt"; }).outPath`),
    );
    expect(errorOf(h, `builtins.fetchTree { type = "github"; owner = "a"; }`)).toContain(
      "input attribute 'repo' is missing",
    );
    expect(errorOf(h, `builtins.fetchTree "hg+https://example.org/x"`)).toContain(
      "input type 'hg' is not supported by tsnix yet",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "mercurial"; url = "https://x"; }`)).toContain(
      `cannot show unsupported input '{"type":"mercurial","url":"https://x"}'`,
    );
  });

  test("argument errors", () => {
    const h = harness();
    expect(errorOf(h, `builtins.fetchTree { url = "x"; }`)).toContain(
      "argument 'type' is missing in call to 'fetchTree'",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "file"; url = "file:///a"; foo = "x"; }`)).toContain(
      "input attribute 'foo' not supported by scheme 'file'",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "file"; url = "file:///a"; name = "x"; }`)).toContain(
      "argument 'name' isn\u2019t supported in call to 'fetchTree'",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "file"; url = [ ]; }`)).toContain(
      "argument 'url' to 'fetchTree' is a list while a string, Boolean or integer is expected",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "git"; url = "https://x"; }`)).toContain(
      "fetching git repositories over the network is not supported by tsnix yet",
    );
    expect(errorOf(h, `builtins.fetchTree "github:NixOS/nix"`)).toContain(
      "input type 'github' is not supported",
    );
    expect(errorOf(h, `builtins.fetchTree "foo:bar"`)).toContain("input 'foo:bar' is unsupported");
    expect(errorOf(h, `builtins.fetchTree { type = "path"; path = "rel"; }`)).toContain(
      "cannot fetch input 'path:rel' because it uses a relative path",
    );
    expect(errorOf(harness({ pure: true }), `builtins.fetchTree "path:/src/dir"`)).toContain(
      "in pure evaluation mode, 'fetchTree' doesn't fetch unlocked input 'path:/src/dir'",
    );
    expect(errorOf(h, `builtins.fetchTree "file:///src/dir.tar.gz"`)).toContain(
      "tarball '/src/dir.tar.gz' does not exist.",
    );
    expect(errorOf(h, `builtins.fetchTree { type = "tarball"; url = "file:///src/dir"; }`)).toContain(
      "tarball '/src/dir' is a directory, not a file.",
    );
  });
});
