import { describe, expect, it } from "vitest";
import { DownstreamPlaceholder, hashPlaceholder } from "./placeholder.js";
import { downstreamPlaceholderFor } from "./derived-path.js";
import { haveStoreData, readJson } from "./test-support/data.js";

describe("placeholders", () => {
  it("builtins.placeholder matches Nix", () => {
    // `nix-instantiate --eval -E 'builtins.placeholder "out"'` (Nix 2.8) and the data's CA env vars
    expect(hashPlaceholder("out")).toBe("/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9");
    expect(hashPlaceholder("dev")).toBe("/02qcpld1y6xhs5gz9bchpxaw0xdhmsp5dv88lh25r2ss44kh8dxz");
    expect(hashPlaceholder("bin")).toBe("/04f3da1kmbr67m3gzxikmsl4vjz5zf777sv6m14ahv22r65aac9m");
  });

  it("distinguishes CA outputs by derivation and output, and nests for dynamic derivations", () => {
    const a = DownstreamPlaceholder.unknownCaOutput("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep1.drv", "out");
    const b = DownstreamPlaceholder.unknownCaOutput("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep1.drv", "dev");
    expect(a.render()).toMatch(/^\/[0-9a-z]{52}$/);
    expect(a.render()).not.toBe(b.render());
    const nested = downstreamPlaceholderFor({
      kind: "built",
      drvPath: {
        kind: "built",
        drvPath: { kind: "opaque", path: "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep1.drv" },
        output: "out",
      },
      output: "out",
    });
    expect(nested.render()).toBe(DownstreamPlaceholder.unknownDerivation(a, "out").render());
    expect(nested.render()).not.toBe(a.render());
  });
});

describe.runIf(haveStoreData)("downstream placeholders in the try-resolve data", () => {
  it("match the env of with-inputs-before.json", () => {
    const env = (
      readJson("derivation/try-resolve/with-inputs-before.json") as { env: Record<string, string> }
    ).env;
    const ph = (drv: string, out: string): string => DownstreamPlaceholder.unknownCaOutput(drv, out).render();
    expect(env.DEP1_DEV).toBe(ph("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep1.drv", "dev"));
    expect(env.DEP1_OUT).toBe(`prefix-${ph("g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep1.drv", "out")}-suffix`);
    expect(env.DEP2).toBe(ph("h1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-dep2.drv", "out"));
  });
});
