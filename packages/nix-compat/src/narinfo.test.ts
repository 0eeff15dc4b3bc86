import { describe, expect, it } from "vitest";
import { parseNarInfo, pathInfoFingerprint, printNarInfo } from "./narinfo.js";
import { pathInfoFromJson } from "./path-info.js";
import { haveStoreData, readJson } from "./test-support/data.js";

const TEXT = [
  "StorePath: /nix/store/n5wkd9frr45pa74if5gpz9j7mifg27fh-foo",
  "URL: nar/1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3.nar.xz",
  "Compression: xz",
  "FileHash: sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3",
  "FileSize: 4029176",
  "NarHash: sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3",
  "NarSize: 34878",
  "References: g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-bar n5wkd9frr45pa74if5gpz9j7mifg27fh-foo",
  "Deriver: g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-bar.drv",
  "Sig: asdf:AAAA",
  "CA: fixed:r:sha256:1lr187v6dck1rjh2j6svpikcfz53wyl3qrlcbb405zlh13x0khhh",
  "",
].join("\n");

describe(".narinfo text", () => {
  it("parses and prints back", () => {
    const info = parseNarInfo(TEXT, "test");
    expect(info.references).toHaveLength(2);
    expect(info.ca?.method).toBe("nar");
    expect(printNarInfo(info)).toBe(TEXT);
  });

  it("reports corruption like Nix", () => {
    expect(() => parseNarInfo("StorePath /x\n", "w")).toThrow(
      "NAR info file 'w' is corrupt: expecting ':' at line 1",
    );
    expect(() => parseNarInfo(TEXT.replace(/URL: .*\n/, ""), "w")).toThrow(
      "NAR info file 'w' is corrupt: URL missing",
    );
    expect(() => parseNarInfo(TEXT.replace("NarSize: 34878", "NarSize: x"), "w")).toThrow(
      /invalid NarSize at line 7/,
    );
    expect(() => parseNarInfo(TEXT.replace("FileHash: sha256:1", "FileHash: sha256:"), "w")).toThrow(
      /bad hash/,
    );
  });

  it("defaults compression to bzip2", () => {
    expect(parseNarInfo(TEXT.replace("Compression: xz\n", ""), "t").compression).toBe("bzip2");
  });
});

describe.runIf(haveStoreData)("path info fingerprint", () => {
  it("is what Nix signs", () => {
    const info = pathInfoFromJson(readJson("path-info/json-3/pure.json"));
    // narHash sha256-FePFYIlM… in nix32, per `nix-hash --type sha256 --to-base32` (Nix 2.8)
    expect(pathInfoFingerprint("n5wkd9frr45pa74if5gpz9j7mifg27fh-foo", info)).toBe(
      "1;/nix/store/n5wkd9frr45pa74if5gpz9j7mifg27fh-foo;sha256:09ymwqf5i9q7d4dm7x4pjjcqqj0qrcp5lnznbh42gfsci5hcbqqm;34878;" +
        "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-bar,/nix/store/n5wkd9frr45pa74if5gpz9j7mifg27fh-foo",
    );
  });
});
