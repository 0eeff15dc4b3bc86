// Finds the workloads in bench/workloads/ and turns each into { name, description,
// args, expect, compare } with its input prepared.
//
// A `.nix` workload declares itself in leading comment lines:
//   # bench: what it models
//   # bench-args: --eval --strict {file}      ({file} is the workload's own path)
//   # bench-expect: 832040                    (optional: nix-instantiate's stdout, one line)
//   # bench-compare: no                       (optional: don't compare tsnix's output with nix's)
// A `.mjs` workload default-exports { description, args, expect?, compare?, prepare?(outDir) },
// where prepare writes the input into outDir (bench/.out/) and returns its path.
// A `.mjs` file without a top-level `export default` is a script, not a workload: it is
// returned with `skip` set and never imported. A `parse-*.nix` file without bench-args
// gets `--parse {file}`. A workload that fails to
// load keeps its name and gets `loadError`, so the runner reports it and goes on.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const HEADER = /^#\s*bench(-[a-z]+)?:\s?(.*)$/;

function parseNixHeader(path) {
  const fields = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.startsWith("#")) break;
    const match = HEADER.exec(line);
    if (match) fields[match[1] ?? "-description"] = match[2].trim();
  }
  if (!fields["-args"]) {
    // parse-* workloads (the parser's) default to measuring the parser alone.
    if (basename(path).startsWith("parse-")) fields["-args"] = "--parse {file}";
    else throw new Error(`missing "# bench-args:" header`);
  }
  const expect = fields["-expect"];
  return {
    description: fields["-description"] ?? "",
    args: fields["-args"].split(/\s+/),
    expect: expect && expect !== "PENDING" ? expect : null,
    compare: (fields["-compare"] ?? "yes") !== "no",
    prepare: () => path,
  };
}

async function loadModule(path) {
  const spec = (await import(pathToFileURL(path).href)).default;
  if (!spec || !Array.isArray(spec.args)) throw new Error("default export needs an args array");
  return {
    description: spec.description ?? "",
    args: spec.args,
    expect: spec.expect ?? null,
    compare: spec.compare ?? true,
    prepare: spec.prepare ? (outDir) => spec.prepare(outDir) : () => null,
  };
}

/** All workloads (and skipped scripts, with `skip`), sorted by name; `only` filters them. */
export async function discoverWorkloads(dir, only) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".nix") || f.endsWith(".mjs"))
    .sort();
  const workloads = [];
  for (const file of files) {
    const name = file.replace(/\.(nix|mjs)$/, "");
    if (only && !only.includes(name)) continue;
    const path = join(dir, file);
    if (file.endsWith(".mjs") && !/^export default\b/m.test(readFileSync(path, "utf8"))) {
      // A helper script kept beside the workloads (e.g. a generator run by hand): importing
      // it would run it, so it is listed as skipped instead.
      workloads.push({ name, file: path, skip: "a script, not a workload (no `export default`)" });
      continue;
    }
    try {
      const spec = file.endsWith(".nix") ? parseNixHeader(path) : await loadModule(path);
      workloads.push({ name, file: path, ...spec });
    } catch (error) {
      // A broken workload becomes an error row; the others still run.
      workloads.push({ name, file: path, description: "", args: [], loadError: error.message });
    }
  }
  if (only) {
    const missing = only.filter((n) => !workloads.some((w) => w.name === n));
    if (missing.length) throw new Error(`no such workload: ${missing.join(", ")}`);
  }
  return workloads;
}

/** Prepares the input and returns the argument list with {file} filled in. */
export async function prepareArgs(workload, outDir) {
  const input = await workload.prepare(outDir);
  return workload.args.map((a) => {
    if (!a.includes("{file}")) return a;
    if (!input) throw new Error(`${workload.name}: args use {file} but the workload has no input`);
    return a.replaceAll("{file}", input);
  });
}
