// Makes dist/tsnix.snapshot.blob, the V8 start-up snapshot bin/tsnix starts `instantiate` and `eval`
// from (scripts/snapshot-entry.cjs says what is in it), and dist/tsnix.snapshot.node: the `node` it
// was made with and the dist directory it was made in. V8 loads a snapshot only into the Node binary
// and under the V8 flags it was made with, so bin/tsnix uses it only when `node` is still that file,
// not modified since, dist has not moved, and no other flags are given (NODE_OPTIONS unset);
// otherwise it starts as it would without one.
import { spawnSync } from "node:child_process";
import { realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const BLOB = DIST + "tsnix.snapshot.blob";
const NODE_STAMP = DIST + "tsnix.snapshot.node";

/** Builds the snapshot; a Node without snapshot support leaves none (bin/tsnix then does without). */
export function buildSnapshot({ mainThreadFlags, warmUp }) {
  rmSync(NODE_STAMP, { force: true });
  rmSync(BLOB, { force: true });
  // The `node` bin/tsnix will find, as sh finds it.
  const found = spawnSync("sh", ["-c", "command -v node"], { encoding: "utf8" });
  const node = found.status === 0 ? found.stdout.trim() : "";
  if (node === "") return "no snapshot: no `node` on PATH";
  const tmp = `${BLOB}.${process.pid}.tmp`;
  const built = spawnSync(
    node,
    [
      ...mainThreadFlags,
      "--snapshot-blob",
      tmp,
      "--build-snapshot",
      fileURLToPath(new URL("./snapshot-entry.cjs", import.meta.url)),
    ],
    {
      env: { ...process.env, NODE_OPTIONS: "", TSNIX_SNAPSHOT_WARM_UP: warmUp },
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  if (built.status !== 0) {
    rmSync(tmp, { force: true });
    return `no snapshot: ${built.stderr.trim().split("\n").slice(-3).join(" ")}`;
  }
  renameSync(tmp, BLOB);
  // The snapshot holds dist's path (the bundle finds its workers and better-sqlite3 from there).
  writeFileSync(NODE_STAMP, `${node}\n${realpathSync(DIST)}\n`);
  return "snapshot";
}
