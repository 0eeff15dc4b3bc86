import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boolSetting, loadNixConfig, parseConfig, type Settings } from "./nixconf.js";
import { createProgress } from "./progress.js";
import { buildSearchPath, findInSearchPath, splitNixPath } from "./searchpath.js";

describe("nix.conf", () => {
  it("reads name = value lines, comments, extra- and includes", () => {
    const d = mkdtempSync(join(tmpdir(), "tsnix-conf-"));
    writeFileSync(join(d, "extra.conf"), "max-call-depth = 50\n");
    const s: Settings = {};
    parseConfig(
      "show-trace = true # why not\nexperimental-features =\nextra-experimental-features = a b\ninclude extra.conf\n!include missing.conf\nbogus line\n",
      d,
      s,
    );
    expect(s).toEqual({ "show-trace": "true", "experimental-features": "a b", "max-call-depth": "50" });
    expect(boolSetting(s, "show-trace", false)).toBe(true);
    expect(boolSetting(s, "pure-eval", true)).toBe(true);
  });

  it("layers NIX_CONF_DIR, user files and NIX_CONFIG in Nix's order", () => {
    const d = mkdtempSync(join(tmpdir(), "tsnix-conf-"));
    mkdirSync(join(d, "etc"));
    mkdirSync(join(d, "home/.config/nix"), { recursive: true });
    writeFileSync(join(d, "etc/nix.conf"), "show-trace = true\nsystem = a\n");
    writeFileSync(join(d, "home/.config/nix/nix.conf"), "system = b\n");
    const s = loadNixConfig({
      NIX_CONF_DIR: join(d, "etc"),
      HOME: join(d, "home"),
      NIX_CONFIG: "pure-eval = true",
    });
    expect(s).toEqual({ "show-trace": "true", system: "b", "pure-eval": "true" });
  });
});

describe("search path", () => {
  it("splits NIX_PATH on colons but not inside URLs", () => {
    expect(splitNixPath("a:b=c:nixpkgs=https://x.org/a.tar.gz:d")).toEqual([
      "a",
      "b=c",
      "nixpkgs=https://x.org/a.tar.gz",
      "d",
    ]);
  });

  it("puts -I first and resolves relative paths against the working directory", () => {
    expect(buildSearchPath(["lang/dir1", "dir5=lang/dir3"], "lang/dir3:lang/dir4", "/w")).toEqual([
      { prefix: "", path: "/w/lang/dir1" },
      { prefix: "dir5", path: "/w/lang/dir3" },
      { prefix: "", path: "/w/lang/dir3" },
      { prefix: "", path: "/w/lang/dir4" },
    ]);
  });

  it("finds <p/q> by prefix, first existing match wins", () => {
    const d = mkdtempSync(join(tmpdir(), "tsnix-sp-"));
    mkdirSync(join(d, "one"));
    mkdirSync(join(d, "two"));
    writeFileSync(join(d, "two/a.nix"), "1");
    writeFileSync(join(d, "one/b.nix"), "1");
    const sp = buildSearchPath(["p=" + join(d, "one"), join(d, "two")], undefined, d);
    expect(findInSearchPath(sp, "a.nix")).toBe(join(d, "two/a.nix"));
    expect(findInSearchPath(sp, "p/b.nix")).toBe(join(d, "one/b.nix"));
    expect(findInSearchPath(sp, "p")).toBe(join(d, "one"));
    expect(findInSearchPath(sp, "zz.nix")).toBeNull();
  });
});

describe("progress", () => {
  const sink = (isTTY: boolean) => {
    const s = { isTTY, columns: 20, text: "", write: (t: string) => void (s.text += t) };
    return s;
  };

  it("is silent when not on a terminal, except for logged lines", () => {
    const s = sink(false);
    const p = createProgress(s, { minIntervalMs: 0 });
    p.update("working");
    p.log("a line");
    p.done();
    expect(s.text).toBe("a line\n");
  });

  it("redraws one status line on a terminal, truncated to its width", () => {
    const s = sink(true);
    const p = createProgress(s, { minIntervalMs: 0 });
    p.update("[1/2] a-rather-long-case-name");
    expect(s.text).toBe("\r\x1b[K[1/2] a-rather-lon…");
    s.text = "";
    p.log("FAIL: x");
    expect(s.text).toBe("\r\x1b[KFAIL: x\n\r\x1b[K[1/2] a-rather-lon…");
    s.text = "";
    p.done();
    expect(s.text).toBe("\r\x1b[K");
  });
});
