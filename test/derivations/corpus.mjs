// The derivation corpus: expressions that each evaluate to a derivation, generated from tables so
// every attribute kind is covered. `FIX` in an expression is replaced by the absolute path of
// ./fixtures. Shared by record.mjs (Nix 2.8 → golden.json) and corpus.test.ts (tsnix).

const sys = `system = "x86_64-linux";`;
const base = (name, rest = "") => `derivation { name = "${name}"; builder = "/bin/sh"; ${sys} ${rest} }`;
/** A Nix string literal. */
const str = (s) => JSON.stringify(s).replace(/\$\{/g, "\\${");

/** Experimental features a case needs (passed to Nix and tsnix alike). */
export const FEATURES = "ca-derivations impure-derivations";

export function needsFeatures(expr) {
  return expr.includes("__contentAddressed") || expr.includes("__impure");
}

export function corpus() {
  const cases = [];
  const add = (name, expr) => cases.push({ name, expr });

  // -- names, builders, systems
  for (const n of [
    "a",
    "hello-2.10",
    "x.y_z+w?=v",
    "UPPER",
    "n".repeat(200),
    "name-with-dashes-1.0.0",
    "_under",
    ".dotted",
  ])
    add(`name/${n.slice(0, 30)}`, base(n));
  for (const b of ["/bin/sh", "/nix/store/x-bash/bin/bash", "builtin:fetchurl", "relative", "with space"])
    add(`builder/${b}`, `derivation { name = "b"; builder = ${str(b)}; ${sys} }`);
  for (const s of ["x86_64-linux", "aarch64-darwin", "builtin", "i686-linux", "weird system"])
    add(`system/${s}`, `derivation { name = "s"; builder = "/bin/sh"; system = ${str(s)}; }`);

  // -- environment values (coerceToString with coerceMore)
  const envValues = {
    empty: `""`,
    plain: `"value"`,
    unicode: str("héllo wörld € 😀 日本"),
    escapes: str('quote " backslash \\ tab \t newline \n cr \r dollar $ brace { }'),
    control: `builtins.fromJSON ''"a\\u0001b"''`,
    long: str("x".repeat(5000)),
    int: "42",
    negint: "(-7)",
    bigint: "9223372036854775807",
    float: "1.5",
    float2: "0.1",
    floatbig: "1.0e20",
    true: "true",
    false: "false",
    null: "null",
    list: `[ "a" 1 true null "b" ]`,
    nestedlist: `[ [ "a" "b" ] [ ] "c" ]`,
    emptylist: "[ ]",
    path: "FIX/data.txt",
    pathdir: "FIX/src",
    interp: `"pre-\${"x"}-post"`,
    toStringAttrs: `{ __toString = self: "from-toString"; }`,
    outPathAttrs: `{ outPath = "/some/out/path"; }`,
  };
  for (const [k, v] of Object.entries(envValues)) add(`env/${k}`, base("env", `VAL = ${v};`));
  add(
    "env/many",
    base(
      "many",
      Object.keys(envValues)
        .filter((k) => k !== "control")
        .map((k, i) => `V${i} = ${envValues[k]};`)
        .join(" "),
    ),
  );
  add("env/attr-order", base("order", `zzz = "1"; AAA = "2"; _x = "3"; mmm = "4"; "a b" = "5"; "é" = "6";`));
  add("env/override-out", base("ovr", `out = "ignored";`));
  add("env/placeholder", base("ph", `script = "echo \${builtins.placeholder "out"}";`));
  add("env/placeholder-dev", base("ph2", `outputs = [ "out" "dev" ]; d = builtins.placeholder "dev";`));

  // -- args
  const argsTable = {
    none: "[ ]",
    one: `[ "-c" ]`,
    several: `[ "-e" "-c" "echo hi" ]`,
    coerced: `[ 1 true null 2.5 [ "x" "y" ] ]`,
    unicode: `[ ${str("ü")} ${str("\n")} ]`,
    path: `[ FIX/data.txt ]`,
  };
  for (const [k, v] of Object.entries(argsTable)) add(`args/${k}`, base("args", `args = ${v};`));

  // -- outputs
  const outputsTable = [
    ["out"],
    ["out", "dev"],
    ["dev", "out"],
    ["bin", "lib", "dev", "out", "doc"],
    ["a", "b"],
    ["man"],
  ];
  for (const o of outputsTable) {
    const list = `[ ${o.map((x) => str(x)).join(" ")} ]`;
    add(`outputs/${o.join(",")}`, base("outs", `outputs = ${list};`));
    add(`outputs-select-last/${o.join(",")}`, `(${base("outs", `outputs = ${list};`)}).${o[o.length - 1]}`);
  }

  // -- __ignoreNulls
  add("ignoreNulls/true", base("in", `__ignoreNulls = true; a = null; b = "x";`));
  add("ignoreNulls/false", base("in", `__ignoreNulls = false; a = null; b = "x";`));
  add("ignoreNulls/args-null", base("in", `__ignoreNulls = true; args = null;`));

  // -- dependencies
  const dep = (n, rest = "") => `(${base(n, rest)})`;
  add("deps/out", base("user", `dep = ${dep("dep")};`));
  add("deps/interp", base("user", `script = "cp \${${dep("dep")}}/bin $out";`));
  add("deps/dev-output", base("user", `dep = ${dep("dep", `outputs = [ "out" "dev" ];`)}.dev;`));
  add(
    "deps/both-outputs",
    `let d = ${dep("dep", `outputs = [ "out" "dev" ];`)}; in ${base("user", `a = d.out; b = d.dev;`)}`,
  );
  add("deps/drvPath", base("user", `d = ${dep("dep")}.drvPath;`));
  add(
    "deps/drvPath-discard",
    base("user", `d = builtins.unsafeDiscardOutputDependency ${dep("dep")}.drvPath;`),
  );
  add(
    "deps/drvPath-nested",
    `let a = ${dep("a")}; b = ${dep("b", "x = a;")}; in ${base("user", "d = b.drvPath;")}`,
  );
  add("deps/drvPath-src", `let a = ${dep("a", "src = FIX/src;")}; in ${base("user", "d = a.drvPath;")}`);
  add("deps/discard-context", base("user", `d = builtins.unsafeDiscardStringContext ${dep("dep")}.outPath;`));
  add(
    "deps/diamond",
    `let a = ${dep("a")}; b = ${dep("b", "x = a;")}; c = ${dep("c", "x = a;")}; in ${base("top", "x = [ b c ];")}`,
  );
  for (let n = 1; n <= 6; n++) {
    let e = base("chain-0");
    for (let i = 1; i <= n; i++) e = base(`chain-${i}`, `prev = ${"(" + e + ")"};`);
    add(`deps/chain-${n}`, e);
  }
  add(
    "deps/builder-from-dep",
    base("user", "").replace(`builder = "/bin/sh";`, `builder = "\${${dep("bash")}}/bin/sh";`),
  );
  add("deps/args-dep", base("user", `args = [ "\${${dep("tool")}}/bin/x" ];`));
  add(
    "deps/with-getContext",
    `let d = ${dep("dep")}; s = builtins.appendContext "x" { \${builtins.unsafeDiscardStringContext d.drvPath} = { outputs = [ "out" ]; }; }; in ${base("user", "s = s;")}`,
  );
  add(
    "deps/appendContext-allOutputs",
    `let d = ${dep("dep", `outputs = ["out" "lib"];`)}; s = builtins.appendContext "x" { \${builtins.unsafeDiscardStringContext d.drvPath} = { allOutputs = true; }; }; in ${base("user", "s = s;")}`,
  );

  // -- fixed outputs
  const zero32 = "0000000000000000000000000000000000000000000000000000";
  const fods = {
    "flat-sha256-nix32": `outputHash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; outputHashAlgo = "sha256";`,
    "flat-sha256-base16": `outputHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; outputHashAlgo = "sha256";`,
    "flat-sha256-sri": `outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";`,
    "flat-sha256-prefixed": `outputHash = "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s";`,
    "flat-sha1": `outputHash = "a9993e364706816aba3e25717850c26c9cd0d89d"; outputHashAlgo = "sha1";`,
    "flat-sha512": `outputHash = "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";`,
    "flat-md5": `outputHash = "900150983cd24fb0d6963f7d28e17f72"; outputHashAlgo = "md5";`,
    "recursive-sha256": `outputHashMode = "recursive"; outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";`,
    "recursive-sha1": `outputHashMode = "recursive"; outputHashAlgo = "sha1"; outputHash = "a9993e364706816aba3e25717850c26c9cd0d89d";`,
    "flat-explicit": `outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "${zero32}";`,
  };
  for (const [k, v] of Object.entries(fods)) {
    add(`fod/${k}`, base("fod", v));
    add(`fod-user/${k}`, base("user", `src = ${dep("fod", v)};`));
  }
  add("fod/with-deps", base("fod", `dep = ${dep("d")}; ${fods["flat-sha256-sri"]}`));
  add(
    "fod/same-hash-different-builder",
    `let a = ${dep("f", fods["flat-sha256-sri"])}; b = derivation { name = "f"; builder = "/bin/bash"; ${sys} ${fods["flat-sha256-sri"]} }; in ${base("user", "a = a; b = b;")}`,
  );
  add("fod/user-drvPath", base("user", `d = ${dep("fod", fods["recursive-sha256"])}.drvPath;`));
  add("fod/name-with-output", base("src.tar.gz", fods["flat-sha256-sri"]));

  // -- floating content addressing
  const ca = `__contentAddressed = true;`;
  add("ca/basic", base("ca", ca));
  add("ca/outputs", base("ca", `${ca} outputs = [ "out" "dev" ];`));
  add("ca/flat-sha1", base("ca", `${ca} outputHashMode = "flat"; outputHashAlgo = "sha1";`));
  add("ca/recursive-sha512", base("ca", `${ca} outputHashMode = "recursive"; outputHashAlgo = "sha512";`));
  add("ca/user-ia", base("user", `dep = ${dep("ca", ca)};`));
  add("ca/user-ca", base("user", `${ca} dep = ${dep("ca", ca)};`));
  add(
    "ca/user-of-deferred",
    `let c = ${dep("ca", ca)}; d = ${dep("ia", "x = c;")}; in ${base("top", "x = d;")}`,
  );
  add("ca/false", base("ca", `__contentAddressed = false;`));

  // -- impure
  add("impure/basic", base("imp", `__impure = true;`));
  add("impure/outputs", base("imp", `__impure = true; outputs = [ "out" "bin" ];`));

  // -- structured attrs
  const sa = `__structuredAttrs = true;`;
  const saValues = {
    string: `"s"`,
    unicode: str("ünïcødé 😀"),
    control: `"tab\\tnl\\ncr\\rbs\\\\q\\"" + builtins.fromJSON ''"\\u0001\\u001f\\u007f"''`,
    int: "42",
    neg: "(-42)",
    max: "9223372036854775807",
    float: "1.5",
    floats: "[ 0.1 1.0 100.0 1.0e15 1.0e16 1.0e21 1.0e-4 1.0e-5 123456.789 (-2.5) 3.0e-7 ]",
    bools: "[ true false ]",
    null: "null",
    list: `[ 1 "a" [ ] { } null ]`,
    attrs: `{ b = 1; a = { z = [ ]; y = "x"; }; "key with space" = true; "é" = 1; A = 2; }`,
    path: "FIX/data.txt",
    drv: dep("dep"),
    drvOut: `${dep("dep", `outputs = [ "out" "lib" ];`)}.lib`,
    toString: `{ __toString = self: "ts"; }`,
    nested: `{ a.b.c.d = [ { e = 1; } ]; }`,
  };
  for (const [k, v] of Object.entries(saValues)) add(`structured/${k}`, base("sa", `${sa} val = ${v};`));
  add("structured/outputs", base("sa", `${sa} outputs = [ "out" "dev" "bin" ];`));
  add(
    "structured/outputChecks",
    base("sa", `${sa} outputChecks.out = { allowedReferences = [ ]; maxSize = 100; };`),
  );
  add("structured/args", base("sa", `${sa} args = [ "-c" "x" ];`));
  add("structured/fod", base("sa", `${sa} ${fods["recursive-sha256"]}`));
  add("structured/ca", base("sa", `${sa} ${ca}`));
  add("structured/false", base("sa", `__structuredAttrs = false; val = "x";`));
  add("structured/ignoreNulls", base("sa", `${sa} __ignoreNulls = true; a = null; b = 1;`));
  add(
    "structured/exportReferencesGraph",
    base("sa", `${sa} exportReferencesGraph.closure = [ ${dep("dep")} ];`),
  );
  add("structured/user", base("user", `dep = ${dep("sa", `${sa} x = 1;`)};`));

  // -- passAsFile and build-attribute passthrough
  add("passAsFile/one", base("paf", `passAsFile = [ "big" ]; big = "lots of text";`));
  add("passAsFile/two", base("paf", `passAsFile = [ "a" "b" ]; a = "1"; b = "2";`));
  for (const k of [
    "allowedReferences",
    "allowedRequisites",
    "disallowedReferences",
    "disallowedRequisites",
  ]) {
    add(`checks/${k}`, base("chk", `${k} = [ "out" ${dep("dep")} ];`));
  }
  add(
    "checks/misc",
    base(
      "chk",
      `preferLocalBuild = true; allowSubstitutes = false; impureEnvVars = [ "http_proxy" ]; requiredSystemFeatures = [ "kvm" ]; __noChroot = true;`,
    ),
  );
  add("checks/exportReferencesGraph", base("chk", `exportReferencesGraph = [ "closure" ${dep("dep")} ];`));

  // -- paths copied to the store
  add("paths/dir", base("p", `src = FIX/src;`));
  add("paths/file", base("p", `src = FIX/data.txt;`));
  add("paths/exec-file", base("p", `src = FIX/src/run.sh;`));
  add("paths/symlink", base("p", `src = FIX/src/link;`));
  add("paths/subdir", base("p", `src = FIX/src/sub;`));
  add("paths/interp", base("p", `src = "\${FIX/src}/a.txt";`));
  add("paths/twice", base("p", `a = FIX/src; b = "\${FIX/src}";`));
  add("paths/builtins.path", base("p", `src = builtins.path { path = FIX/src; };`));
  add("paths/builtins.path-name", base("p", `src = builtins.path { path = FIX/src; name = "renamed"; };`));
  add(
    "paths/builtins.path-filter",
    base(
      "p",
      `src = builtins.path { path = FIX/src; filter = p: t: t != "symlink" && baseNameOf p != "run.sh"; };`,
    ),
  );
  add(
    "paths/builtins.path-flat",
    base("p", `src = builtins.path { path = FIX/data.txt; recursive = false; };`),
  );
  add(
    "paths/builtins.path-flat-exec",
    base("p", `src = builtins.path { path = FIX/src/run.sh; recursive = false; name = "run"; };`),
  );
  add(
    "paths/filterSource",
    base("p", `src = builtins.filterSource (p: t: t == "directory" || baseNameOf p == "b.txt") FIX/src;`),
  );
  add("paths/filterSource-none", base("p", `src = builtins.filterSource (p: t: false) FIX/src;`));
  add("paths/in-args", base("p", `args = [ FIX/src/run.sh ];`));
  add("paths/as-builder", `derivation { name = "p"; builder = FIX/src/run.sh; ${sys} }`);
  // toString of a path literal neither copies nor checks existence: a fixed path keeps the
  // answer independent of where the repository is checked out.
  add("paths/toString-no-copy", base("p", `src = toString /tsnix-fixture/src;`));
  add("paths/storePath", base("p", `src = builtins.storePath "\${FIX/src}";`));

  // -- toFile
  add("toFile/plain", base("tf", `f = builtins.toFile "script.sh" "echo hello";`));
  add("toFile/unicode", base("tf", `f = builtins.toFile "u" ${str("ü€😀\n")};`));
  add("toFile/ref-src", base("tf", `f = builtins.toFile "ref" "\${FIX/src}/a.txt";`));
  add("toFile/ref-two", base("tf", `f = builtins.toFile "ref2" "\${FIX/src} \${FIX/data.txt}";`));
  add(
    "toFile/ref-toFile",
    `let a = builtins.toFile "a" "A"; in ${base("tf", `f = builtins.toFile "b" "\${a}";`)}`,
  );
  add("toFile/empty", base("tf", `f = builtins.toFile "empty" "";`));

  // -- combinations, generated: outputs × value kinds × dependency kinds
  const depKinds = {
    none: "",
    out: `d = ${dep("dep")};`,
    fod: `d = ${dep("fod", fods["flat-sha256-sri"])};`,
    src: "d = FIX/src;",
    file: `d = builtins.toFile "f" "x";`,
  };
  const outKinds = { single: "", multi: `outputs = [ "out" "lib" ];` };
  const valKinds = { str: `v = "x";`, num: "v = 3;", list: `v = [ "a" "b" ];` };
  for (const [dk, dv] of Object.entries(depKinds))
    for (const [ok, ov] of Object.entries(outKinds))
      for (const [vk, vv] of Object.entries(valKinds)) {
        add(`combo/${dk}-${ok}-${vk}`, base(`combo-${dk}`, `${dv} ${ov} ${vv}`));
        add(`combo-sa/${dk}-${ok}-${vk}`, base(`combo-${dk}`, `${sa} ${dv} ${ov} ${vv}`));
      }
  return cases;
}

/** Wraps a case so that it evaluates to { drvPath; outputs = { name = outPath; }; }. */
export function wrap(expr, fix) {
  const e = expr.replaceAll("FIX", fix);
  return `let d = (${e}); outs = d.outputs or [ "out" ]; in { drvPath = d.drvPath; outputName = d.outputName; outputs = builtins.listToAttrs (map (o: { name = o; value = d.\${o}.outPath; }) (if builtins.isList outs then outs else [ "out" ])); }`;
}
