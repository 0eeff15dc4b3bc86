/**
 * The builder's environment exactly as Nix sets it (LocalDerivationGoal::initEnv, initTmpDir,
 * writeStructuredAttrs), plus the files it writes into the build directory for `passAsFile` and
 * structured attributes. Pure: returns what to set and what to write; the caller does the IO.
 */
import { hashPlaceholder, nix32Sha256 } from "./compat.js";
import { BuildError } from "./errors.js";
import {
  dumpJson,
  isJsonObject,
  parseJsonPreservingNumbers,
  structuredAttrsShell,
  type JsonValue,
} from "./structured-attrs.js";
import type { ResolvedDerivation } from "./types.js";

export interface EnvSettings {
  /** Logical store directory (NIX_STORE). */
  readonly storeDir: string;
  /** The build directory as the builder sees it ("/build" in the sandbox, the host dir without). */
  readonly buildDirInSandbox: string;
  /** NIX_BUILD_CORES. */
  readonly cores: number;
  /** HOME; Nix 2.8 uses /homeless-shelter. */
  readonly homeDir?: string;
  /** The caller's environment, for a fixed-output derivation's `impureEnvVars`. */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /** For `exportReferencesGraph`: the registration text of a store path's closure. */
  readonly exportReferences?: (storePath: string) => string;
}

export interface PreparedBuild {
  readonly builder: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Files to create in the build directory: name relative to it → contents. */
  readonly files: Map<string, string>;
}

/** placeholder → output path, for every output with a known path (Nix's `inputRewrites`). */
export function outputRewrites(drv: ResolvedDerivation): Map<string, string> {
  const rewrites = new Map<string, string>();
  for (const out of drv.outputs) rewrites.set(hashPlaceholder(out.name), out.path);
  return rewrites;
}

export function rewriteStrings(s: string, rewrites: ReadonlyMap<string, string>): string {
  if (rewrites.size === 0 || !s.includes("/")) return s;
  for (const [from, to] of rewrites) if (s.includes(from)) s = s.split(from).join(to);
  return s;
}

function tokenize(s: string): string[] {
  return s.split(/[ \t\n\r]+/).filter((t) => t.length > 0);
}

export function prepareBuild(drvPath: string, drv: ResolvedDerivation, settings: EnvSettings): PreparedBuild {
  const rewrites = outputRewrites(drv);
  const top = settings.buildDirInSandbox;
  const env: Record<string, string> = Object.create(null);
  const files = new Map<string, string>();

  env["PATH"] = "/path-not-set";
  env["HOME"] = settings.homeDir ?? "/homeless-shelter";
  env["NIX_STORE"] = settings.storeDir;
  env["NIX_BUILD_CORES"] = String(settings.cores);

  const structured = parseStructuredAttrs(drvPath, drv);
  if (!structured) {
    const passAsFile = new Set(tokenize(drv.env.get("passAsFile") ?? ""));
    for (const [name, value] of drv.env) {
      if (!passAsFile.has(name)) {
        env[name] = value;
      } else {
        const fileName = ".attr-" + nix32Sha256(name);
        files.set(fileName, rewriteStrings(value, rewrites));
        env[name + "Path"] = `${top}/${fileName}`;
      }
    }
  }

  env["NIX_BUILD_TOP"] = top;
  env["TMPDIR"] = env["TEMPDIR"] = env["TMP"] = env["TEMP"] = top;
  env["PWD"] = top;

  if (drv.fixedOutput) {
    env["NIX_OUTPUT_CHECKED"] = "1";
    const impure = structured
      ? stringsAttr(drvPath, structured["impureEnvVars"], "impureEnvVars")
      : tokenize(drv.env.get("impureEnvVars") ?? "");
    for (const name of impure) env[name] = settings.hostEnv?.[name] ?? "";
  }

  env["NIX_LOG_FD"] = "2";
  env["TERM"] = "xterm-256color";

  if (structured) {
    const outputs: Record<string, string> = Object.create(null);
    for (const o of drv.outputs) outputs[o.name] = rewriteStrings(hashPlaceholder(o.name), rewrites);
    structured["outputs"] = outputs;
    if (structured["exportReferencesGraph"] !== undefined) {
      throw new BuildError(
        `cannot build '${drvPath}': exportReferencesGraph with structured attributes is not supported by this builder yet`,
        "setup",
        drvPath,
      );
    }
    files.set(".attrs.sh", rewriteStrings(structuredAttrsShell(structured), rewrites));
    env["NIX_ATTRS_SH_FILE"] = `${top}/.attrs.sh`;
    files.set(".attrs.json", rewriteStrings(dumpJson(structured), rewrites));
    env["NIX_ATTRS_JSON_FILE"] = `${top}/.attrs.json`;
  } else if (drv.env.has("exportReferencesGraph")) {
    writeReferencesGraphs(drvPath, drv.env.get("exportReferencesGraph")!, settings, files);
  }

  for (const name of Object.keys(env)) env[name] = rewriteStrings(env[name]!, rewrites);
  return {
    builder: rewriteStrings(drv.builder, rewrites),
    args: drv.args.map((a) => rewriteStrings(a, rewrites)),
    env,
    files,
  };
}

function parseStructuredAttrs(
  drvPath: string,
  drv: ResolvedDerivation,
): { [key: string]: JsonValue } | undefined {
  const text = drv.structuredAttrs ?? drv.env.get("__json");
  if (text === undefined) return undefined;
  let parsed: JsonValue;
  try {
    parsed = parseJsonPreservingNumbers(text);
  } catch (e) {
    throw new BuildError(
      `cannot process __json attribute of '${drvPath}': ${(e as Error).message}`,
      "setup",
      drvPath,
    );
  }
  if (!isJsonObject(parsed)) {
    throw new BuildError(
      `cannot process __json attribute of '${drvPath}': not a JSON object`,
      "setup",
      drvPath,
    );
  }
  return parsed;
}

function stringsAttr(drvPath: string, v: JsonValue | undefined, name: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new BuildError(
      `attribute '${name}' of derivation '${drvPath}' must be a list of strings`,
      "setup",
      drvPath,
    );
  }
  return v as string[];
}

const GRAPH_FILE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `exportReferencesGraph = [ name1 path1 name2 path2 ... ]`: one registration file per pair. */
function writeReferencesGraphs(
  drvPath: string,
  value: string,
  settings: EnvSettings,
  files: Map<string, string>,
): void {
  const tokens = tokenize(value);
  if (tokens.length % 2 !== 0) {
    throw new BuildError(`odd number of tokens in 'exportReferencesGraph': '${value}'`, "setup", drvPath);
  }
  for (let i = 0; i < tokens.length; i += 2) {
    const fileName = tokens[i]!;
    const path = tokens[i + 1]!;
    if (!GRAPH_FILE_NAME.test(fileName)) {
      throw new BuildError(`invalid file name '${fileName}' in 'exportReferencesGraph'`, "setup", drvPath);
    }
    if (!path.startsWith(settings.storeDir + "/")) {
      throw new BuildError(`'exportReferencesGraph' contains a non-store path '${path}'`, "setup", drvPath);
    }
    // A path inside a store path stands for that store path.
    const rest = path.slice(settings.storeDir.length + 1);
    const storePath = `${settings.storeDir}/${rest.split("/")[0]}`;
    if (!settings.exportReferences) {
      throw new BuildError(
        `cannot build '${drvPath}': exportReferencesGraph needs the store`,
        "setup",
        drvPath,
      );
    }
    files.set(fileName, settings.exportReferences(storePath));
  }
}
