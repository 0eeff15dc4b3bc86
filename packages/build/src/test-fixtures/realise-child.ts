/**
 * Child process for the "killed scheduler" test: realise one derivation in a DirStore.
 * argv: storeDir realDir buildDir logDir drvPath [extraSandboxPath...]
 */
import { LocalBuilder } from "../local-builder.js";
import { Scheduler } from "../scheduler.js";
import { DirStore } from "../testing.js";

const [storeDir, realDir, buildDir, logDir, drvPath, ...extra] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const store = new DirStore(storeDir, realDir);
const builder = new LocalBuilder({ store, buildDir, extraSandboxPaths: extra });
const scheduler = new Scheduler({
  store,
  builder,
  maxJobs: 2,
  logDir,
  onEvent: (e) => {
    if (e.type !== "log") process.stdout.write(JSON.stringify(e) + "\n");
  },
});
scheduler.realise(drvPath).then(
  (out) => process.stdout.write(JSON.stringify({ type: "done", out }) + "\n"),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ type: "error", message: e.message }) + "\n");
    process.exitCode = 1;
  },
);
