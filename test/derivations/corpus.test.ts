// The derivation corpus: tsnix against golden.json (recorded from nix-instantiate 2.8 by
// record.mjs) always, and against a live nix-instantiate when it is on PATH (a sample of cases;
// TSNIX_SKIP_LIVE_NIX=1 skips it). Each case runs through the whole pipeline: evaluation,
// derivationStrict, the EvalIO store hooks of @tsnix/glue and a MemoryStore, from which the .drv
// files are read back and compared byte for byte.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Evaluator } from "@tsnix/eval";
import { MemoryStore } from "@tsnix/store";
import { createNodeIO } from "../../packages/glue/src/nodeIO.js";
import { createStoreIO } from "../../packages/glue/src/store-io.js";
// @ts-expect-error plain ESM module shared with record.mjs
import { FEATURES, corpus, wrap } from "./corpus.mjs";
// @ts-expect-error plain ESM module
import { recordCase } from "./record.mjs";

interface Golden {
  name: string;
  expr: string;
  error?: string;
  drvPath?: string;
  outputName?: string;
  outputs?: Record<string, string>;
  drvs?: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, "fixtures");
const golden = JSON.parse(fs.readFileSync(path.join(here, "golden.json"), "utf8")) as { cases: Golden[] };
const cases = corpus() as { name: string; expr: string }[];

/** Evaluate one case with tsnix; returns what record.mjs records, with the .drv texts from the store. */
function runTsnix(expr: string): Golden {
  const store = new MemoryStore();
  const ev = new Evaluator({
    io: createStoreIO(store, createNodeIO()),
    settings: { "extra-experimental-features": FEATURES },
  });
  const r = JSON.parse(ev.toJSON(ev.evalString(wrap(expr, FIX)))) as Golden;
  const drvs: Record<string, string> = {};
  for (const p of ev.knownDerivations.keys()) drvs[p] = new TextDecoder().decode(store.readFile(p));
  return { ...r, drvs };
}

const hasNix = (() => {
  if (process.env.TSNIX_SKIP_LIVE_NIX === "1") return false;
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("derivation corpus vs golden (nix-instantiate 2.8)", () => {
  test("the golden file covers the corpus", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(golden.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
  });

  const recorded = golden.cases.filter((c) => c.error === undefined && !(c.name in CURRENT_NIX_DIFFERS));
  test.each(recorded.map((c) => [c.name, c] as const))("%s", (_name, g) => {
    expect(g.expr).toBe(cases.find((c) => c.name === g.name)!.expr);
    const got = runTsnix(g.expr);
    expect(got.drvPath).toBe(g.drvPath);
    expect(got.outputs).toEqual(g.outputs);
    expect(got.outputName).toBe(g.outputName);
    for (const [p, text] of Object.entries(g.drvs!)) expect(got.drvs![p], p).toBe(text);
  });
});

/**
 * Cases where Nix 2.8 and current Nix write different .drv files; tsnix follows current Nix, checked
 * here by what must appear in the case's top-level .drv (see README.md).
 */
const CURRENT_NIX_DIFFERS: Record<string, { reason: string; drvContains: string }> = {
  "structured/floats": {
    reason:
      "Nix 2.8 printed structured-attrs floats with 6 significant digits (1, 123457); current Nix prints the shortest round-trip form (1.0, 123456.789)",
    drvContains: String.raw`\"val\":[0.1,1.0,100.0,1e+15,1e+16,1e+21,0.0001,1e-05,123456.789,-2.5,3e-07]`,
  },
};

describe("derivation corpus: where tsnix follows current Nix instead of 2.8", () => {
  test.each(Object.entries(CURRENT_NIX_DIFFERS))("%s", (name, d) => {
    const g = golden.cases.find((c) => c.name === name)!;
    const got = runTsnix(g.expr);
    expect(got.drvs![got.drvPath!]).toContain(d.drvContains);
    expect(got.drvPath).not.toBe(g.drvPath);
  });
});

describe.skipIf(!hasNix)("derivation corpus vs live nix-instantiate", () => {
  // Every 7th case: enough to notice a stale golden file without writing 200 drvs each run.
  const sample = cases.filter((_c, i) => i % 7 === 0);
  test.each(sample.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const live = recordCase(c, FIX) as Golden;
    const g = golden.cases.find((x) => x.name === c.name)!;
    if (live.error !== undefined || g.error !== undefined) return; // recorded errors are listed in README
    expect(live.drvPath).toBe(g.drvPath);
    expect(live.outputs).toEqual(g.outputs);
  });
});
