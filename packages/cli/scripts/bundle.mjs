// Writes dist/engines.bundle.js (parser + evaluator + glue in one file, for fast start-up).
// `--if-stale`: only when the bundle is missing or older than its inputs (used by tsnix itself).
import { bundleEngines, bundleIsFresh, withBundleLock } from "../dist/engines.js";

const ifStale = process.argv.includes("--if-stale");
if (!(ifStale && bundleIsFresh())) {
  const packages = await withBundleLock(bundleEngines);
  if (!ifStale) {
    if (packages === null) process.stderr.write("tsnix: another process is writing the bundle\n");
    else process.stderr.write(`tsnix: bundled ${packages.join(", ")}\n`);
  }
}
