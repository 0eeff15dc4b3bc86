import { compareUtf8 } from "./encoding.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Compact JSON with object keys in UTF-8 byte order, as nlohmann::json's `dump()` prints (how Nix writes
 * the `__json` env var of structured-attrs derivations). Strings are escaped like JSON.stringify, which
 * matches nlohmann for valid UTF-8. Floats print as JavaScript prints them (see README).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareUtf8);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** `JSON.stringify(v, null, 2)` but with object keys in UTF-8 order regardless of JS key ordering rules. */
export function prettyJson(value: unknown, indent = "  ", depth = 0): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const pad = indent.repeat(depth + 1);
  const end = indent.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + prettyJson(v, indent, depth + 1)).join(",\n")}\n${end}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort(compareUtf8);
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${pad}${JSON.stringify(k)}: ${prettyJson(obj[k], indent, depth + 1)}`).join(",\n")}\n${end}}`;
}
