// The browser-safe part of @tsnix/store (no `node:` imports, no SQLite): `@tsnix/store/browser`.
export * from "./store.js";
export { type FileTree, treeAccessor, lookupTree } from "./tree.js";
export {
  type TreeVisitor,
  visitAccessor,
  visitTree,
  teeVisitor,
  narHashVisitor,
  narBytesVisitor,
  treeBuilderVisitor,
} from "./walk.js";
export { computeStorePathForAdd, type PreparedAdd } from "./add.js";
export { printNarHash, StoreBase, type CommitOptions, checkWalkHash } from "./base.js";
export { type ContentWalk, prepareAdd, sourceWalk } from "./add.js";
export { toCompatPathInfo, toCompatRealisation, narSourceOf } from "./compat.js";
export { KeyedLocks } from "./lock.js";
export { computeClosure, sortReferencesFirst, copyClosure, type ClosureOptions } from "./closure.js";
export { MemoryStore, type MemoryStoreOptions } from "./memory.js";
