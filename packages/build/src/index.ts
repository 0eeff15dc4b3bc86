export type {
  BuildEvent,
  BuildOptions,
  BuildRequest,
  BuildResult,
  BuildService,
  BuiltOutput,
  ResolvedDerivation,
  ResolvedOutput,
} from "./types.js";
export { BuildError, lastLogLines, DEFAULT_LOG_LINES, type BuildErrorKind } from "./errors.js";
export { DummyBuildService } from "./dummy.js";
export {
  computeClosure,
  InvalidPathError,
  type BuildPathInfo,
  type BuildPathLock,
  type BuildPathRegistration,
  type BuildStore,
} from "./build-store.js";
export { LocalBuilder, nixSystem, type LocalBuilderOptions } from "./local-builder.js";
export {
  Scheduler,
  buildLogPath,
  type RealiseOptions,
  type RealisedOutputs,
  type SchedulerOptions,
} from "./scheduler.js";
export { prepareBuild, rewriteStrings, type EnvSettings, type PreparedBuild } from "./env.js";
export { resolveDerivation } from "./resolve.js";
export { canonicalisePathMetaData } from "./canonicalise.js";
export { dumpPath } from "./nar-dump.js";
export { ReferenceScanner } from "./refscan.js";
export { defaultSandboxPaths, parseSandboxPaths, probeBubblewrap, SANDBOX_BUILD_DIR } from "./sandbox.js";
