// builtins.fromJSON and builtins.toJSON on a generated 10 MB document shaped like a
// package index (nested objects, arrays, escapes, non-ASCII text, integers, booleans,
// nulls): parse it, walk it, re-serialise it, parse the result again and compare.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomSource } from "../lib/random.mjs";

const TARGET_BYTES = 10 * 1024 * 1024;
const WORDS = [
  "fast",
  "small",
  "library",
  "tool",
  "for",
  "parsing",
  "JSON",
  "Nix",
  "café",
  "naïve",
  "日本語",
  "tab\there",
  'a "quoted" word',
  "back\\slash",
  "line\nbreak",
];
const LICENSES = ["MIT", "GPL-3.0-or-later", "Apache-2.0", "BSD-3-Clause", null];

function makeItem(i, random) {
  const words = (n) => Array.from({ length: n }, () => WORDS[random.int(WORDS.length)]).join(" ");
  return {
    id: i,
    name: `package-${i}`,
    version: `${random.int(10)}.${random.int(30)}.${random.int(100)}`,
    description: words(6 + random.int(10)),
    license: LICENSES[random.int(LICENSES.length)],
    broken: random.int(20) === 0,
    size: random.int(2 ** 31) * 1000 - 5e11,
    hash: Array.from({ length: 8 }, () =>
      random
        .int(2 ** 32)
        .toString(16)
        .padStart(8, "0"),
    ).join(""),
    dependencies: Array.from({ length: random.int(6) }, () => `package-${random.int(i + 1)}`),
    maintainers: Array.from({ length: 1 + random.int(2) }, () => {
      const who = random.int(500);
      return {
        name: `Maintainer ${who}`,
        email: `m${who}@example.org`,
        github: random.int(3) ? `m${who}` : null,
      };
    }),
    platforms: { linux: true, darwin: random.int(2) === 0, windows: false },
  };
}

const NIX = `let
  inherit (builtins) fromJSON toJSON readFile length foldl' filter stringLength hashString attrNames elemAt;
  doc = fromJSON (readFile ./document.json);
  items = doc.items;
  serialised = toJSON doc;
  again = fromJSON serialised;
in
{
  items = length items;
  dependencies = foldl' (n: item: n + length item.dependencies) 0 items;
  broken = length (filter (item: item.broken) items);
  unlicensed = length (filter (item: item.license == null) items);
  sizeSum = foldl' (n: item: n + item.size) 0 items;
  descriptionChars = foldl' (n: item: n + stringLength item.description) 0 items;
  serialisedLength = stringLength serialised;
  serialisedHash = hashString "sha256" serialised;
  roundTrip = again == doc;
  keys = attrNames (elemAt items 0);
  sample = (elemAt items 1234).description;
}
`;

export default {
  description: "fromJSON/toJSON of a 10 MB package-index document, walked and round-tripped",
  args: ["--eval", "--strict", "{file}"],
  expect:
    '{ broken = 817; dependencies = 43220; descriptionChars = 1373610; items = 17321; keys = [ "broken" "dependencies" "description" "hash" "id" "license" "maintainers" "name" "platforms" "size" "version" ]; roundTrip = true; sample = "back\\\\slash small a \\"quoted\\" word café Nix small fast fast a \\"quoted\\" word Nix"; serialisedHash = "d67d9a0fec8917219a3cfade6242d64196d08ef0b23abb5c483ffcb1819152c4"; serialisedLength = 8901407; sizeSum = 9948679215544000; unlicensed = 3430; }',
  prepare(outDir) {
    const dir = join(outDir, "json");
    mkdirSync(dir, { recursive: true });
    const random = randomSource(10);
    const parts = [];
    let bytes = 0;
    for (let i = 0; bytes < TARGET_BYTES; i++) {
      const text = JSON.stringify(makeItem(i, random), null, 1);
      parts.push(text);
      bytes += Buffer.byteLength(text) + 2;
    }
    const document = `{"format": 1, "generator": "tsnix bench", "items": [\n${parts.join(",\n")}\n]}\n`;
    writeFileSync(join(dir, "document.json"), document);
    const file = join(dir, "default.nix");
    writeFileSync(file, NIX);
    return file;
  },
};
