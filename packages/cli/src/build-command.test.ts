import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSettings, parseBuildArgs } from "./build-command.js";

const conf = mkdtempSync(join(tmpdir(), "tsnix-buildconf-"));
afterAll(() => rmSync(conf, { recursive: true, force: true }));

describe("tsnix build's command line", () => {
  it("takes nix-build's own flags and leaves the rest to nix-instantiate's parser", () => {
    const r = parseBuildArgs([
      "-E",
      "x",
      "-A",
      "a",
      "-o",
      "out",
      "-j",
      "3",
      "--cores",
      "2",
      "--store",
      "/s",
      "-Q",
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.options.outLink).toBe("out");
    expect(r.options.quiet).toBe(true);
    expect(r.options.eval.fromArgs).toBe(true);
    expect(r.options.eval.attrPaths).toEqual(["a"]);
    expect(r.options.eval.settings).toMatchObject({ "max-jobs": "3", cores: "2", store: "/s" });
    const none = parseBuildArgs(["f.nix", "--no-out-link"]);
    expect(none.ok && none.options.outLink).toBe(null);
    expect(
      parseBuildArgs(["f.nix"]).ok &&
        (parseBuildArgs(["f.nix"]) as { options: { outLink: string } }).options.outLink,
    ).toBe("result");
  });

  it("reports bad flags", () => {
    expect(parseBuildArgs(["--out-link"])).toEqual({
      ok: false,
      message: "flag '--out-link' requires 1 argument",
    });
    expect(parseBuildArgs(["--no-such-flag"]).ok).toBe(false);
  });

  it("settings: nix.conf then the command line; extra-sandbox-paths add to the default", () => {
    writeFileSync(join(conf, "nix.conf"), "max-jobs = 7\nextra-sandbox-paths = /a\nsandbox = true\n");
    const r = parseBuildArgs(["f.nix", "--option", "extra-sandbox-paths", "/b /c", "--timeout", "5"]);
    if (!r.ok) throw new Error(r.message);
    const { settings, extraSandboxPaths } = buildSettings(r.options.eval, {
      NIX_CONF_DIR: conf,
      NIX_USER_CONF_FILES: "",
    });
    expect(settings["max-jobs"]).toBe("7");
    expect(settings.timeout).toBe("5");
    expect(settings["sandbox-paths"]).toBe("/a /b /c");
    expect(extraSandboxPaths).toEqual(["/a", "/b", "/c"]);
  });
});
