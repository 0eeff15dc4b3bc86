// The committed railroad diagrams must come from the parser's current grammar.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagramsHtml, serializedGrammar } from "./grammar.js";
import { NixParser } from "./parser.js";
import { OPERATOR_TABLE } from "./precedence.js";

const committed = readFileSync(new URL("../../../grammar/diagrams.html", import.meta.url), "utf8");
const readme = readFileSync(new URL("../../../grammar/README.md", import.meta.url), "utf8").replaceAll(
  "\\",
  "",
);

describe("grammar/", () => {
  it("passes chevrotain's grammar validations (skipped at run time)", () => {
    expect(() => new NixParser({ validate: true })).not.toThrow();
    const skips = (p: NixParser) => (p as unknown as { skipValidations: boolean }).skipValidations;
    expect(skips(new NixParser())).toBe(true);
    expect(skips(new NixParser({ validate: true }))).toBe(false);
  });

  it("diagrams.html matches the parser (regenerate with `npm run grammar`)", () => {
    expect(committed).toBe(diagramsHtml());
  });

  it("names every rule of the parser", () => {
    const rules = serializedGrammar().map((r) => (r as unknown as { name: string }).name);
    expect(rules).toContain("expr");
    for (const rule of rules) expect(committed).toContain(`"name": "${rule}"`);
  });

  it("README's precedence table lists every operator of the parser's table", () => {
    for (const row of OPERATOR_TABLE) expect(readme).toContain(`| \`${row.symbol}\``);
  });
});
