import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { discoverWorkloads, prepareArgs } from "./workloads.mjs";

test("reads a .nix workload's header and fills in {file}", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-workloads-"));
  const file = join(dir, "tiny.nix");
  writeFileSync(
    file,
    "# bench: one plus one\n# bench-args: --eval --strict {file}\n# bench-expect: 2\n1 + 1\n",
  );
  writeFileSync(join(dir, "bare.nix"), "# bench-args: --parse {file}\n# bench-compare: no\n1\n");
  const [bare, tiny] = await discoverWorkloads(dir, null);
  assert.equal(tiny.name, "tiny");
  assert.equal(tiny.description, "one plus one");
  assert.equal(tiny.expect, "2");
  assert.deepEqual(await prepareArgs(tiny, dir), ["--eval", "--strict", file]);
  assert.equal(bare.compare, false);
  assert.equal(bare.expect, null);
});

test("parse-* defaults to --parse; a broken workload becomes a loadError", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-workloads-"));
  writeFileSync(join(dir, "parse-big.nix"), "{ a = 1; }\n");
  writeFileSync(join(dir, "headless.nix"), "1\n");
  writeFileSync(join(dir, "thrower.mjs"), "throw new Error('generator broke');\nexport default {};\n");
  writeFileSync(join(dir, "script.mjs"), "throw new Error('must not be imported');\n");
  const [headless, parse, script, thrower] = await discoverWorkloads(dir, null);
  assert.match(script.skip, /no `export default`/);
  assert.deepEqual(parse.args, ["--parse", "{file}"]);
  assert.match(headless.loadError, /missing "# bench-args:"/);
  assert.match(thrower.loadError, /generator broke/);
});

test("--only rejects unknown names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-workloads-"));
  await assert.rejects(discoverWorkloads(dir, ["nope"]), /no such workload: nope/);
});

test("every shipped workload loads and declares its arguments", async () => {
  const workloads = await discoverWorkloads(join(dirname(fileURLToPath(import.meta.url)), "..", "workloads"));
  assert.ok(workloads.filter((w) => !w.skip).length >= 9);
  for (const w of workloads.filter((w) => !w.skip)) {
    assert.equal(w.loadError, undefined, w.name);
    assert.ok(w.args.length > 0, w.name);
    assert.ok(w.description.length > 0, `${w.name} has a description`);
  }
});
