/**
 * Structured attributes (`__structuredAttrs = true`): the `.attrs.json` and `.attrs.sh` files Nix
 * writes into the build directory (parsed-derivations.cc `prepareStructuredAttrs`,
 * `writeStructuredAttrsShell`).
 *
 * JSON is parsed with number lexemes kept as written, so 64-bit integers and float spellings pass
 * through unchanged; objects are printed with sorted keys and no whitespace, as nlohmann's `dump()`.
 */

export class JsonNumber {
  constructor(readonly lexeme: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export function isJsonObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Parse JSON keeping number lexemes. Throws SyntaxError on bad input. */
export function parseJsonPreservingNumbers(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: { [key: string]: JsonValue } = Object.create(null);
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected string key");
        const key = str();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        obj[key] = value();
        ws();
        const sep = text[i++];
        if (sep === "}") return obj;
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return arr;
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) return ((i += 4), true);
    if (text.startsWith("false", i)) return ((i += 5), false);
    if (text.startsWith("null", i)) return ((i += 4), null);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("unterminated string");
      if (c === '"') break;
      i += c === "\\" ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

function compareKeys(a: string, b: string): number {
  // nlohmann's object is a std::map<std::string>: byte order of UTF-8. For BMP text, UTF-16 code
  // unit order agrees except around surrogates; compare via Buffer to be exact.
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** nlohmann `dump()`: compact, keys sorted. */
export function dumpJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.lexeme;
  if (Array.isArray(v)) return "[" + v.map(dumpJson).join(",") + "]";
  const keys = Object.keys(v).sort(compareKeys);
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + dumpJson(v[k]!)).join(",") + "}";
}

export function shellEscape(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

const SH_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function simpleShellValue(v: JsonValue): string | undefined {
  if (typeof v === "string") return shellEscape(v);
  if (v instanceof JsonNumber) {
    const f = Math.fround(Number(v.lexeme));
    if (Math.ceil(f) === f) return BigInt.asIntN(32, BigInt(Math.trunc(Number(v.lexeme)))).toString();
    return undefined;
  }
  if (v === null) return "''";
  if (typeof v === "boolean") return v ? "1" : "";
  return undefined;
}

/** `.attrs.sh`: every attribute representable in bash, as `declare` lines. */
export function structuredAttrsShell(json: { [key: string]: JsonValue }): string {
  let out = "";
  for (const key of Object.keys(json).sort(compareKeys)) {
    if (!SH_VAR_NAME.test(key)) continue;
    const value = json[key]!;
    const simple = simpleShellValue(value);
    if (simple !== undefined) {
      out += `declare ${key}=${simple}\n`;
    } else if (Array.isArray(value)) {
      let items = "";
      let good = true;
      for (const item of value) {
        const s = simpleShellValue(item);
        if (s === undefined) {
          good = false;
          break;
        }
        items += s + " ";
      }
      if (good) out += `declare -a ${key}=(${items})\n`;
    } else if (isJsonObject(value)) {
      let items = "";
      let good = true;
      for (const k2 of Object.keys(value).sort(compareKeys)) {
        const s = simpleShellValue(value[k2]!);
        if (s === undefined) {
          good = false;
          break;
        }
        items += `[${shellEscape(k2)}]=${s} `;
      }
      if (good) out += `declare -A ${key}=(${items})\n`;
    }
  }
  return out;
}
