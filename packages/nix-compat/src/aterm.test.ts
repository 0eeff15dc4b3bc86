import { describe, expect, it } from "vitest";
import { atermString, parseDerivation, printDerivation } from "./aterm.js";
import { derivationFromJson, derivationToJson } from "./derivation-json.js";
import { prettyJson } from "./json.js";
import { NixFormatError } from "./errors.js";
import { haveStoreData, isDanglingLink, listData, readData } from "./test-support/data.js";
import { emptyDerivation, inputDrvNode } from "./derivation.js";

const drvName = (file: string): string => file.replace(/\.drv$/, "");

describe.runIf(haveStoreData)("ATerm conformance (nix-store-data/derivation)", () => {
  const files = [
    ...listData("derivation", ".drv").map((f) => `derivation/${f}`),
    ...listData("derivation/hash-modulo", ".drv")
      .filter((f) => !f.endsWith("-modulo.drv"))
      .map((f) => `derivation/hash-modulo/${f}`),
  ].filter((f) => !f.includes("/bad-") && !isDanglingLink(readData(f)));

  it("finds the data", () => expect(files.length).toBeGreaterThanOrEqual(10));

  // hello.drv and firefox.drv were anonymised (every hash replaced by a's) after Nix wrote them, so their
  // inputDrvs are no longer in sorted order; Nix itself would print them sorted.
  const anonymised = (f: string): boolean => /\/(hello|firefox)\.drv$/.test(f);

  it.each(files.filter((f) => !anonymised(f)))("%s parses and prints back byte for byte", (file) => {
    const text = readData(file);
    const name = drvName(file.split("/").pop()!).replace(/-(first|second|split|joined)$/, "");
    const drv = parseDerivation(text, name);
    expect(printDerivation(drv)).toBe(text);
  });

  it.each(files.filter(anonymised))(
    "%s parses, and prints back byte for byte up to inputDrvs order",
    (file) => {
      const text = readData(file);
      const drv = parseDerivation(text, "x");
      const printed = printDerivation(drv);
      expect(parseDerivation(printed, "x")).toEqual(drv);
      expect(printed.length).toBe(text.length);
      const tail = (s: string): string =>
        s.slice(s.indexOf('],["/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-default-builder.sh'));
      expect(tail(printed)).toBe(tail(text));
      const inputDrvEntries = (s: string): string[] =>
        [...s.matchAll(/\("\/nix\/store\/[^"]+\.drv",\[[^\]]*\]\)/g)].map((m) => m[0]).sort();
      expect(inputDrvEntries(printed)).toEqual(inputDrvEntries(text));
    },
  );

  it.each(files.filter((f) => f.endsWith(".drv")))(
    "%s agrees with its JSON twin when there is one",
    (file) => {
      const jsonFile = file.replace(/\.drv$/, ".json");
      let jsonText: string;
      try {
        jsonText = readData(jsonFile);
      } catch {
        return; // no twin
      }
      const fromJson = derivationFromJson(JSON.parse(jsonText));
      const fromATerm = parseDerivation(readData(file), fromJson.name);
      expect(prettyJson(derivationToJson(fromATerm)) + "\n").toBe(jsonText);
      expect(printDerivation(fromJson)).toBe(readData(file));
    },
  );

  it("rejects an unknown ATerm version", () => {
    expect(() => parseDerivation(readData("derivation/bad-version.drv"), "whatever")).toThrow(
      /Unknown derivation ATerm format version 'invalid-version'/,
    );
  });

  it("rejects dynamic-derivation inputs in the old Derive( form", () => {
    expect(() =>
      parseDerivation(readData("derivation/bad-old-version-dyn-deps.drv"), "dyn-dep-derivation"),
    ).toThrow(NixFormatError);
  });

  it("parses a fixed-output drv with a wrong stored path, and prints the computed path instead", () => {
    const text = readData("derivation/bad-ca-fixed-path.drv");
    const drv = parseDerivation(text, "fixed");
    const printed = printDerivation(drv);
    expect(printed).not.toBe(text);
    expect(
      printed.replace(
        /\/nix\/store\/[a-z0-9]{32}-fixed/,
        "/nix/store/c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-fixed",
      ),
    ).toBe(text.replace(/"\)\]\)$/, '")])'));
  });
});

describe("ATerm strings", () => {
  it("escapes exactly quote, backslash, newline, CR and tab", () => {
    expect(atermString('a"b\\c\nd\re\tf\u0001g$h')).toBe('"a\\"b\\\\c\\nd\\re\\tf\u0001g$h"');
  });

  it("round-trips awkward strings in every escaped position", () => {
    const drv = emptyDerivation("x");
    drv.outputs.set("out", { kind: "deferred" });
    drv.builder = 'b"\\\n';
    drv.args = ["", "\t\r\n", "\\n", "ünïcødé 🎉"];
    drv.env.set("k\n", 'v"');
    drv.env.set("", "");
    drv.inputDrvs.set("c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-dep.drv", inputDrvNode(["out", "dev"]));
    const text = printDerivation(drv);
    expect(parseDerivation(text, "x")).toEqual(drv);
    expect(text).toContain('("/nix/store/c015dhfh5l0lp6wxyvdn7bmwhbbr6hr9-dep.drv",["dev","out"])');
  });

  it("reads unknown escapes as the character itself, as Nix does", () => {
    const drv = parseDerivation('Derive([("out","","","")],[],[],"s","\\a\\\\",[],[])', "x");
    expect(drv.builder).toBe("a\\");
  });

  it("gives positioned errors for malformed input", () => {
    expect(() => parseDerivation("Derive([", "x")).toThrow(/error parsing derivation 'x' at offset \d+/);
    expect(() => parseDerivation('Derive([("out","","","")],[],[],"s","b",[],[("a","b)])', "x")).toThrow(
      /unterminated string/,
    );
    expect(() => parseDerivation("Nope", "x")).toThrow(/does not start with 'Derive'/);
    expect(() => parseDerivation('Derive([("out","rel","","")],[],[],"s","b",[],[])', "x")).toThrow(
      /bad path 'rel'/,
    );
    expect(() =>
      parseDerivation('Derive([("out","/nix/store/bad","","")],[],[],"s","b",[],[])', "x"),
    ).toThrow(/not a valid store path/);
  });

  it("sorts maps and sets in UTF-8 byte order whatever the insertion order", () => {
    const drv = emptyDerivation("x");
    drv.outputs.set("out", { kind: "deferred" });
    drv.env.set("\u{1F600}", "astral");
    drv.env.set("\uFF21", "fullwidth A");
    drv.env.set("b", "2");
    drv.env.set("a", "1");
    const text = printDerivation(drv);
    expect(text.endsWith('[("a","1"),("b","2"),("\uFF21","fullwidth A"),("\u{1F600}","astral")])')).toBe(
      true,
    );
  });
});
