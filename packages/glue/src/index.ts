// Public API of @tsnix/glue. See README.md.
export { createNodeIO, type NodeIOOptions } from "./nodeIO.js";
export {
  createFetchHooks,
  decompressSync,
  extraCaFiles,
  fetchUrlSync,
  httpGetSync,
  type FetchOptions,
} from "./fetch.js";
export { gitFetch } from "./git.js";
export { installNativeHashing } from "./native-hashing.js";
export { createStoreIO, createEvalStore, type StoreIOOptions } from "./store-io.js";
export { KnownPaths, type KnownOutput, type DerivationSource } from "./known-paths.js";
export {
  createBuildingIO,
  ifdDisabledMessage,
  type BuildingIOOptions,
  type StoreReader,
  type SyncRealiser,
} from "./build-io.js";
export {
  BridgeClient,
  BridgeRemoteError,
  createBridgeHost,
  serializeError,
  type BridgeEndpoint,
  type BridgeHandler,
  type BridgeHandlers,
  type BridgeHost,
  type SerializedError,
} from "./bridge.js";
export {
  REALISE_METHOD,
  bridgeRealiser,
  buildBridgeHandlers,
  type AsyncRealiser,
  type RealiseParams,
} from "./build-bridge.js";
export {
  createBuildHost,
  createEvalSession,
  logDirOf,
  logFileOf,
  openLocalStore,
  type BuildHost,
  type BuildHostOptions,
  type EvalSession,
  type EvalSessionOptions,
} from "./session.js";
export type { BuildEvent } from "@tsnix/build";
