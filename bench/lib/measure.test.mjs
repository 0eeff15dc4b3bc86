import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { availableMeasurers } from "./measure.mjs";

const dir = mkdtempSync(join(tmpdir(), "bench-measure-"));
const files = { stdoutPath: join(dir, "out"), stderrPath: join(dir, "err"), timeoutSec: 20, cwd: dir };

for (const measurer of availableMeasurers()) {
  test(`${measurer.name}: measures a child's peak RSS, exit code and output`, () => {
    // A child that holds ~64 MiB resident: peak RSS must reflect the child, not the parent.
    const script = "const b = Buffer.alloc(64 * 2 ** 20, 1); console.log(b[0]); process.exit(3)";
    const run = measurer.run([process.execPath, "-e", script], files);
    assert.equal(run.exitCode, 3);
    assert.equal(run.timedOut, false);
    assert.ok(run.wallMs > 0);
    if (run.maxRssKiB != null) assert.ok(run.maxRssKiB > 64 * 1024, `maxRss ${run.maxRssKiB} KiB`);
    assert.equal(readFileSync(files.stdoutPath, "utf8"), "1\n");
  });

  test(`${measurer.name}: measures a small child while the runner holds much more`, () => {
    // Late in a bench run the runner holds the big generated inputs; that must neither hide a small
    // child's figure (python's getrusage(SELF) holds the runner's high-water mark) nor inflate it.
    const held = Buffer.alloc(400 * 2 ** 20, 1);
    const script = "const b = Buffer.alloc(40 * 2 ** 20, 1); console.log(b[0])";
    const run = measurer.run([process.execPath, "-e", script], files);
    assert.equal(run.exitCode, 0);
    if (measurer.name.startsWith("python")) assert.notEqual(run.maxRssKiB, null);
    if (run.maxRssKiB != null) {
      assert.ok(run.maxRssKiB > 40 * 1024, `maxRss ${run.maxRssKiB} KiB`);
      assert.ok(run.maxRssKiB < 200 * 1024, `maxRss ${run.maxRssKiB} KiB`);
    }
    assert.equal(held[0], 1);
  });

  test(`${measurer.name}: kills a run that outlives its timeout`, () => {
    const run = measurer.run(["sleep", "30"], { ...files, timeoutSec: 1 });
    assert.equal(run.timedOut, true);
    assert.ok(run.wallMs < 10_000);
  });

  test(`${measurer.name}: reports a command that cannot start`, () => {
    const run = measurer.run(["/nonexistent/tsnix-bench-command"], files);
    assert.ok(run.spawnError || run.exitCode === 127, JSON.stringify(run));
  });
}
