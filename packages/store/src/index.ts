export * from "./browser.js";
export { LocalStore, type LocalStoreOptions, defaultLocalStoreRoot } from "./local.js";
export {
  nodeFsAccessor,
  hostFs,
  hashPath,
  dumpPath,
  readTree,
  restoreTree,
  canonicaliseMetadata,
  removeTree,
  diskWriterVisitor,
  type DiskWriterOptions,
  STORE_MTIME,
} from "./node-fs.js";
