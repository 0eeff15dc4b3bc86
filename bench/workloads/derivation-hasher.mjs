// Hand-run script (no default export, so the runner skips it): times DerivationHasher.register
// alone on 20,000 chained two-output derivations shaped like derivations.nix's, to compare
// nix-compat builds without the evaluator around them.
//
//   npx tsc -b packages/nix-compat packages/glue
//   node bench/workloads/derivation-hasher.mjs [ROUNDS] [ROOT...]
//
// ROOT: trees whose packages/nix-compat/dist to load (default: this one); each round runs every
// ROOT with the built-in hashes and, where it has them, with node:crypto (glue's
// installNativeHashing), interleaved. Prints per-round times, then the best of each.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2] ?? 5);
const roots = process.argv.length > 3 ? process.argv.slice(3) : [resolve(import.meta.dirname, "../..")];

const variants = [];
for (const root of roots) {
  const nc = await import(pathToFileURL(`${root}/packages/nix-compat/dist/index.js`).href);
  variants.push({ name: `${root} builtin`, nc, native: false });
  if (nc.setHashImplementation !== undefined)
    variants.push({ name: `${root} native`, nc, native: true, root });
}

async function setBackend(v) {
  if (v.nc.setHashImplementation === undefined) return;
  if (!v.native) for (const a of v.nc.HASH_ALGOS) v.nc.setHashImplementation(a, null);
  else (await import(pathToFileURL(`${v.root}/packages/glue/dist/index.js`).href)).installNativeHashing();
}

function chain(nc) {
  const known = new Map();
  const hasher = new nc.DerivationHasher({ readDerivation: (p) => known.get(p) });
  let prev = null;
  let prevPath = null;
  const t0 = performance.now();
  for (let i = 0; i < 20000; i++) {
    const d = nc.emptyDerivation(`chain-${i}`);
    d.system = "x86_64-linux";
    d.builder = "/bin/sh";
    d.args.push("-c", "echo " + i + " > $out");
    const dep = (o) => (prev ? "/nix/store/" + prev.outputs.get(o).path : "");
    for (const [k, v] of [
      ["name", "chain-" + i],
      ["system", "x86_64-linux"],
      ["builder", "/bin/sh"],
      ["index", String(i)],
      ["dep", dep("out")],
      ["depDev", dep("dev")],
      ["enableParallelBuilding", "1"],
      ["configureFlags", "--prefix=/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9 --with-index=" + i],
      [
        "buildCommand",
        'mkdir -p $out $dev\necho "step ' + i + " after " + (prev?.name ?? "nothing") + '" > $out/log\n',
      ],
      ["outputs", "out dev"],
    ])
      d.env.set(k, v);
    for (const o of ["dev", "out"]) {
      d.env.set(o, "");
      d.outputs.set(o, { kind: "deferred" });
    }
    if (prevPath) d.inputDrvs.set(prevPath, nc.inputDrvNode(["dev", "out"]));
    prevPath = hasher.register(d).baseName;
    known.set(prevPath, d);
    prev = d;
  }
  return { ms: performance.now() - t0, last: prevPath };
}

const best = new Map();
for (let r = 0; r < rounds; r++) {
  const line = [];
  for (const v of variants) {
    await setBackend(v);
    const { ms, last } = chain(v.nc);
    best.set(v.name, Math.min(best.get(v.name) ?? Infinity, ms));
    line.push(`${v.name}: ${ms.toFixed(0)} ms${r === 0 ? ` (${last})` : ""}`);
  }
  console.log(line.join("; "));
}
for (const [name, ms] of best) console.log(`best ${name}: ${ms.toFixed(0)} ms`);
