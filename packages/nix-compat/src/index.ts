export * from "./errors.js";
export {
  utf8Encode,
  utf8Decode,
  compareUtf8,
  sortUtf8,
  base16Encode,
  base16Decode,
  base64Encode,
  base64Decode,
} from "./encoding.js";
export * from "./nixbase32.js";
export * from "./hash.js";
export * from "./store-path.js";
export * from "./content-address.js";
export * from "./nar.js";
export * from "./derivation.js";
export * from "./aterm.js";
export * from "./derivation-json.js";
export * from "./hash-modulo.js";
export * from "./placeholder.js";
export * from "./derived-path.js";
export * from "./resolution.js";
export * from "./json.js";
export * from "./path-info.js";
export * from "./nar-source.js";
export * from "./narinfo.js";
export * from "./nar-stream.js";
export * from "./tar.js";
export * from "./derivation-options.js";
