// The evaluation worker's entry when the build has written the bundle (itself bundled to
// dist/worker-boot.cjs: a CommonJS entry spares the worker Node's ES module loader, ~7 ms): loads
// dist/worker.bundle.cjs through V8's code cache (bundle-loader.ts) and runs the worker's task.
import { loadEvalBundle } from "./bundle-loader.js";

const { bundle, writeCacheIfAsked } = loadEvalBundle();
void bundle.runWorker().then((code) => {
  writeCacheIfAsked();
  bundle.reportExit(code);
});
