// hashString / convertHash beyond golden/hashing.json (convertHash is newer than Nix 2.8).
import { describe, expect, test } from "vitest";
import { Evaluator, NixError, createMemoryIO } from "../index.js";

const SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SHA256_EMPTY_NIX32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
const SHA256_EMPTY_B64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

function run(expr: string, warnings: string[] = []): string {
  const ev = new Evaluator({ io: createMemoryIO({}), onWarning: (m) => warnings.push(m) });
  try {
    return ev.print(ev.evalString(expr), { strict: true });
  } catch (e) {
    if (e instanceof NixError) return "error: " + e.message;
    throw e;
  }
}

const convert = (args: string) => run(`builtins.convertHash { ${args} }`);

describe("builtins.convertHash", () => {
  test.each([
    [`hash = "${SHA256_EMPTY}"; hashAlgo = "sha256"; toHashFormat = "nix32";`, SHA256_EMPTY_NIX32],
    [`hash = "sha256:${SHA256_EMPTY_NIX32}"; toHashFormat = "base16";`, SHA256_EMPTY],
    [`hash = "sha256-${SHA256_EMPTY_B64}"; toHashFormat = "base64";`, SHA256_EMPTY_B64],
    [
      `hash = "${SHA256_EMPTY_B64}"; hashAlgo = "sha256"; toHashFormat = "sri";`,
      `sha256-${SHA256_EMPTY_B64}`,
    ],
    [
      `hash = "sha256:${SHA256_EMPTY}"; hashAlgo = "sha256"; toHashFormat = "sri";`,
      `sha256-${SHA256_EMPTY_B64}`,
    ],
  ])("%s", (args, out) => expect(convert(args)).toBe(`"${out}"`));

  test("base32 is a deprecated alias of nix32", () => {
    const warnings: string[] = [];
    expect(
      run(`builtins.convertHash { hash = "sha256:${SHA256_EMPTY}"; toHashFormat = "base32"; }`, warnings),
    ).toBe(`"${SHA256_EMPTY_NIX32}"`);
    expect(warnings).toEqual(['warning: "base32" is a deprecated alias for hash format "nix32".']);
  });

  test.each([
    [`toHashFormat = "sri";`, "attribute 'hash' missing"],
    [`hash = "sha256:${SHA256_EMPTY}";`, "attribute 'toHashFormat' missing"],
    [
      `hash = "${SHA256_EMPTY}"; toHashFormat = "sri";`,
      `hash '${SHA256_EMPTY}' does not include a type, nor is the type otherwise known from context`,
    ],
    [
      `hash = "sha256:${SHA256_EMPTY}"; hashAlgo = "md5"; toHashFormat = "sri";`,
      `hash 'sha256:${SHA256_EMPTY}' should have type 'md5'`,
    ],
    [
      `hash = "sha256:abc"; toHashFormat = "sri";`,
      "hash 'sha256:abc' has wrong length for hash algorithm 'sha256'",
    ],
    [
      `hash = "x"; hashAlgo = "sha3"; toHashFormat = "sri";`,
      "unknown hash algorithm 'sha3', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'",
    ],
    [
      `hash = "sha256:${SHA256_EMPTY}"; toHashFormat = "hex";`,
      "unknown hash format 'hex', expect 'base16', 'base32', 'base64', or 'sri'",
    ],
  ])("%s fails", (args, msg) => expect(convert(args)).toBe("error: " + msg));

  test("the argument must be a set", () => {
    expect(run('builtins.convertHash "x"')).toBe('error: expected a set but found a string: "x"');
  });
});

describe("builtins.hashString", () => {
  test("an unknown algorithm is a usage error with Nix's hint", () => {
    const ev = new Evaluator({ io: createMemoryIO({}) });
    try {
      ev.evalString('builtins.hashString "foo" "x"');
      expect.unreachable();
    } catch (e) {
      const text = (e as NixError).format({ showTrace: false });
      expect(text).toContain(
        "unknown hash algorithm 'foo', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'",
      );
      expect(text.endsWith("\nTry 'nix-instantiate --help' for more information.")).toBe(true);
    }
  });

  test("the context of the string is discarded", () => {
    expect(
      run(
        'builtins.hasContext (builtins.hashString "md5" (builtins.appendContext "x" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }))',
      ),
    ).toBe("false");
  });
});
