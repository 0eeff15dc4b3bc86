// The engines bundle (fast start-up) must give the same results as importing
// the packages one by one, and must not be used once stale.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, parserBuilt, ROOT, tsnix } from "./helpers.js";

beforeAll(buildCli);

const MANIFEST = `${ROOT}packages/cli/dist/engines.manifest.json`;

describe.runIf(parserBuilt())("engines bundle", () => {
  it("is written with a manifest of its inputs, and used only while fresh", () => {
    const b = spawnSync(process.execPath, [`${ROOT}packages/cli/scripts/bundle.mjs`], { encoding: "utf8" });
    expect(b.status).toBe(0);
    const m = JSON.parse(readFileSync(MANIFEST, "utf8")) as {
      builtMs: number;
      packages: string[];
      inputs: string[];
    };
    expect(m.packages).toContain("@tsnix/parser");
    expect(m.inputs.some((p) => p.endsWith("packages/parser/dist/index.js"))).toBe(true);

    const fresh = (manifest?: unknown) =>
      spawnSync(process.execPath, [
        "--input-type=module",
        "-e",
        `import { bundleIsFresh } from "${ROOT}packages/cli/dist/engines.js";
         process.exit(bundleIsFresh(${manifest ? JSON.stringify(manifest) : ""}) ? 0 : 3);`,
      ]).status;
    expect(fresh()).toBe(0);
    // An input newer than the bundle makes it stale.
    const input = join(mkdtempSync(join(tmpdir(), "tsnix-bundle-")), "input.js");
    writeFileSync(input, "");
    utimesSync(input, new Date(m.builtMs - 60_000), new Date(m.builtMs - 60_000));
    expect(fresh({ ...m, inputs: [input] })).toBe(0);
    utimesSync(input, new Date(m.builtMs + 60_000), new Date(m.builtMs + 60_000));
    expect(fresh({ ...m, inputs: [input] })).toBe(3);
    // So does a package built after the bundle was made.
    expect(fresh({ ...m, packages: m.packages.slice(1) })).toBe(3);
  });

  it("parses the same with and without the bundle", () => {
    const text = "let f = { a ? 1, ... }@args: a; in f { }";
    const bundled = tsnix(["instantiate", "--parse", "-"], { input: text });
    const plain = tsnix(["instantiate", "--parse", "-"], {
      input: text,
      env: { ...process.env, TSNIX_NO_BUNDLE: "1" },
    });
    expect(bundled.status).toBe(0);
    expect(bundled).toEqual(plain);
  });
});
