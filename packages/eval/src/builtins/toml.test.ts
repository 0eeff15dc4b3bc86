// fromTOML behaviour of current Nix beyond golden/toml.json: its error texts, int64 bounds
// (toml11's report), null bytes, and timestamps under `parse-toml-timestamps`.
import * as fs from "node:fs";
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";
import { LANG_SUITE } from "../../../../test/shared-data.js";

function run(expr: string, settings: Record<string, string> = {}): string {
  const ev = new Evaluator({ io: createMemoryIO({}), settings });
  try {
    return ev.print(ev.evalString(expr), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return "error: " + e.message;
    throw e;
  }
}

const TS = { "extra-experimental-features": "parse-toml-timestamps" };

describe("builtins.fromTOML", () => {
  test("int64 bounds", () => {
    expect(run("builtins.fromTOML ''a = -9223372036854775808''")).toBe("{ a = -9223372036854775808; }");
    // the first line break of an indented string is dropped: the literal is on line 2
    expect(run("builtins.fromTOML ''\n\nb = 9223372036854775808''")).toBe(
      "error: while parsing TOML: [error] toml::parse_dec_integer: too large integer: current max digits = 2^63\n" +
        " --> fromTOML\n   |\n 2 | b = 9223372036854775808\n   |                        ^-- must be < 2^63",
    );
  });

  test("dates and times need the experimental feature", () => {
    for (const v of ["1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", "1979-05-27 07:32:00"])
      expect(run(`builtins.fromTOML ''a = ${v}''`)).toBe(
        "error: while parsing TOML: Dates and times are not supported",
      );
  });

  test.each([
    ["1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z"],
    ["1979-05-27 07:32:00.1Z", "1979-05-27T07:32:00.100Z"],
    ["1979-05-27t00:32:00.999-07:00", "1979-05-27T00:32:00.999-07:00"],
    ["1979-05-27T07:32:00", "1979-05-27T07:32:00"],
    ["1979-05-27T07:32:00.12", "1979-05-27T07:32:00.120"],
    ["1979-05-27", "1979-05-27"],
    ["07:32:00", "07:32:00"],
    ["00:32:00.5", "00:32:00.500"],
    ["00:32:00.1234", "00:32:00.123400"],
    ["1979-05-27t07:32:00.1234567891Z", "1979-05-27T07:32:00.123456789Z"],
    ["1979-05-27 00:32:00.12345678", "1979-05-27T00:32:00.123456780"],
    ["1979-05-27T07:32:00.000Z", "1979-05-27T07:32:00Z"],
  ])("timestamp %s", (toml, value) =>
    expect(run(`builtins.fromTOML ''a = ${toml}''`, TS)).toBe(
      `{ a = { _type = "timestamp"; value = "${value}"; }; }`,
    ),
  );

  test("timestamps inside arrays and inline tables; date-like keys and strings stay as they are", () => {
    expect(
      run("builtins.fromTOML ''a = [ 1979-05-27, { t = 07:32:00 } ]\n1979-05-28 = \"1979-05-29\"''", TS),
    ).toBe(
      '{ "1979-05-28" = "1979-05-29"; a = [ { _type = "timestamp"; value = "1979-05-27"; } { t = { _type = "timestamp"; value = "07:32:00"; }; } ]; }',
    );
  });

  const SUITE = LANG_SUITE + "/eval-okay-fromTOML-timestamps";
  test.skipIf(!fs.existsSync(SUITE + ".nix"))("eval-okay-fromTOML-timestamps with its flag", () => {
    const out = run(fs.readFileSync(SUITE + ".nix", "utf8"), TS);
    expect(out + "\n").toBe(fs.readFileSync(SUITE + ".exp", "utf8"));
  });

  test("null bytes are refused in keys and values", () => {
    expect(run("builtins.fromTOML ''k = \"a\\u0000b\"''")).toBe(
      "error: while parsing TOML: error: input string 'a␀b' cannot be represented as Nix string because it contains null bytes",
    );
    expect(run("builtins.fromTOML ''\"\\u0000\" = 1''")).toBe(
      "error: while parsing TOML: error: input string '␀' cannot be represented as Nix string because it contains null bytes",
    );
  });

  test("syntax errors are Nix errors", () => {
    expect(run("builtins.fromTOML ''a = 1\na = 2''")).toMatch(/^error: while parsing TOML: /);
    expect(run("builtins.fromTOML ''[t]\n[t]''")).toMatch(/^error: while parsing TOML: /);
  });

  test("the argument must be a string", () => {
    expect(run("builtins.fromTOML 1")).toBe("error: expected a string but found an integer: 1");
  });
});
