import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDerivation } from "@tsnix/nix-compat";
import { makeWritable } from "./canonicalise.js";
import { nixWorks, recordGolden, type GoldenFile } from "./golden/record.js";
import { LocalBuilder } from "./local-builder.js";
import { Scheduler } from "./scheduler.js";
import { DirStore } from "./testing.js";

const here = dirname(fileURLToPath(import.meta.url));
const CASES = join(here, "golden", "cases.nix");
const GOLDEN = join(here, "golden", "nix-2.8.json");
const TOOLS = ["/bin/bash", "/usr/bin/mkdir", "/usr/bin/chmod", "/usr/bin/ln", "/usr/bin/cat"];

const update = process.env["UPDATE_GOLDEN"] === "1";
const live = nixWorks();

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tsnix-golden-"));
});

afterAll(async () => {
  await makeWritable(root);
  rmSync(root, { recursive: true, force: true });
});

describe("golden: outputs equal Nix 2.8's", () => {
  it.runIf(live)(
    "live: nix-build produces what the golden file records",
    () => {
      const recorded = recordGolden(CASES);
      if (update || !existsSync(GOLDEN)) writeFileSync(GOLDEN, JSON.stringify(recorded, null, 2) + "\n");
      expect(recorded).toEqual(JSON.parse(readFileSync(GOLDEN, "utf8")));
    },
    300_000,
  );

  it("LocalBuilder (sandboxed) produces the same output paths, NAR hashes, sizes and references", async () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as GoldenFile;
    const store = new DirStore("/nix/store", join(root, "store"));
    for (const [path, text] of Object.entries(golden.srcs)) {
      expect(await store.addText(path.slice("/nix/store/".length + 33), text)).toBe(path);
    }
    // Write .drv files inputs-first; each must land at the drv path Nix gave it.
    const pending = new Map(Object.entries(golden.drvs));
    while (pending.size > 0) {
      let progressed = false;
      for (const [drvPath, aterm] of pending) {
        const drv = parseDerivation(aterm, drvPath.slice("/nix/store/".length + 33, -".drv".length));
        if (![...drv.inputDrvs.keys()].every((b) => store.isValidPath(`/nix/store/${b}`))) continue;
        expect(await store.writeDerivation(drv)).toBe(drvPath);
        pending.delete(drvPath);
        progressed = true;
      }
      expect(progressed).toBe(true);
    }

    const builder = new LocalBuilder({ store, extraSandboxPaths: TOOLS, buildDir: join(root, "tmp") });
    const scheduler = new Scheduler({ store, builder, maxJobs: 2 });
    for (const [attr, drvPath] of Object.entries(golden.cases)) {
      const outputs = await scheduler.realise(drvPath);
      for (const [name, expected] of Object.entries(golden.outputs[drvPath]!)) {
        expect({ attr, name, path: outputs[name] }).toEqual({ attr, name, path: expected.path });
        const info = store.queryPathInfo(expected.path)!;
        expect({
          attr,
          name,
          narHash: info.narHash,
          narSize: info.narSize,
          references: info.references,
        }).toEqual({
          attr,
          name,
          narHash: expected.narHash,
          narSize: expected.narSize,
          references: expected.references,
        });
      }
    }
  }, 120_000);
});
