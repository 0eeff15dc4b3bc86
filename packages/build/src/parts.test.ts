// The pure and small parts: NAR dump, reference scanner, structured attrs, sandbox paths, errors.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { narBytes, narDirectory, narRegular, narSymlink, nix32Encode } from "@tsnix/nix-compat";
import { lastLogLines } from "./errors.js";
import { LocalBuilder } from "./local-builder.js";
import { dumpPath } from "./nar-dump.js";
import { ReferenceScanner } from "./refscan.js";
import { parseSandboxPaths, resolveSandboxPaths } from "./sandbox.js";
import {
  dumpJson,
  parseJsonPreservingNumbers,
  structuredAttrsShell,
  isJsonObject,
} from "./structured-attrs.js";
import { DirStore, makeDerivation } from "./testing.js";

describe("dumpPath", () => {
  it("streams the same bytes as nix-compat's NAR writer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnix-nar-"));
    try {
      const root = join(dir, "root");
      mkdirSync(join(root, "sub", "deeper"), { recursive: true });
      writeFileSync(join(root, "a"), "a");
      writeFileSync(join(root, "B"), "capital sorts first");
      writeFileSync(join(root, "sub", "run"), "#!/bin/sh\n", { mode: 0o755 });
      writeFileSync(join(root, "sub", "deeper", "big"), Buffer.alloc(200_000, 7));
      writeFileSync(join(root, "nine"), "123456789");
      symlinkSync("../a", join(root, "sub", "link"));
      const chunks: Uint8Array[] = [];
      await dumpPath(root, (c) => chunks.push(Uint8Array.from(c)));
      const expected = narBytes(
        narDirectory({
          a: narRegular("a"),
          B: narRegular("capital sorts first"),
          nine: narRegular("123456789"),
          sub: narDirectory({
            run: narRegular("#!/bin/sh\n", true),
            link: narSymlink("../a"),
            deeper: narDirectory({ big: narRegular(new Uint8Array(200_000).fill(7)) }),
          }),
        }),
      );
      expect(Buffer.concat(chunks).equals(Buffer.from(expected))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ReferenceScanner", () => {
  const hash = (i: number) => nix32Encode(new Uint8Array(20).fill(i));

  it("finds candidates wherever they are, also across chunk boundaries, and nothing else", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }), (cuts) => {
        const text = Buffer.from(`xx/nix/store/${hash(1)}-a ${hash(2)}\0${hash(3).slice(1)} ${hash(9)}`);
        const s = new ReferenceScanner([hash(1), hash(2), hash(3), hash(4)]);
        let pos = 0;
        for (const c of cuts) {
          s.update(text.subarray(pos, Math.min(text.length, pos + c)));
          pos = Math.min(text.length, pos + c);
        }
        s.update(text.subarray(pos));
        expect([...s.found].sort()).toEqual([hash(1), hash(2)].sort());
      }),
    );
  });
});

describe("structured attributes", () => {
  it("keeps number spellings and prints sorted compact JSON", () => {
    const text =
      '{"z": 1, "big": 12345678901234567890, "f": 1.5, "e": 1e100, "s": "\\u00e9\\n", "a": [true, null]}';
    expect(dumpJson(parseJsonPreservingNumbers(text))).toBe(
      '{"a":[true,null],"big":12345678901234567890,"e":1e100,"f":1.5,"s":"é\\n","z":1}',
    );
  });

  it("writes only what bash can hold", () => {
    const json = parseJsonPreservingNumbers(
      '{"ok":"it\'s","n":-3,"f":2.5,"t":true,"no":false,"nul":null,"arr":["a",1],"nested":[[1]],"obj":{"k":"v"},"deep":{"k":{}},"bad-name":"x"}',
    );
    if (!isJsonObject(json)) throw new Error("not an object");
    expect(structuredAttrsShell(json)).toBe(
      [
        "declare -a arr=('a' 1 )",
        "declare n=-3",
        "declare no=",
        "declare nul=''",
        "declare -A obj=(['k']='v' )",
        "declare ok='it'\\''s'",
        "declare t=1",
        "",
      ].join("\n"),
    );
  });
});

describe("sandbox paths", () => {
  it("parse as Nix's sandbox-paths", () => {
    expect(parseSandboxPaths(["/bin/sh", "/usr/bin/env=/bin/env", "/opt/x?"])).toEqual([
      { target: "/bin/sh", source: "/bin/sh", optional: false },
      { target: "/usr/bin/env", source: "/bin/env", optional: false },
      { target: "/opt/x", source: "/opt/x", optional: true },
    ]);
  });

  it("bring the libraries an executable needs; a missing optional path is skipped, a required one is an error", async () => {
    const resolved = await resolveSandboxPaths(["/bin/sh", "/does/not/exist?"]);
    expect(resolved[0]).toEqual({ target: "/bin/sh", source: "/bin/sh", optional: false });
    expect(resolved.some((p) => /libc\.so/.test(p.target))).toBe(true);
    await expect(resolveSandboxPaths(["/does/not/exist"])).rejects.toThrow(
      "path '/does/not/exist' is configured as part of the 'sandbox-paths' setting but does not exist",
    );
  });

  it("without bubblewrap, sandboxed builds fail clearly and name the opt-out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnix-nobwrap-"));
    try {
      const store = new DirStore("/nix/store", join(dir, "store"));
      const { drvPath, drv } = await makeDerivation(store, { name: "nobwrap", args: ["-c", "echo > $out"] });
      const b = new LocalBuilder({ store, bwrap: "/nonexistent/bwrap" });
      await expect(b.build({ drvPath, drv, inputs: [] })).rejects.toThrow(
        "sandboxing is enabled but bubblewrap was not found; install bubblewrap ('bwrap'), or disable sandboxing with 'sandbox = false'",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("lastLogLines", () => {
  it("takes the end, without the empty line after the final newline", () => {
    expect(lastLogLines("a\nb\nc\n", 2)).toEqual(["b", "c"]);
    expect(lastLogLines("", 2)).toEqual([]);
    expect(lastLogLines("x", 0)).toEqual([]);
  });
});
