import { derivationPath, emptyDerivation, printDerivation } from "@tsnix/nix-compat";
import { describe, expect, it } from "vitest";
import { Evaluator, createMemoryIO } from "./index.js";
import { KnownDerivations } from "./known-derivations.js";

function link(i: number) {
  const d = emptyDerivation(`link-${i}`);
  d.system = "x86_64-linux";
  d.builder = "/bin/sh";
  d.args.push("-c", `echo ${i} é > $out`);
  d.env.set("out", "");
  d.outputs.set("out", { kind: "deferred" });
  return d;
}

describe("KnownDerivations", () => {
  it("gives back what was recorded, parsed from its text, whether or not recently asked for", () => {
    const known = new KnownDerivations("/nix/store");
    const texts = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const path = `/nix/store/${derivationPath(link(i)).baseName}`;
      texts.set(path, printDerivation(link(i)));
      known.set(path, texts.get(path)!);
    }
    expect(known.size).toBe(200);
    expect([...known.keys()]).toEqual([...texts.keys()]);
    for (const round of [1, 2])
      for (const [path, text] of texts) {
        const drv = known.get(path)!;
        expect(drv.name, `round ${round}`).toBe(path.slice(44, -4));
        expect(printDerivation(drv)).toBe(text);
      }
    expect(known.get("/nix/store/00000000000000000000000000000000-none.drv")).toBeUndefined();
    expect([...known.entries()].map(([p, d]) => [p, printDerivation(d)])).toEqual([...texts]);
  });

  it("holds every derivation the evaluator instantiated, with its filled-in outputs", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    const v = ev.evalString(`
      let mk = i: dep: derivation { name = "d\${toString i}"; builder = "/bin/sh"; system = "x"; inherit dep; };
      in builtins.foldl' (prev: i: mk i prev) null [ 1 2 3 ]`);
    const drvPath = ev.print(ev.selectAttrPath(v, "drvPath")).slice(1, -1);
    const outPath = ev.print(ev.selectAttrPath(v, "outPath")).slice(1, -1);
    expect(ev.knownDerivations.size).toBe(3);
    const drv = ev.knownDerivations.get(drvPath)!;
    expect(drv.outputs.get("out")).toEqual({ kind: "inputAddressed", path: outPath.slice(11) });
    expect(drv.inputDrvs.size).toBe(1);
    const dep = ev.knownDerivations.get(`/nix/store/${[...drv.inputDrvs.keys()][0]}`)!;
    expect(dep.name).toBe("d2");
  });
});
