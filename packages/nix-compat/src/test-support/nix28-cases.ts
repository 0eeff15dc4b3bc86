// Cases cross-checked against Nix 2.8 (`nix-instantiate`, `nix-store --dump`, `nix-hash`).
// Their answers are recorded in ../golden/nix-2.8.json so the tests run without Nix; when Nix is on PATH
// the live test recomputes them (RECORD_GOLDEN=1 rewrites the file).

export type TreeSpec =
  { file: string; executable?: boolean } | { symlink: string } | { dir: Record<string, TreeSpec> };

const base = `system = "x86_64-linux"; builder = "/bin/sh";`;
const abcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

const simple = `derivation { name = "simple"; ${base} args = [ "-c" "echo hi > $out" ]; }`;
const multi = `derivation { name = "multi"; ${base} outputs = [ "out" "dev" "doc" ];
  weird = "q\\"b\\\\s\\nn\\tt\\rr $ \${"x"}"; uni = "ünïcødé 🎉"; empty = ""; int = 42; flag = true; nothing = null;
  list = [ "a" 1 true ]; }`;
const fixedFlat = `derivation { name = "fixed-flat"; ${base} outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "${abcSha256}"; }`;
const fixedRec = `derivation { name = "fixed-rec"; ${base} outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; }`;

export const DERIVATION_CASES: Record<string, string> = {
  simple,
  multi,
  "fixed-flat": fixedFlat,
  "fixed-rec": fixedRec,
  "fixed-sha1": `derivation { name = "fixed-sha1"; ${base} outputHashAlgo = "sha1"; outputHash = "a9993e364706816aba3e25717850c26c9cd0d89d"; }`,
  "fixed-sha512-rec": `derivation { name = "fixed-sha512-rec"; ${base} outputHashMode = "recursive"; outputHashAlgo = "sha512"; outputHash = "2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84hawjbk876blyk1jfhkbbyx"; }`,
  "fixed-md5": `derivation { name = "fixed-md5"; ${base} outputHash = "md5:900150983cd24fb0d6963f7d28e17f72"; }`,
  "fixed-sri": `derivation { name = "fixed-sri"; ${base} outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; }`,
  deps: `let s = ${simple}; f = ${fixedFlat}; m = ${multi}; in derivation { name = "deps"; ${base}
  args = [ "-c" "\${s} \${f}" ]; src = builtins.toFile "src.sh" "echo src"; dev = m.dev; doc = m.doc; drvp = s.drvPath; }`,
  "via-fixed": `let f1 = derivation { name = "fetch"; ${base} url = "one"; outputHashMode = "recursive"; outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; };
  in derivation { name = "via-fixed"; ${base} src = f1; }`,
  "via-fixed-other-url": `let f1 = derivation { name = "fetch"; ${base} url = "two"; outputHashMode = "recursive"; outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; };
  in derivation { name = "via-fixed"; ${base} src = f1; }`,
  structured: `derivation { name = "structured"; ${base} __structuredAttrs = true; outputs = [ "out" "lib" ];
  nested = { b = [ 1 2 { c = "d\\n\\"e\\u0001"; } ]; a = null; "10" = 1; "9" = 2; }; flag = false; s = "ü"; }`,
  placeholder: `derivation { name = "ph"; ${base} outputs = [ "out" "bin" ]; args = [ (builtins.placeholder "bin") ]; }`,
};

/** builtins.toFile cases: contents may reference other toFile results (which become references). */
export const TOFILE_CASES: Record<
  string,
  { name: string; contents: string; refs?: { name: string; contents: string }[] }
> = {
  plain: { name: "x", contents: "y" },
  multiline: { name: "script.sh", contents: '#!/bin/sh\necho "hi"\n' },
  "with-ref": { name: "a", contents: "ref: ", refs: [{ name: "b", contents: "x" }] },
};

export const TREE_CASES: Record<string, TreeSpec> = {
  "single-file": { file: "hello\n" },
  "exec-file": { file: "#!/bin/sh\n", executable: true },
  tree: {
    dir: {
      "b.txt": { file: "bee" },
      a: { dir: { "x.sh": { file: "echo x\n", executable: true }, empty: { dir: {} } } },
      link: { symlink: "a/x.sh" },
      "Z-upper": { file: "" },
      "12345678": { file: "12345678" },
    },
  },
};

/** Evaluated with NIX_STORE_DIR=/foo/store --readonly-mode: paths in another logical store directory. */
export const OTHER_STORE_DIR = "/foo/store";
export const OTHER_STORE_DIR_EXPR = `let d = derivation { name = "sd"; ${base} src = builtins.toFile "f" "x"; };
  in derivation { name = "top"; ${base} inherit d; }`;

export interface GoldenDerivation {
  expr: string;
  drvPath: string;
  /** Text of this derivation and, recursively, of every input derivation, by base name. */
  drvTexts: Record<string, string>;
  outputs: Record<string, string>;
}

export interface Golden {
  nixVersion: string;
  derivations: Record<string, GoldenDerivation>;
  toFile: Record<string, string>;
  trees: Record<
    string,
    { narBase64: string; narHashNix32: string; pathRecursive: string; pathFlat?: string }
  >;
  placeholders: Record<string, string>;
  otherStoreDir: { drvPath: string; outPath: string };
}
