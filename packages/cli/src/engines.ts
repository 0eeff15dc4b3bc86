// Loading the parser, evaluator and Node IO quickly. Importing them module by
// module costs most of a second (chevrotain and lodash-es are hundreds of
// files), so `bundleEngines()` (run by the build, CI and test-lang) writes one
// esbuild bundle of their dist/ files plus a manifest of its inputs. At run
// time the bundle is used only while no input is newer than it; otherwise the
// packages are imported one by one (slow but always current).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { GlueModule, EvalModule, ParserModule } from "./contracts.js";

export interface Engines {
  parser: ParserModule;
  evaluator: EvalModule | null;
  glue: GlueModule | null;
}

const PACKAGES = [
  { key: "parser", name: "@tsnix/parser" },
  { key: "evaluator", name: "@tsnix/eval" },
  { key: "glue", name: "@tsnix/glue" },
] as const;

const BUNDLE = fileURLToPath(new URL("./engines.bundle.js", import.meta.url));
const MANIFEST = fileURLToPath(new URL("./engines.manifest.json", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUNDLE_SCRIPT = fileURLToPath(new URL("../scripts/bundle.mjs", import.meta.url));

export interface Manifest {
  builtMs: number;
  packages: string[];
  inputs: string[];
}

function packageBuilt(name: string): boolean {
  return existsSync(`${ROOT}packages/${name.slice("@tsnix/".length)}/dist/index.js`);
}

function readManifest(): Manifest | null {
  try {
    return JSON.parse(readFileSync(MANIFEST, "utf8")) as Manifest;
  } catch {
    return null;
  }
}

/** Whether the bundle holds every built package and no input changed since it was made. */
export function bundleIsFresh(m: Manifest | null = readManifest()): boolean {
  if (m === null || !existsSync(BUNDLE)) return false;
  const built = PACKAGES.filter((p) => packageBuilt(p.name)).map((p) => p.name);
  if (built.join() !== m.packages.join()) return false;
  for (const input of m.inputs) {
    try {
      if (statSync(input).mtimeMs > m.builtMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function importEach(): Promise<Engines> {
  const load = async (name: string) => {
    try {
      return (await import(name)) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const [parser, evaluator, glue] = await Promise.all(PACKAGES.map((p) => load(p.name)));
  if (parser === null) throw new Error("the parser (@tsnix/parser) is not built");
  return {
    parser: parser as unknown as ParserModule,
    evaluator: evaluator as unknown as EvalModule | null,
    glue: typeof glue?.createNodeIO === "function" ? (glue as unknown as GlueModule) : null,
  };
}

let loaded: Promise<Engines> | null = null;

export function loadEngines(): Promise<Engines> {
  return (loaded ??= (async () => {
    if (process.env.TSNIX_NO_BUNDLE !== "1" && bundleIsFresh()) {
      const b = (await import(pathToFileURL(BUNDLE).href)) as Record<
        string,
        Record<string, unknown> | undefined
      >;
      return {
        parser: b.parser as unknown as ParserModule,
        evaluator: (b.evaluator ?? null) as unknown as EvalModule | null,
        glue: typeof b.glue?.createNodeIO === "function" ? (b.glue as unknown as GlueModule) : null,
      };
    }
    if (process.env.TSNIX_NO_BUNDLE !== "1") refreshInBackground();
    return importEach();
  })());
}

/**
 * A stale bundle is rebuilt by a detached process (for the next run; this one
 * imports the packages directly). Needs esbuild, so only in a development tree.
 */
function refreshInBackground(): void {
  if (!existsSync(BUNDLE_SCRIPT) || !existsSync(`${ROOT}node_modules/esbuild`)) return;
  try {
    spawn(process.execPath, [BUNDLE_SCRIPT, "--if-stale"], { detached: true, stdio: "ignore" }).unref();
  } catch {
    // Only an optimisation.
  }
}

const LOCK = fileURLToPath(new URL("./engines.lock", import.meta.url));

/** Runs `work` unless another process holds the bundling lock (a lock older than a minute is broken). */
export async function withBundleLock<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    mkdirSync(LOCK);
  } catch {
    try {
      if (Date.now() - statSync(LOCK).mtimeMs < 60_000) return null;
      rmSync(LOCK, { recursive: true, force: true });
      mkdirSync(LOCK);
    } catch {
      return null;
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Writes the bundle and its manifest (needs esbuild, a dev dependency). Returns the packages bundled. */
export async function bundleEngines(): Promise<string[]> {
  const esbuild = await import("esbuild");
  const included = PACKAGES.filter((p) => packageBuilt(p.name));
  const entry = included.map((p) => `export * as ${p.key} from "${p.name}";`).join("\n");
  const builtMs = Date.now();
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: "engines-entry.js" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: tmp,
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: "warning",
    // Keep node: builtins and native addons external.
    external: ["better-sqlite3"],
    banner: {
      js: 'import { createRequire as __tsnixCreateRequire } from "node:module"; const require = __tsnixCreateRequire(import.meta.url);',
    },
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes("node_modules/") && p !== "engines-entry.js")
    .map((p) => (p.startsWith("/") ? p : `${ROOT}${p}`));
  renameSync(tmp, BUNDLE);
  const manifest: Manifest = { builtMs, packages: included.map((p) => p.name), inputs };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + "\n");
  return manifest.packages;
}
