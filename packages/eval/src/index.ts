// Public API of @tsnix/eval. See README.md.
export { Evaluator, type EvaluatorOptions, type AutoArg } from "./evaluator.js";
export { Variables } from "./variables.js";
export {
  createMemoryIO,
  IOError,
  type EvalIO,
  type EvalStore,
  type FileType,
  type CompressionFormat,
} from "./io.js";
export { type SearchPathEntry, parseSearchPath } from "./search-path.js";
export {
  NixError,
  STACK_OVERFLOW_MESSAGE,
  evalError,
  typeError,
  toNixError,
  type NixErrorKind,
} from "./errors.js";
export * from "./values.js";
export { Runtime, force, call1, callN, mkApplyThunk } from "./runtime.js";
export * from "./check.js";
export {
  coerceToString,
  eqValues,
  compareValues,
  isDerivation,
  updateAttrs,
  floatToString,
  copyPathToStore,
  type Coerced,
  type CoerceOpts,
} from "./ops.js";
export { forceDeep } from "./deep.js";
export {
  printValue,
  printValueForError,
  printAmbiguous,
  formatFloat,
  escapeString,
  ERROR_PRINT_OPTIONS,
  type PrintOptions,
} from "./print.js";
export { valueToJSON, jsonString, jsonFloat } from "./to-json.js";
export { valueToXML } from "./to-xml.js";
export { canonPath, dirOfString, baseNameOfString } from "./paths.js";
export {
  registerPrimops,
  registerConstants,
  type PrimopSpec,
  type PrimopImpl,
  type ConstantSpec,
} from "./builtins/registry.js";
export { coerceToPath, resolveImportPath, findFile } from "./builtins/import.js";
export { knownDerivations, readDerivation } from "./builtins/store-paths.js";
